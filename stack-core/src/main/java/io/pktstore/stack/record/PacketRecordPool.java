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
     * Makes a clone covering only part of a record's data, as a store keeps just a value's bytes out
     * of the segment that carried a whole request: data offset, length and sequence number are those
     * of the sub-range; everything else as {@link #cloneRecord}.
     *
     * @param record an allocated record.
     * @param offset first byte of the range, counted from the record's first data byte.
     * @param length bytes in the range (0 allowed).
     * @return the clone's index, or {@link PacketRecord#NO_RECORD} if the record table is full
     *         (nothing changed then).
     * @throws IndexOutOfBoundsException if the range is not inside the record's data (nothing changed).
     */
    public int cloneRange(final int record, final int offset, final int length)
    {
        checkAllocated("cloneRange", record);
        final PacketRecord original = source.wrap(arena, record);
        final int dataLength = original.dataLength();
        if (offset < 0 || length < 0 || offset > dataLength - length)
        {
            throw new IndexOutOfBoundsException("cloneRange: [" + offset + ", +" + length + ") is not inside record "
                + record + "'s " + dataLength + " data bytes");
        }
        final int dataOffset = original.dataOffset();
        final int seq = original.tcpSeq();
        final int clone = cloneRecord(record);
        if (clone != PacketRecord.NO_RECORD)
        {
            scratch.wrap(arena, clone).dataOffset(dataOffset + offset).dataLength(length).tcpSeq(seq + offset);
        }
        return clone;
    }

    /**
     * Trims a record in place to part of its data (the record keeps its buffer reference).
     *
     * @param record an allocated record.
     * @param offset first byte to keep, counted from the record's first data byte.
     * @param length bytes to keep.
     * @throws IndexOutOfBoundsException if the range is not inside the record's data (nothing changed).
     */
    public void trim(final int record, final int offset, final int length)
    {
        checkAllocated("trim", record);
        final PacketRecord r = scratch.wrap(arena, record);
        final int dataLength = r.dataLength();
        if (offset < 0 || length < 0 || offset > dataLength - length)
        {
            throw new IndexOutOfBoundsException("trim: [" + offset + ", +" + length + ") is not inside record "
                + record + "'s " + dataLength + " data bytes");
        }
        r.dataOffset(r.dataOffset() + offset).dataLength(length).tcpSeq(r.tcpSeq() + offset);
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
