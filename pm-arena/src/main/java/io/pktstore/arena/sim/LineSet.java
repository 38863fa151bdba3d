package io.pktstore.arena.sim;

import java.util.Arrays;

/**
 * A set of line indices with O(1) add, remove and membership test, iterated densely in
 * {@code 0..size()-1} (so a pass costs the number of members, not the number of lines). Removal
 * moves the last member into the freed slot, so the iteration order depends only on the sequence
 * of adds and removes: deterministic for a deterministic caller. Pre-sized; allocates nothing
 * after construction.
 */
final class LineSet {
    private final int[] members;
    /** Index of each line in {@link #members}, or -1 when absent. */
    private final int[] position;
    private int size;

    /**
     * @param lines number of lines; indices are {@code 0..lines-1}
     */
    LineSet(final int lines) {
        members = new int[lines];
        position = new int[lines];
        Arrays.fill(position, -1);
    }

    boolean contains(final int line) {
        return position[line] >= 0;
    }

    /** Adds {@code line}; no-op if present. */
    void add(final int line) {
        if (position[line] < 0) {
            position[line] = size;
            members[size++] = line;
        }
    }

    /** Removes {@code line}; no-op if absent. Do not call while iterating this set. */
    void remove(final int line) {
        final int p = position[line];
        if (p < 0) {
            return;
        }
        final int moved = members[--size];
        members[p] = moved;
        position[moved] = p;
        position[line] = -1;
    }

    int size() {
        return size;
    }

    /** @return the member at iteration index {@code i} ({@code 0 <= i < size()}) */
    int get(final int i) {
        return members[i];
    }

    /** Removes every member, in O(size()). */
    void clear() {
        for (int i = 0; i < size; i++) {
            position[members[i]] = -1;
        }
        size = 0;
    }
}
