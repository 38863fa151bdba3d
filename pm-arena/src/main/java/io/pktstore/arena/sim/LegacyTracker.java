package io.pktstore.arena.sim;

import java.util.random.RandomGenerator;

import org.agrona.UnsafeApi;

/**
 * {@link SimulatedPmRegion.Model#AT_PERSIST} and {@link SimulatedPmRegion.Model#AT_BARRIER}, the
 * simulator's original, lenient models. A line is unpersisted exactly when its working content
 * differs from its durable content (found by comparison, nothing is sampled), and a crash image
 * gives each such line either of the two, with probability 1/2 (per line or per word).
 *
 * <ul>
 *   <li>AT_PERSIST: persist copies the covered lines into the durable image at once; barrier does
 *       nothing. Misses a missing barrier.</li>
 *   <li>AT_BARRIER: persist marks the lines; the barrier copies them with their content at
 *       barrier time. Misses a store made after the persist but before the barrier.</li>
 * </ul>
 * Neither remembers intermediate versions, so a line written back to its durable content counts
 * as clean. Kept because they cost nothing per event, which is what tests that only need memory
 * want (and for the callers written against them).
 */
final class LegacyTracker implements LineTracker {
    private static final int LINE = SimulatedPmRegion.LINE_SIZE;

    private final long working;
    private final byte[] durable;
    private final int lines;
    /** AT_BARRIER only: one bit per line persisted since the last barrier; null for AT_PERSIST. */
    private final long[] pendingLines;
    private int pendingLow = Integer.MAX_VALUE;
    private int pendingHigh = -1;

    /**
     * @param working   address of the working image
     * @param durable   the durable image
     * @param atBarrier true for AT_BARRIER, false for AT_PERSIST
     */
    LegacyTracker(final long working, final byte[] durable, final boolean atBarrier) {
        this.working = working;
        this.durable = durable;
        this.lines = durable.length / LINE;
        this.pendingLines = atBarrier ? new long[(lines + 63) >>> 6] : null;
    }

    @Override
    public void observe() {
        // Nothing to sample: unpersisted lines are found by comparison when needed.
    }

    @Override
    public void persist(final int firstLine, final int lastLine) {
        if (pendingLines == null) {
            copyToDurable(firstLine, lastLine - firstLine + 1);
            return;
        }
        for (int line = firstLine; line <= lastLine; line++) {
            pendingLines[line >>> 6] |= 1L << line;
        }
        pendingLow = Math.min(pendingLow, firstLine >>> 6);
        pendingHigh = Math.max(pendingHigh, lastLine >>> 6);
    }

    @Override
    public void barrier() {
        if (pendingLines == null) {
            return;
        }
        for (int w = pendingLow; w <= pendingHigh; w++) {
            long bits = pendingLines[w];
            while (bits != 0) {
                copyToDurable((w << 6) + Long.numberOfTrailingZeros(bits), 1);
                bits &= bits - 1;
            }
            pendingLines[w] = 0;
        }
        pendingLow = Integer.MAX_VALUE;
        pendingHigh = -1;
    }

    private void copyToDurable(final int firstLine, final int count) {
        final long offset = (long) firstLine * LINE;
        UnsafeApi.copyMemory(null, working + offset, durable, SimulatedPmRegion.ARRAY_BASE + offset, (long) count * LINE);
    }

    @Override
    public void crashImage(final byte[] into, final RandomGenerator rnd, final SimulatedPmRegion.Granularity granularity) {
        System.arraycopy(durable, 0, into, 0, durable.length);
        for (int line = 0; line < lines; line++) {
            if (!isUnpersisted(line)) {
                continue;
            }
            final long offset = (long) line * LINE;
            if (granularity == SimulatedPmRegion.Granularity.LINE) {
                if (rnd.nextBoolean()) {
                    UnsafeApi.copyMemory(null, working + offset, into, SimulatedPmRegion.ARRAY_BASE + offset, LINE);
                }
            } else {
                for (long word = offset; word < offset + LINE; word += Long.BYTES) {
                    if (rnd.nextBoolean()) {
                        UnsafeApi.putLong(into, SimulatedPmRegion.ARRAY_BASE + word, UnsafeApi.getLong(working + word));
                    }
                }
            }
        }
    }

    @Override
    public boolean isUnpersisted(final int line) {
        final long offset = (long) line * LINE;
        for (int i = 0; i < LINE; i += Long.BYTES) {
            if (UnsafeApi.getLong(working + offset + i) != UnsafeApi.getLong(durable, SimulatedPmRegion.ARRAY_BASE + offset + i)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int knownVersionCount(final int line) {
        return isUnpersisted(line) ? 1 : 0;
    }

    @Override
    public void reset() {
        if (pendingLines != null) {
            java.util.Arrays.fill(pendingLines, 0L);
            pendingLow = Integer.MAX_VALUE;
            pendingHigh = -1;
        }
    }
}
