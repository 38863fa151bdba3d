package io.pktstore.arena.sim;

import java.util.SplittableRandom;

import org.agrona.UnsafeApi;

/**
 * Test harness for tiny commit protocols: runs a workload on a {@link SimulatedPmRegion}, takes
 * crash images at every persist and barrier (optional) and at each explicit crash point of the
 * workload, and counts the images that break an invariant. Seeded, so a run is reproducible.
 */
final class CrashExplorer {
    /** The code under test. */
    @FunctionalInterface
    interface Workload {
        /**
         * @param region    where it stores, persists and barriers
         * @param crashHere takes crash images now (an explicit crash point)
         */
        void run(SimulatedPmRegion region, Runnable crashHere);
    }

    /** What every crash image must satisfy. */
    @FunctionalInterface
    interface Invariant {
        /** @return null if {@code image} is fine, else what is wrong with it (with the values seen) */
        String violation(byte[] image);
    }

    /**
     * @param images         crash images checked
     * @param violations     images that broke the invariant
     * @param firstViolation the first broken image's description, or null
     */
    record Result(long images, long violations, String firstViolation) {
    }

    private SimulatedPmRegion.Model model = SimulatedPmRegion.Model.HARDWARE;
    private SimulatedPmRegion.Granularity granularity = SimulatedPmRegion.Granularity.LINE;
    private long seed = 1;
    private int imagesPerPoint = 8;
    private boolean atEveryPersistAndBarrier = true;
    private byte[] initialImage = new byte[4096];

    CrashExplorer model(final SimulatedPmRegion.Model value) {
        model = value;
        return this;
    }

    CrashExplorer granularity(final SimulatedPmRegion.Granularity value) {
        granularity = value;
        return this;
    }

    CrashExplorer seed(final long value) {
        seed = value;
        return this;
    }

    CrashExplorer imagesPerPoint(final int value) {
        imagesPerPoint = value;
        return this;
    }

    /** @param value false: take images only at the workload's explicit crash points */
    CrashExplorer atEveryPersistAndBarrier(final boolean value) {
        atEveryPersistAndBarrier = value;
        return this;
    }

    /** @param image what the region holds (working and durable) when the workload starts */
    CrashExplorer initialImage(final byte[] image) {
        initialImage = image.clone();
        return this;
    }

    Result explore(final Workload workload, final Invariant invariant) {
        final long[] counts = new long[2];
        final String[] first = new String[1];
        final CrashPoints.Check check = (image, point) -> {
            counts[0]++;
            final String violation = invariant.violation(image);
            if (violation != null) {
                counts[1]++;
                if (first[0] == null) {
                    first[0] = point + ": " + violation;
                }
            }
        };
        try (SimulatedPmRegion region = SimulatedPmRegion.fromImage(initialImage, model);
             CrashPoints crashes = CrashPoints.attach(region, new SplittableRandom(seed), granularity, imagesPerPoint,
                 check)) {
            if (!atEveryPersistAndBarrier) {
                region.onPersist(null);
                region.onBarrier(null);
            }
            workload.run(region, crashes::crashHere);
        }
        return new Result(counts[0], counts[1], first[0]);
    }

    /** @return the aligned 8-byte word at {@code offset} of {@code image} */
    static long word(final byte[] image, final int offset) {
        return UnsafeApi.getLong(image, SimulatedPmRegion.ARRAY_BASE + offset);
    }

    /** Writes the aligned 8-byte word at {@code offset} of {@code image}. */
    static void put(final byte[] image, final int offset, final long value) {
        UnsafeApi.putLong(image, SimulatedPmRegion.ARRAY_BASE + offset, value);
    }

    /** Stores an aligned 8-byte word into the region's working image, as a flyweight would. */
    static void store(final SimulatedPmRegion region, final int offset, final long value) {
        UnsafeApi.putLong(region.address() + offset, value);
    }

    /** @return the aligned 8-byte word at {@code offset} of the region's working image */
    static long load(final SimulatedPmRegion region, final int offset) {
        return UnsafeApi.getLong(region.address() + offset);
    }
}
