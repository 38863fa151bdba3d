package io.pktstore.arena.sim;

import java.util.Arrays;

import org.agrona.UnsafeApi;

/**
 * Per-line lists of 64-byte line versions, oldest first, kept in pooled storage: one
 * {@code long[]} of 8 words per node plus a {@code next} link, with freed nodes reused before the
 * pool grows (doubling, so growth is rare and amortised). A simulation that keeps its set of
 * unpersisted lines bounded therefore reaches a steady state with no allocation at all.
 *
 * <p>Memory: one node (64 bytes of content) per line per event at which the line had changed since
 * its last durable point. A line that changes at every event and is never persisted therefore
 * grows without bound; past {@link #MAX_NODES} versions the store refuses with a message saying
 * so, rather than running the JVM out of heap.
 *
 * <p>The lists only ever grow at the tail ({@link #append}) and shrink at the head
 * ({@link #dropThrough}) or as a whole ({@link #clear}), which is all the hardware model needs:
 * versions arrive in time order, and a barrier retires every version up to the persisted one.
 */
final class VersionStore {
    static final int WORDS_PER_LINE = SimulatedPmRegion.LINE_SIZE / Long.BYTES;
    /** Versions held at most (1 GiB of content): far beyond what a sensible crash test needs. */
    static final int MAX_NODES = 1 << 24;
    private static final int NONE = -1;

    private final int[] first;
    private final int[] last;
    private final int[] count;
    private long[] words;
    private int[] next;
    /** Nodes {@code 0..highWater-1} have been handed out at least once. */
    private int highWater;
    /** Head of the chain of freed nodes (linked through {@link #next}), or NONE. */
    private int freeHead = NONE;
    private int liveNodes;

    /**
     * @param lines         number of lines
     * @param initialNodes  nodes to preallocate
     */
    VersionStore(final int lines, final int initialNodes) {
        first = new int[lines];
        last = new int[lines];
        count = new int[lines];
        Arrays.fill(first, NONE);
        Arrays.fill(last, NONE);
        final int nodes = Math.max(16, initialNodes);
        words = new long[nodes * WORDS_PER_LINE];
        next = new int[nodes];
    }

    /** @return how many versions {@code line} holds */
    int count(final int line) {
        return count[line];
    }

    /** @return the oldest version of {@code line}, or -1 */
    int first(final int line) {
        return first[line];
    }

    /** @return the newest version of {@code line}, or -1 */
    int last(final int line) {
        return last[line];
    }

    /** @return the version after {@code node} in its line's list, or -1 */
    int next(final int node) {
        return next[node];
    }

    /** @return word {@code w} (0..7) of version {@code node} */
    long word(final int node, final int w) {
        return words[node * WORDS_PER_LINE + w];
    }

    /** @return total versions held over all lines (for tests and diagnostics) */
    int liveNodes() {
        return liveNodes;
    }

    /**
     * @param line    a line that holds at least one version
     * @param address the line's 64 bytes in memory
     * @return true if the newest version of {@code line} equals the bytes at {@code address}
     */
    boolean newestEquals(final int line, final long address) {
        final int base = last[line] * WORDS_PER_LINE;
        long diff = 0;
        for (int w = 0; w < WORDS_PER_LINE; w++) {
            diff |= words[base + w] ^ UnsafeApi.getLong(address + (long) w * Long.BYTES);
        }
        return diff == 0;
    }

    /** Appends the 64 bytes at {@code address} as the newest version of {@code line}. */
    void append(final int line, final long address) {
        final int node = allocate();
        final int base = node * WORDS_PER_LINE;
        for (int w = 0; w < WORDS_PER_LINE; w++) {
            words[base + w] = UnsafeApi.getLong(address + (long) w * Long.BYTES);
        }
        next[node] = NONE;
        if (last[line] == NONE) {
            first[line] = node;
        } else {
            next[last[line]] = node;
        }
        last[line] = node;
        count[line]++;
    }

    /** Copies version {@code node} into {@code dst} at byte {@code offset}. */
    void copyTo(final int node, final byte[] dst, final int offset) {
        final int base = node * WORDS_PER_LINE;
        final long at = SimulatedPmRegion.ARRAY_BASE + offset;
        for (int w = 0; w < WORDS_PER_LINE; w++) {
            UnsafeApi.putLong(dst, at + (long) w * Long.BYTES, words[base + w]);
        }
    }

    /**
     * Drops the versions of {@code line} from the oldest up to and including {@code node}, which
     * must be in the line's list.
     *
     * @return how many versions remain
     */
    int dropThrough(final int line, final int node) {
        int n = first[line];
        while (true) {
            final int following = next[n];
            free(n);
            count[line]--;
            if (n == node) {
                first[line] = following;
                break;
            }
            n = following;
        }
        if (first[line] == NONE) {
            last[line] = NONE;
        }
        return count[line];
    }

    /** Drops every version of {@code line}. */
    void clear(final int line) {
        for (int n = first[line]; n != NONE; ) {
            final int following = next[n];
            free(n);
            n = following;
        }
        first[line] = NONE;
        last[line] = NONE;
        count[line] = 0;
    }

    private int allocate() {
        liveNodes++;
        if (freeHead != NONE) {
            final int node = freeHead;
            freeHead = next[node];
            return node;
        }
        if (highWater == next.length) {
            if (next.length >= MAX_NODES) {
                throw new IllegalStateException("the crash simulator holds " + liveNodes + " unretired line versions:"
                    + " lines keep changing without ever being persisted and fenced (persist them, or resetTo the"
                    + " region between phases)");
            }
            next = Arrays.copyOf(next, next.length * 2);
            words = Arrays.copyOf(words, words.length * 2);
        }
        return highWater++;
    }

    private void free(final int node) {
        liveNodes--;
        next[node] = freeHead;
        freeHead = node;
    }
}
