package io.pktstore.stack.record;

import io.pktstore.arena.Arena;

/**
 * Creates, clones and releases {@link PacketRecord}s in an arena, keeping the buffer reference
 * counts right: every record holds exactly one reference to its payload buffer.
 *
 * <ul>
 *   <li>{@link #adopt} turns a buffer reference the caller holds (e.g. a received frame) into a new
 *       record; the record now owns that reference.</li>
 *   <li>{@link #cloneRecord} makes a second record over the same buffer (retaining it), as
 *       {@code skb_clone} does: TCP's retransmit queue and the store can both hold the bytes.</li>
 *   <li>{@link #release} frees a record and drops its buffer reference; the buffer is freed with
 *       its last reference, whichever record goes first.</li>
 * </ul>
 *
 * <p>Full arena: {@link #adopt} and {@link #cloneRecord} return {@link PacketRecord#NO_RECORD} and
 * change nothing (hot path, no exceptions). Misuse (releasing a free record) throws
 * {@link IllegalStateException} before anything is changed. Not thread-safe; allocation-free.
 */
public final class PacketRecordPool
{
    private final Arena arena;
    private final PacketRecord view = new PacketRecord();
    private final PacketRecord scratch = new PacketRecord();
    private final PacketRecord source = new PacketRecord();

    /**
     * @param arena the arena whose record table and buffer pool this pool manages.
     */
    public PacketRecordPool(final Arena arena)
    {
        if (arena == null)
        {
            throw new NullPointerException("arena");
        }
        this.arena = arena;
    }

    /** @return the arena. */
    public Arena arena()
    {
        return arena;
    }

    /**
     * Creates a record owning one reference to {@code bufferIndex}: all fields zero except
     * {@code bufferIndex} and {@code next = NO_RECORD}.
     *
     * @param bufferIndex an allocated buffer whose reference the caller hands over.
     * @return the new record's index, or {@link PacketRecord#NO_RECORD} if the record table is full
     *         (the caller still owns its buffer reference then).
     */
    public int adopt(final int bufferIndex)
    {
        if (!arena.isBufferAllocated(bufferIndex))
        {
            throw new IllegalStateException("adopt: buffer " + bufferIndex + " is not allocated");
        }
        final int record = arena.allocateRecord();
        if (record == Arena.NONE)
        {
            return PacketRecord.NO_RECORD;
        }
        scratch.wrap(arena, record).clear().bufferIndex(bufferIndex);
        return record;
    }

    /**
     * Makes a clone: a new record with the same metadata (bytes 0..31), sharing the buffer, with
     * {@link PacketRecord#FLAG_CLONE} set, {@code next = NO_RECORD} and zeroed link words (links
     * belong to the structure that holds the original).
     *
     * @param record an allocated record.
     * @return the clone's index, or {@link PacketRecord#NO_RECORD} if the record table is full
     *         (nothing changed then).
     */
    public int cloneRecord(final int record)
    {
        checkAllocated("cloneRecord", record);
        final int clone = arena.allocateRecord();
        if (clone == Arena.NONE)
        {
            return PacketRecord.NO_RECORD;
        }
        final PacketRecord original = source.wrap(arena, record);
        scratch.wrap(arena, clone).clear().copyMetadataFrom(original)
            .next(PacketRecord.NO_RECORD)
            .flags(original.flags() | PacketRecord.FLAG_CLONE);
        arena.retainBuffer(original.bufferIndex());
        return clone;
    }

    /**
     * Frees a record and drops its buffer reference (the buffer is freed if it was the last).
     * Does not follow {@code next}; see {@link #releaseChain}.
     *
     * @param record an allocated record.
     * @return true if the buffer was freed by this release.
     * @throws IllegalStateException if the record is not allocated (nothing changed).
     */
    public boolean release(final int record)
    {
        checkAllocated("release", record);
        final int bufferIndex = scratch.wrap(arena, record).bufferIndex();
        arena.freeRecord(record);
        return arena.releaseBuffer(bufferIndex);
    }

    /**
     * Releases a record and every record reachable through {@code next}.
     *
     * @param head first record of the chain, or {@link PacketRecord#NO_RECORD} (then nothing happens).
     * @return the number of records released.
     */
    public int releaseChain(final int head)
    {
        int count = 0;
        int record = head;
        while (record != PacketRecord.NO_RECORD)
        {
            final int next = scratch.wrap(arena, record).next();
            release(record);
            count++;
            record = next;
        }
        return count;
    }

    /**
     * A shared flyweight wrapped at {@code record}: valid until the next call of {@code view}. Use a
     * private {@link PacketRecord} and {@link PacketRecord#wrap} to hold several at once.
     *
     * @param record a record index.
     * @return the shared flyweight.
     */
    public PacketRecord view(final int record)
    {
        return view.wrap(arena, record);
    }

    private void checkAllocated(final String op, final int record)
    {
        if (!arena.isRecordAllocated(record))
        {
            throw new IllegalStateException(op + ": record " + record + " is not allocated");
        }
    }
}
