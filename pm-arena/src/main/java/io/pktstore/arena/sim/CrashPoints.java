package io.pktstore.arena.sim;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Takes crash images of a {@link SimulatedPmRegion} at every persist and every barrier of the code
 * under test (through the region's hooks), and wherever the test calls {@link #crashHere()}, and
 * hands each image to a check. The usual crash test:
 *
 * <pre>{@code
 *   try (SimulatedPmRegion region = SimulatedPmRegion.create(size, Model.HARDWARE);
 *        SimulatedPmRegion restarted = SimulatedPmRegion.create(size, Model.HARDWARE);
 *        CrashPoints crashes = CrashPoints.attach(region, new SplittableRandom(seed), Granularity.WORD, 4,
 *            (image, point) -> {
 *                restarted.resetTo(image);          // reuse one region for every image
 *                recover(restarted);                // runs under HARDWARE too
 *                assertInvariants(restarted, point);
 *            })) {
 *       runWorkload(region, crashes::crashHere);    // crashHere() between plain stores, if wanted
 *   }
 * }</pre>
 *
 * The image buffer is reused for every image: a check that keeps an image must copy it. The
 * region is sampled once per crash point, so a check must not store into the region under test
 * (it recovers the image elsewhere, e.g. in a region reset with {@link SimulatedPmRegion#resetTo}).
 * A check may itself use other simulated regions with their own {@code CrashPoints} (a crash
 * during recovery). Attaching replaces the region's persist and barrier hooks; {@link #close()} removes
 * them. Single-threaded, like the region.
 */
public final class CrashPoints implements AutoCloseable {
    /** Where a crash image was taken. */
    public enum Kind {
        /** At a persist call, before it took effect. */
        PERSIST,
        /** At a barrier, before it made anything durable. */
        BARRIER,
        /** At a {@link #crashHere()} call. */
        EXPLICIT
    }

    /** Receives each crash image. */
    @FunctionalInterface
    public interface Check {
        /**
         * @param image the crash image (reused for the next image: copy to keep)
         * @param point where it was taken
         */
        void accept(byte[] image, Point point);
    }

    /**
     * One crash point.
     *
     * @param kind   where it was taken
     * @param number 0-based count of crash points before this one (of all kinds)
     * @param image  0-based number of this image among the images taken at this point
     */
    public record Point(Kind kind, long number, int image) {
    }

    private final SimulatedPmRegion region;
    private final RandomGenerator rnd;
    private final SimulatedPmRegion.Granularity granularity;
    private final int imagesPerPoint;
    private final Check check;
    private final byte[] image;
    private long points;
    private long images;

    private CrashPoints(final SimulatedPmRegion region, final RandomGenerator rnd,
                        final SimulatedPmRegion.Granularity granularity, final int imagesPerPoint, final Check check) {
        this.region = Objects.requireNonNull(region, "region");
        this.rnd = Objects.requireNonNull(rnd, "rnd");
        this.granularity = Objects.requireNonNull(granularity, "granularity");
        this.check = Objects.requireNonNull(check, "check");
        if (imagesPerPoint < 1) {
            throw new IllegalArgumentException("imagesPerPoint " + imagesPerPoint + " must be at least 1");
        }
        this.imagesPerPoint = imagesPerPoint;
        this.image = new byte[(int) region.size()];
    }

    /**
     * Installs the region's persist and barrier hooks.
     *
     * @param region         the region the code under test uses
     * @param rnd            seeded generator for the images
     * @param granularity    how crash images mix versions
     * @param imagesPerPoint images taken at each crash point (at least 1)
     * @param check          receives each image
     * @return the attached crash points; close to detach
     */
    public static CrashPoints attach(final SimulatedPmRegion region, final RandomGenerator rnd,
                                     final SimulatedPmRegion.Granularity granularity, final int imagesPerPoint,
                                     final Check check) {
        final CrashPoints crashPoints = new CrashPoints(region, rnd, granularity, imagesPerPoint, check);
        region.onPersist(() -> crashPoints.take(Kind.PERSIST));
        region.onBarrier(() -> crashPoints.take(Kind.BARRIER));
        return crashPoints;
    }

    /** Takes the crash images of an explicit crash point now (for points between plain stores). */
    public void crashHere() {
        take(Kind.EXPLICIT);
    }

    private void take(final Kind kind) {
        final long number = points++;
        for (int i = 0; i < imagesPerPoint; i++) {
            if (i == 0) {
                region.crashImage(image, rnd, granularity);
            } else {
                region.crashImageAtSameEvent(image, rnd, granularity); // the check left the region alone
            }
            images++;
            check.accept(image, new Point(kind, number, i));
        }
    }

    /** @return crash points so far */
    public long points() {
        return points;
    }

    /** @return crash images handed to the check so far */
    public long images() {
        return images;
    }

    /** Removes the region's persist and barrier hooks. */
    @Override
    public void close() {
        region.onPersist(null);
        region.onBarrier(null);
    }
}
