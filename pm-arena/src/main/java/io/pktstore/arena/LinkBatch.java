package io.pktstore.arena;

import org.agrona.UnsafeApi;

/**
 * A batch of aligned 8-byte stores ("link words") that becomes durable all together or not at all:
 * the commit point of every index update that changes more than one word (a skip-list insert that
 * also sets a record mark, a red-black rotation, a group commit of many requests).
 *
 * <h2>Use</h2>
 * <ol>
 *   <li>{@link #store} stages new values; nothing is written to the arena yet. {@link #load} reads a
 *       word as the batch sees it (staged value, else memory), so code that builds the batch reads
 *       its own writes.</li>
 *   <li>The caller writes and {@link PmRegion#persist persists} (no barrier needed) everything the
 *       staged values make reachable: new records, their payload bytes.</li>
 *   <li>{@link #commit()}: writes the staged (offset, value) pairs into one half of the link log,
 *       persists them, <b>barrier</b> (the caller's data, the log entries and the previous batch's
 *       applied words are durable), stores the commit word (one aligned 8-byte store naming the half
 *       and the entry count), persists it, <b>barrier</b> (the batch is durable: the commit point),
 *       then applies the values to their words and writes them back. Two barriers per batch, whatever
 *       its size: group commit.</li>
 * </ol>
 *
 * <h2>Why it is safe</h2>
 * Words of a batch reach memory only after its commit word is durable, so a crash before that leaves
 * every word as it was (the CPU cannot evict a store that was never made); a crash after it replays
 * the log at the next open ({@link #replay}), and replaying values that were already applied changes
 * nothing (redo values are absolute). The halves alternate, so a batch's entries never overwrite the
 * log the durable commit word still names; the applied words of batch K are durable at batch K+1's
 * first barrier, before K+1's commit word replaces K's. Replay at open ends by clearing the commit
 * word durably, so words written after an open (by recovery repairs, or later batches) are never
 * overwritten by an old log.
 *
 * <p>Rule for callers: a word is written either always through batches or never (a direct store
 * to a word some committed log names would be undone by a replay).
 *
 * <h2>The log's bytes</h2>
 * <pre>
 *  linkLogOffset + 0 : commit word (u64), 0 = nothing to replay
 *        63                 32 31 30                        0
 *       +---------------------+--+---------------------------+
 *       | batch sequence (u32)|h | entry count (1..capacity) |   h = which half holds the entries
 *       +---------------------+--+---------------------------+
 *  linkLogOffset + 64                        : half 0, capacity entries
 *  linkLogOffset + 64 + capacity * 16        : half 1, capacity entries
 *  entry (16 B): word offset from the arena start (u64) | new value (u64)
 * </pre>
 * Only words of the root slots, the record marks and the record table may be named (checked when
 * staged and again at replay, where an entry naming anything else is skipped and counted).
 *
 * <p>Single owner (the arena's thread); allocates nothing after construction.
 */
public final class LinkBatch {
    private static final long EMPTY_KEY = -1L;
    private static final long COUNT_MASK = 0x7FFF_FFFFL;
    private static final long HALF_BIT = 1L << 31;

    private final PmRegion region;
    private final long base;
    private final long logOffset;
    private final int capacity;
    private final long rootsStart;
    private final long rootsEnd;
    private final long marksStart;
    private final long marksEnd;
    private final long recordsStart;
    private final long recordsEnd;
    /** Staged words in staging order (the log is written in this order). */
    private final long[] stagedOffsets;
    private final long[] stagedValues;
    /** Open-addressing index from a word offset to its position in the staged arrays. */
    private final long[] indexKeys;
    private final int[] indexSlots;
    private final int indexMask;
    private int count;
    private int nextHalf;
    private long sequence;
    private long commits;

    LinkBatch(final PmRegion region, final ArenaGeometry geometry) {
        this.region = region;
        this.base = region.address();
        this.logOffset = geometry.linkLogOffset();
        this.capacity = geometry.logCapacity();
        this.rootsStart = Superblock.rootOffset(0);
        this.rootsEnd = Superblock.rootOffset(Superblock.ROOT_SLOTS);
        this.marksStart = geometry.recordMarksOffset();
        this.marksEnd = marksStart + geometry.recordMarksBytes();
        this.recordsStart = geometry.recordTableOffset();
        this.recordsEnd = recordsStart + (long) geometry.recordCount() * ArenaGeometry.RECORD_SIZE;
        this.stagedOffsets = new long[capacity];
        this.stagedValues = new long[capacity];
        final int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        this.indexKeys = new long[tableSize];
        this.indexSlots = new int[tableSize];
        this.indexMask = tableSize - 1;
        java.util.Arrays.fill(indexKeys, EMPTY_KEY);
        final long word = UnsafeApi.getLongVolatile(null, base + logOffset);
        // Write the next entries into the half the (possibly still live) commit word does not name.
        this.nextHalf = word != 0 && (word & HALF_BIT) == 0 ? 1 : 0;
        this.sequence = word >>> 32;
    }

    /** @return words this batch can stage in all */
    public int capacity() {
        return capacity;
    }

    /** @return words staged so far */
    public int size() {
        return count;
    }

    /** @return words that can still be staged before {@link #commit()} is needed */
    public int remaining() {
        return capacity - count;
    }

    /** @return true if nothing is staged */
    public boolean isEmpty() {
        return count == 0;
    }

    /** @return batches committed since this arena was opened */
    public long commits() {
        return commits;
    }

    /**
     * @param offset an aligned word offset from the arena start
     * @return the staged value of the word if this batch stages it, else its value in memory
     */
    public long load(final long offset) {
        if (count != 0) {
            final int slot = find(offset);
            if (slot >= 0) {
                return stagedValues[slot];
            }
        }
        return UnsafeApi.getLongVolatile(null, base + offset);
    }

    /**
     * Stages {@code value} for the word at {@code offset} (a later store to the same word replaces
     * it). Nothing is written to the arena until {@link #commit()}.
     *
     * @param offset aligned word offset of a root slot, a record-marks word or a record-table word
     * @param value  the new value
     * @throws IllegalArgumentException if the offset is not such a word
     * @throws IllegalStateException    if the batch is full (check {@link #remaining()} first)
     */
    public void store(final long offset, final long value) {
        if (!isLinkWord(offset)) {
            throw new IllegalArgumentException("offset " + offset + " is not an aligned root, record-mark or record word");
        }
        int h = hash(offset);
        while (true) {
            final long key = indexKeys[h];
            if (key == offset) {
                stagedValues[indexSlots[h]] = value;
                return;
            }
            if (key == EMPTY_KEY) {
                break;
            }
            h = (h + 1) & indexMask;
        }
        if (count == capacity) {
            throw new IllegalStateException("link batch full: " + capacity + " words staged; commit first");
        }
        indexKeys[h] = offset;
        indexSlots[h] = count;
        stagedOffsets[count] = offset;
        stagedValues[count] = value;
        count++;
    }

    /**
     * Makes every staged word durable, all together (see the class comment), and writes them into
     * the arena. Precondition: everything the staged values make reachable was persisted. With
     * nothing staged it is one barrier (so the caller's persists are durable either way).
     *
     * @throws ArenaException if the region's write-back failed (nothing may be acknowledged then)
     */
    public void commit() {
        if (count == 0) {
            region.barrier();
            return;
        }
        final int half = nextHalf;
        final long entries = entriesOffset(half);
        for (int i = 0; i < count; i++) {
            final long entry = base + entries + (long) i * ArenaGeometry.LOG_ENTRY_SIZE;
            UnsafeApi.putLong(entry, stagedOffsets[i]);
            UnsafeApi.putLong(entry + Long.BYTES, stagedValues[i]);
        }
        region.persist(entries, (long) count * ArenaGeometry.LOG_ENTRY_SIZE);
        region.barrier();
        sequence = (sequence + 1) & 0xFFFF_FFFFL;
        final long word = (sequence << 32) | (half == 1 ? HALF_BIT : 0) | count;
        UnsafeApi.putLongVolatile(null, base + logOffset, word);
        region.persist(logOffset, Long.BYTES);
        region.barrier();
        for (int i = 0; i < count; i++) {
            UnsafeApi.putLongVolatile(null, base + stagedOffsets[i], stagedValues[i]);
            region.persist(stagedOffsets[i], Long.BYTES);
        }
        nextHalf = 1 - half;
        commits++;
        clear();
    }

    /**
     * Writes the staged words into the arena without making anything durable: no log, no persist, no
     * barrier. Only for measuring what persistence costs (a benchmark stage switch); a crash after it
     * may leave any mix of old and new words.
     */
    public void applyVolatile() {
        for (int i = 0; i < count; i++) {
            UnsafeApi.putLongVolatile(null, base + stagedOffsets[i], stagedValues[i]);
        }
        clear();
    }

    /** Drops every staged word (nothing was written to the arena). */
    public void discard() {
        clear();
    }

    private void clear() {
        for (int i = 0; i < count; i++) {
            int h = hash(stagedOffsets[i]);
            while (indexKeys[h] != stagedOffsets[i]) {
                h = (h + 1) & indexMask;
            }
            indexKeys[h] = EMPTY_KEY;
        }
        // Linear probing: removing keys one by one could break probe chains of keys still present,
        // but every key is removed here, so the table ends empty.
        count = 0;
    }

    private int find(final long offset) {
        int h = hash(offset);
        while (true) {
            final long key = indexKeys[h];
            if (key == offset) {
                return indexSlots[h];
            }
            if (key == EMPTY_KEY) {
                return -1;
            }
            h = (h + 1) & indexMask;
        }
    }

    private int hash(final long offset) {
        final long x = (offset >>> 3) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (x >>> 40) & indexMask;
    }

    private long entriesOffset(final int half) {
        return logOffset + ArenaGeometry.LOG_HEADER_SIZE + (long) half * capacity * ArenaGeometry.LOG_ENTRY_SIZE;
    }

    private boolean isLinkWord(final long offset) {
        return (offset & 7) == 0 && (offset >= rootsStart && offset < rootsEnd
            || offset >= marksStart && offset < marksEnd
            || offset >= recordsStart && offset < recordsEnd);
    }

    /**
     * At a clean close, after a barrier made every applied word durable: clears the commit word
     * durably, so the next open has nothing to replay. Staged words are dropped (never committed).
     */
    void retire() {
        clear();
        if (UnsafeApi.getLongVolatile(null, base + logOffset) != 0) {
            UnsafeApi.putLongVolatile(null, base + logOffset, 0L);
            region.persist(logOffset, Long.BYTES);
            region.barrier();
        }
    }

    /**
     * At open, before anything else writes: applies the batch the commit word names (if any), makes
     * it durable, then clears the commit word durably. Idempotent: a crash during replay replays
     * again. Entries naming a word outside the root slots, record marks and record table are skipped
     * and counted (a damaged log must not write anywhere else).
     *
     * @return what was replayed
     */
    Replay replay() {
        final long word = UnsafeApi.getLongVolatile(null, base + logOffset);
        if (word == 0) {
            return new Replay(0, 0, false);
        }
        final long entryCount = word & COUNT_MASK;
        final boolean countValid = entryCount >= 1 && entryCount <= capacity;
        int applied = 0;
        int skipped = 0;
        if (countValid) {
            final long entries = entriesOffset((word & HALF_BIT) != 0 ? 1 : 0);
            for (int i = 0; i < entryCount; i++) {
                final long entry = base + entries + (long) i * ArenaGeometry.LOG_ENTRY_SIZE;
                final long offset = UnsafeApi.getLong(entry);
                if (!isLinkWord(offset)) {
                    skipped++;
                    continue;
                }
                UnsafeApi.putLongVolatile(null, base + offset, UnsafeApi.getLong(entry + Long.BYTES));
                region.persist(offset, Long.BYTES);
                applied++;
            }
            region.barrier();
        }
        UnsafeApi.putLongVolatile(null, base + logOffset, 0L);
        region.persist(logOffset, Long.BYTES);
        region.barrier();
        nextHalf = 0;
        return new Replay(applied, skipped, !countValid);
    }

    /**
     * What {@link #replay} found at open.
     *
     * @param applied          entries applied
     * @param skipped          entries naming a word no batch may write (damaged log), not applied
     * @param commitWordDamaged true if the commit word's entry count was impossible (nothing applied)
     */
    public record Replay(int applied, int skipped, boolean commitWordDamaged) {
    }
}
