package io.pktstore.arena;

/**
 * The pages a {@link PersistMode#BLOCK_MSYNC} region was asked to persist since the last barrier:
 * a bitmap with one bit per page plus the lowest and highest dirty word, so marking is O(pages in
 * the range) and draining scans only the dirty span. Pre-sized at open; allocates nothing after.
 * Consecutive dirty pages are handed out as one run so the barrier issues one {@code msync} per
 * run (group commit).
 */
final class DirtyPageSet {
    /** Receives one run of consecutive dirty pages. */
    @FunctionalInterface
    interface RunConsumer {
        /**
         * @param firstPage first dirty page of the run
         * @param pageCount number of consecutive dirty pages
         */
        void accept(long firstPage, long pageCount);
    }

    private final long[] words;
    private int lowWord;
    private int highWord;

    /**
     * @param pageCount number of pages to track
     */
    DirtyPageSet(final long pageCount) {
        words = new long[(int) ((pageCount + 63) >>> 6)];
        lowWord = Integer.MAX_VALUE;
        highWord = -1;
    }

    /**
     * Marks pages {@code firstPage..lastPage} (inclusive) dirty.
     */
    void mark(final long firstPage, final long lastPage) {
        final int firstWord = (int) (firstPage >>> 6);
        final int lastWord = (int) (lastPage >>> 6);
        // Whole words at a time: a persist of a large range costs pages / 64 steps.
        final long firstMask = -1L << firstPage;          // bits firstPage%64 .. 63
        final long lastMask = -1L >>> (63 - (lastPage & 63)); // bits 0 .. lastPage%64
        if (firstWord == lastWord) {
            words[firstWord] |= firstMask & lastMask;
        } else {
            words[firstWord] |= firstMask;
            for (int w = firstWord + 1; w < lastWord; w++) {
                words[w] = -1L;
            }
            words[lastWord] |= lastMask;
        }
        lowWord = Math.min(lowWord, firstWord);
        highWord = Math.max(highWord, lastWord);
    }

    /** @return true when no page is dirty */
    boolean isEmpty() {
        return highWord < 0;
    }

    /**
     * Hands every maximal run of dirty pages to {@code consumer} in ascending order and clears them.
     * If the consumer throws, the pages of the failing run and all later ones stay dirty.
     */
    void drain(final RunConsumer consumer) {
        long runStart = -1;
        for (int w = lowWord; w <= highWord; w++) {
            long bits = words[w];
            for (int b = 0; b < 64; b++) {
                final long page = ((long) w << 6) + b;
                final boolean dirty = (bits & (1L << b)) != 0;
                if (dirty && runStart < 0) {
                    runStart = page;
                } else if (!dirty && runStart >= 0) {
                    consumer.accept(runStart, page - runStart);
                    clear(runStart, page - 1);
                    runStart = -1;
                }
                if (runStart < 0 && (bits >>> b) == 0) {
                    break; // nothing more in this word and no open run
                }
            }
        }
        if (runStart >= 0) {
            final long end = ((long) highWord + 1) << 6;
            consumer.accept(runStart, end - runStart);
            clear(runStart, end - 1);
        }
        lowWord = Integer.MAX_VALUE;
        highWord = -1;
    }

    private void clear(final long firstPage, final long lastPage) {
        for (long p = firstPage; p <= lastPage; p++) {
            words[(int) (p >>> 6)] &= ~(1L << p);
        }
    }
}
