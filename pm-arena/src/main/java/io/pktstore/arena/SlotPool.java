package io.pktstore.arena;

import java.util.Arrays;

/**
 * Volatile (not persisted) allocator for one kind of fixed-size slot: an int stack of free indices
 * plus an allocated-bit per slot, so allocate and free are O(1), allocate nothing, and a double
 * free or a free of a never-allocated slot is caught instead of corrupting the stack. Rebuilt by
 * recovery from what is reachable (DESIGN rule 6), so allocation costs no persistence.
 */
final class SlotPool {
    private final String kind;
    private final int[] freeStack;
    private final long[] allocated;
    private int freeTop;

    /**
     * @param kind  what the slots are, for messages ("record", "buffer", "overflow block")
     * @param count number of slots
     */
    SlotPool(final String kind, final int count) {
        this.kind = kind;
        this.freeStack = new int[count];
        this.allocated = new long[(count + 63) >>> 6];
        resetAllFree();
    }

    /** Makes every slot free; the lowest index is handed out first. */
    void resetAllFree() {
        Arrays.fill(allocated, 0L);
        final int count = freeStack.length;
        for (int i = 0; i < count; i++) {
            freeStack[i] = count - 1 - i;
        }
        freeTop = count;
    }

    /**
     * Rebuilds the free stack from the allocated bits (set by {@link #markAllocated}) after a
     * {@link #clearAllocated()}: every unmarked slot becomes free, lowest index first out.
     */
    void rebuildFreeStackFromMarks() {
        int top = 0;
        for (int i = freeStack.length - 1; i >= 0; i--) {
            if (!isAllocated(i)) {
                freeStack[top++] = i;
            }
        }
        freeTop = top;
    }

    /** Marks every slot unallocated without touching the free stack (recovery start). */
    void clearAllocated() {
        Arrays.fill(allocated, 0L);
        freeTop = 0;
    }

    /**
     * Marks {@code index} allocated (recovery).
     *
     * @return true if it was not marked before
     */
    boolean markAllocated(final int index) {
        checkIndex(index);
        final long bit = 1L << index;
        final int word = index >>> 6;
        final boolean fresh = (allocated[word] & bit) == 0;
        allocated[word] |= bit;
        return fresh;
    }

    /** @return a free slot's index, now allocated, or {@link Arena#NONE} if none is free */
    int allocate() {
        if (freeTop == 0) {
            return Arena.NONE;
        }
        final int index = freeStack[--freeTop];
        allocated[index >>> 6] |= 1L << index;
        return index;
    }

    /**
     * Returns {@code index} to the free stack.
     *
     * @throws IndexOutOfBoundsException if the index is not a slot
     * @throws IllegalStateException     if the slot is not allocated (double free)
     */
    void free(final int index) {
        checkAllocated(index);
        allocated[index >>> 6] &= ~(1L << index);
        freeStack[freeTop++] = index;
    }

    /** @return true when {@code index} is allocated */
    boolean isAllocated(final int index) {
        return (allocated[index >>> 6] & (1L << index)) != 0;
    }

    /** @throws IllegalStateException if {@code index} is in range but not allocated */
    void checkAllocated(final int index) {
        checkIndex(index);
        if (!isAllocated(index)) {
            throw new IllegalStateException(kind + " " + index + " is not allocated (double free or never allocated)");
        }
    }

    void checkIndex(final int index) {
        if (index < 0 || index >= freeStack.length) {
            throw new IndexOutOfBoundsException(kind + " index " + index + " out of range 0.." + (freeStack.length - 1));
        }
    }

    int freeCount() {
        return freeTop;
    }

    int capacity() {
        return freeStack.length;
    }
}
