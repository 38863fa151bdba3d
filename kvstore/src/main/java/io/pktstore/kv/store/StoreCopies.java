package io.pktstore.kv.store;

import io.pktstore.arena.Arena;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.UnsafeApi;
import org.agrona.checksum.Crc32c;

/**
 * Bytes the store copies into buffers of its own. In the zero-copy store that is the one allowed copy:
 * a key that arrived split across two segments cannot be a range of one frame, so its bytes are copied
 * and a record over that copy becomes the node ({@link PacketRecord#CHECKSUM_STORE_COPY}: its
 * {@code tcpChecksum} is the Internet checksum of the copied bytes, checked at recovery and scrub like a
 * segment's); bounded (keys are at most 1 KiB) and counted. In the copying comparison store every key
 * and value is copied, LevelDB-style, with a CRC32C ({@link PacketRecord#CHECKSUM_STORE_CRC32C}).
 * Copies are packed into a "tail" buffer until it is full; each copy record holds a buffer reference,
 * the tail holds one more while it takes copies.
 */
final class StoreCopies
{
    private final Arena arena;
    private final PacketRecordPool pool;
    private final PacketRecord view = new PacketRecord();
    private int tailBuffer = Arena.NONE;
    private int tailUsed;
    private long copies;
    private long bytesCopied;

    StoreCopies(final Arena arena, final PacketRecordPool pool)
    {
        this.arena = arena;
        this.pool = pool;
    }

    /**
     * Copies {@code length} bytes into store-owned space and returns a persisted record over them, with
     * an Internet checksum.
     *
     * @param address first byte to copy.
     * @param length bytes, 1 .. buffer size.
     * @param timestampNs the receive time of the bytes' first segment.
     * @return the record, or {@link PacketRecord#NO_RECORD} when the arena has no buffer or record left.
     */
    int copy(final long address, final int length, final long timestampNs)
    {
        return copy(address, length, timestampNs, CHECKSUM_INTERNET);
    }

    /** Checksum of a copy: the Internet checksum (RFC 1071) in the record's checksum field. */
    static final int CHECKSUM_INTERNET = 0;
    /** Checksum of a copy: CRC32C in link word 3 (the copying comparison store). */
    static final int CHECKSUM_CRC32C = 1;
    /** No checksum (a benchmark ablation of the copying store: such copies do not verify at recovery). */
    static final int CHECKSUM_NONE = 2;

    /**
     * As {@link #copy(long, int, long)} with the given checksum kind.
     *
     * @param persist false only for the benchmark ablation without persistence.
     * @param copyBytes false only for the benchmark ablation that allocates the space but copies nothing
     *                  (then the checksum must be {@link #CHECKSUM_NONE}).
     */
    int copy(final long address, final int length, final long timestampNs, final int checksum, final boolean persist,
             final boolean copyBytes)
    {
        if (!copyBytes && checksum != CHECKSUM_NONE)
        {
            throw new IllegalArgumentException("a checksum over bytes that were not copied");
        }
        return copyWith(address, length, timestampNs, checksum, persist, copyBytes);
    }

    int copy(final long address, final int length, final long timestampNs, final int checksum)
    {
        return copyWith(address, length, timestampNs, checksum, true, true);
    }

    private int copyWith(final long address, final int length, final long timestampNs, final int checksum,
                         final boolean persist, final boolean copyBytes)
    {
        if (length <= 0 || length > arena.bufferSize())
        {
            throw new IllegalArgumentException("key copy of " + length + " bytes");
        }
        if (tailBuffer == Arena.NONE || arena.bufferSize() - tailUsed < length)
        {
            final int fresh = arena.allocateBuffer();
            if (fresh == Arena.NONE)
            {
                return PacketRecord.NO_RECORD;
            }
            releaseTail();
            tailBuffer = fresh;
            tailUsed = 0;
        }
        arena.retainBuffer(tailBuffer);   // the copy's record holds a reference of its own
        final int record = pool.adopt(tailBuffer);
        if (record == PacketRecord.NO_RECORD)
        {
            arena.releaseBuffer(tailBuffer);
            return PacketRecord.NO_RECORD;
        }
        final long target = arena.bufferAddress(tailBuffer) + tailUsed;
        if (copyBytes)
        {
            UnsafeApi.copyMemory(address, target, length);
        }
        view.wrap(arena, record).timestampNs(timestampNs).dataOffset(tailUsed).dataLength(length);
        switch (checksum)
        {
            case CHECKSUM_CRC32C:
                view.checksumState(PacketRecord.CHECKSUM_STORE_CRC32C)
                    .linkWord(3, Crc32c.INSTANCE.compute(target, 0, length) & 0xFFFF_FFFFL);
                break;
            case CHECKSUM_NONE:
                view.checksumState(PacketRecord.CHECKSUM_STORE_CRC32C);
                break;
            default:
                view.checksumState(PacketRecord.CHECKSUM_STORE_COPY)
                    .tcpChecksum(InternetChecksum.fold(InternetChecksum.sum(target, length, 0)) & 0xFFFF);
                break;
        }
        if (persist)
        {
            arena.persistBuffer(tailBuffer, tailUsed, length);
            arena.persistRecord(record);
        }
        // Keep later copies on their own lines: a copy's bytes never change once persisted.
        tailUsed = (tailUsed + length + 63) & -64;
        copies++;
        bytesCopied += length;
        return record;
    }

    /** Drops the tail's own reference (the copies keep theirs). */
    void releaseTail()
    {
        if (tailBuffer != Arena.NONE)
        {
            arena.releaseBuffer(tailBuffer);
            tailBuffer = Arena.NONE;
        }
    }

    /** @return keys copied so far. */
    long copies()
    {
        return copies;
    }

    /** @return key bytes copied so far. */
    long bytesCopied()
    {
        return bytesCopied;
    }
}
