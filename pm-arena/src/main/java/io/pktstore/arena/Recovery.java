package io.pktstore.arena;

/**
 * Rebuilds an opened arena's volatile allocation state from what the caller marks reachable. The
 * caller (the KV's recovery) walks its indexes from the root slots and marks every record, buffer
 * and overflow block it reaches, then calls {@link #finish()}: everything unmarked becomes free,
 * each buffer's reference count is its number of marks. Until then the arena refuses allocation.
 *
 * <p>Recovery writes nothing to the arena, so a crash during it leaves the file as it was and
 * running it again gives the same result (it is idempotent).
 */
public final class Recovery {
    private final Arena arena;
    private final SlotPool records;
    private final SlotPool buffers;
    private final SlotPool overflow;
    private final int[] refCounts;
    private long bufferReferences;
    private long duplicateMarks;
    private boolean finished;

    Recovery(final Arena arena, final SlotPool records, final SlotPool buffers, final SlotPool overflow,
             final int[] refCounts) {
        this.arena = arena;
        this.records = records;
        this.buffers = buffers;
        this.overflow = overflow;
        this.refCounts = refCounts;
        records.clearAllocated();
        buffers.clearAllocated();
        overflow.clearAllocated();
        java.util.Arrays.fill(refCounts, 0);
    }

    /**
     * Marks record {@code index} reachable. Marking a record twice keeps it once and is counted in
     * {@link RecoveryReport#duplicateMarks()}.
     *
     * @return true if this mark was the first (false: it was already marked)
     * @throws IndexOutOfBoundsException if the index is not a record
     * @throws IllegalStateException     if {@link #finish()} already ran
     */
    public boolean markRecord(final int index) {
        checkOpen();
        if (!records.markAllocated(index)) {
            duplicateMarks++;
            return false;
        }
        return true;
    }

    /**
     * Marks a record and the payload buffer it holds a reference to, together: the buffer gains a
     * reference only when the record's mark is the first, so a record reached twice (a damaged index
     * with a cycle or a shared link) cannot inflate its buffer's reference count.
     *
     * @param record the record
     * @param buffer the buffer the record refers to
     * @return true if the record was newly marked (and the buffer gained a reference)
     * @throws IndexOutOfBoundsException if either index is out of range (nothing is marked then)
     * @throws IllegalStateException     if {@link #finish()} already ran
     */
    public boolean markRecordAndBuffer(final int record, final int buffer) {
        checkOpen();
        buffers.checkIndex(buffer);
        if (!markRecord(record)) {
            return false;
        }
        markBuffer(buffer);
        return true;
    }

    /**
     * @param index a record index
     * @return true if it was marked during this recovery
     */
    public boolean isRecordMarked(final int index) {
        records.checkIndex(index);
        return records.isAllocated(index);
    }

    /**
     * Marks buffer {@code index} reachable once more: each mark adds one reference (a buffer shared
     * by several records, like cloned sk_buffs, is marked once per record).
     *
     * @throws IndexOutOfBoundsException if the index is not a buffer
     * @throws IllegalStateException     if {@link #finish()} already ran
     */
    public void markBuffer(final int index) {
        checkOpen();
        buffers.markAllocated(index);
        refCounts[index]++;
        bufferReferences++;
    }

    /**
     * Marks overflow block {@code index} reachable.
     *
     * @throws IndexOutOfBoundsException if the index is not an overflow block
     * @throws IllegalStateException     if {@link #finish()} already ran
     */
    public void markOverflow(final int index) {
        checkOpen();
        if (!overflow.markAllocated(index)) {
            duplicateMarks++;
        }
    }

    /**
     * Frees everything unmarked and lets the arena allocate again.
     *
     * @return what was kept and what was reclaimed
     * @throws IllegalStateException if called twice
     */
    public RecoveryReport finish() {
        checkOpen();
        finished = true;
        records.rebuildFreeStackFromMarks();
        buffers.rebuildFreeStackFromMarks();
        overflow.rebuildFreeStackFromMarks();
        final RecoveryReport report = new RecoveryReport(
            records.capacity() - records.freeCount(),
            buffers.capacity() - buffers.freeCount(),
            overflow.capacity() - overflow.freeCount(),
            bufferReferences,
            records.freeCount(), buffers.freeCount(), overflow.freeCount(),
            duplicateMarks, arena.wasCleanShutdown());
        arena.recoveryFinished(this);
        return report;
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("recovery already finished");
        }
        if (!arena.isActiveRecovery(this)) {
            throw new IllegalStateException("this recovery was superseded by a later Arena.recover() or the arena was closed");
        }
    }
}
