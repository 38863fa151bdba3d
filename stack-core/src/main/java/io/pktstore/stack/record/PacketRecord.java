package io.pktstore.stack.record;

import io.pktstore.arena.Arena;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over one 64-byte packet record in the arena's record table: the sk_buff of pktstore.
 * One record describes one received TCP segment (or a sub-range of it, for a clone) whose whole
 * frame sits in an arena payload buffer. The layout is a fixed contract: the KV layer links
 * records into its persistent indexes in place and recovery re-reads them from the file.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1   (bits, little-endian fields)
 * +-------------------------------+-------------------------------+
 * |        bufferIndex (i32)      |          next (i32)           |  0 ..  7
 * +-------------------------------+-------------------------------+
 * |                      timestampNs (i64)                        |  8 .. 15
 * +-------------------------------+---------------+---------------+
 * |          tcpSeq (i32)         | frameLength   |  dataOffset   | 16 .. 23  (u16, u16)
 * +---------------+---------------+-------+-------+-------+-------+
 * |  dataLength   |  tcpChecksum  |l3Off  |l4Off  |csState| flags | 24 .. 31  (u16, u16, u8 x4)
 * +---------------+---------------+-------+-------+-------+-------+
 * |                        link word 0 (i64)                      | 32 .. 39
 * |                        link word 1 (i64)                      | 40 .. 47
 * |                        link word 2 (i64)                      | 48 .. 55
 * |                        link word 3 (i64)                      | 56 .. 63
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>bufferIndex: payload buffer in the arena pool; the buffer holds the whole frame from offset 0.</li>
 *   <li>next: next record of the same chain (record index), {@link #NO_RECORD} = none.</li>
 *   <li>timestampNs: the driver's receive timestamp (CLOCK_REALTIME ns).</li>
 *   <li>tcpSeq: sequence number of the first payload byte this record covers.</li>
 *   <li>frameLength / dataOffset / dataLength: frame bytes in the buffer; first payload byte and
 *       payload byte count this record covers (a clone may cover a sub-range).</li>
 *   <li>tcpChecksum: the TCP checksum field as verified or completed over the frame.</li>
 *   <li>l3Offset / l4Offset: IPv4 and TCP header offsets in the buffer.</li>
 *   <li>checksumState: {@link #CHECKSUM_NONE}, {@link #CHECKSUM_HARDWARE_VERIFIED},
 *       {@link #CHECKSUM_SOFTWARE_VERIFIED}, {@link #CHECKSUM_SOFTWARE_COMPLETED}, or
 *       {@link #CHECKSUM_STORE_COPY} for bytes the store copied out of frames (no frame around
 *       them: tcpChecksum is then the Internet checksum of the data range alone).</li>
 *   <li>flags: {@link #FLAG_CLONE}, {@link #FLAG_FIN}, {@link #FLAG_PSH}; other bits reserved 0.</li>
 *   <li>link words: owned by whichever structure holds the record (TCP's out-of-order tree, later
 *       the KV index); no one else touches them.</li>
 * </ul>
 *
 * <p>Wrap once per record with {@link #wrap}; accessors then read the mapped memory directly
 * (no copy, no allocation). Not thread-safe: a record belongs to the stack's thread.
 */
public final class PacketRecord
{
    /** Bytes per record. */
    public static final int SIZE = 64;
    /** "No record" in {@code next} and as a pool result; equals {@link Arena#NONE}. */
    public static final int NO_RECORD = Arena.NONE;

    /** Offset of the payload buffer index (i32). */
    public static final int BUFFER_INDEX_OFFSET = 0;
    /** Offset of the next-record link (i32). */
    public static final int NEXT_OFFSET = 4;
    /** Offset of the receive timestamp (i64). */
    public static final int TIMESTAMP_OFFSET = 8;
    /** Offset of the TCP sequence number of the first payload byte (i32). */
    public static final int TCP_SEQ_OFFSET = 16;
    /** Offset of the frame length (u16). */
    public static final int FRAME_LENGTH_OFFSET = 20;
    /** Offset of the data offset within the buffer (u16). */
    public static final int DATA_OFFSET_OFFSET = 22;
    /** Offset of the data length (u16). */
    public static final int DATA_LENGTH_OFFSET = 24;
    /** Offset of the TCP checksum value (u16). */
    public static final int TCP_CHECKSUM_OFFSET = 26;
    /** Offset of the IPv4 header offset (u8). */
    public static final int L3_OFFSET_OFFSET = 28;
    /** Offset of the TCP header offset (u8). */
    public static final int L4_OFFSET_OFFSET = 29;
    /** Offset of the checksum state (u8). */
    public static final int CHECKSUM_STATE_OFFSET = 30;
    /** Offset of the flags byte (u8). */
    public static final int FLAGS_OFFSET = 31;
    /** Offset of link word 0; link word i is at {@code LINK_WORDS_OFFSET + 8 * i}. */
    public static final int LINK_WORDS_OFFSET = 32;
    /** Number of 8-byte link words. */
    public static final int LINK_WORD_COUNT = 4;
    /** Bytes of metadata before the link words (what a clone copies). */
    public static final int METADATA_LENGTH = LINK_WORDS_OFFSET;

    /** Checksum not established (not a TCP segment, or not yet processed). */
    public static final int CHECKSUM_NONE = 0;
    /** The driver said hardware (or the kernel) verified the checksum; trusted. */
    public static final int CHECKSUM_HARDWARE_VERIFIED = 1;
    /** Verified in software over the frame bytes. */
    public static final int CHECKSUM_SOFTWARE_VERIFIED = 2;
    /** CHECKSUM_PARTIAL frame: the checksum was computed in software and written into the frame. */
    public static final int CHECKSUM_SOFTWARE_COMPLETED = 3;
    /**
     * Not a frame: bytes a store copied into a buffer of its own (the one allowed copy, a key split
     * across two segments). {@code tcpChecksum} holds the Internet checksum (RFC 1071) of the data
     * range, frame fields are zero.
     */
    public static final int CHECKSUM_STORE_COPY = 4;
    /**
     * Not a frame: bytes a copying store (the LevelDB-style comparison mode) copied into a buffer of
     * its own, with the CRC32C (Castagnoli) of the data range in link word 3 (low 32 bits); frame
     * fields are zero.
     */
    public static final int CHECKSUM_STORE_CRC32C = 5;

    /** Flag bit: this record is a clone sharing its buffer with another record. */
    public static final int FLAG_CLONE = 1;
    /** Flag bit: the segment carried FIN. */
    public static final int FLAG_FIN = 1 << 1;
    /** Flag bit: the segment carried PSH. */
    public static final int FLAG_PSH = 1 << 2;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int index = NO_RECORD;

    /**
     * Points this flyweight at a record of the arena.
     *
     * @param arena the arena holding the record table.
     * @param recordIndex the record index (allocated or not: wrapping reads nothing).
     * @return this.
     */
    public PacketRecord wrap(final Arena arena, final int recordIndex)
    {
        buffer.wrap(arena.recordAddress(recordIndex), SIZE);
        index = recordIndex;
        return this;
    }

    /** @return the index of the wrapped record, {@link #NO_RECORD} before the first wrap. */
    public int index()
    {
        return index;
    }

    /** @return the address of the wrapped record's first byte. */
    public long address()
    {
        return buffer.addressOffset();
    }

    /**
     * Zeroes the whole record (metadata and link words) and sets {@code next} to none.
     *
     * @return this.
     */
    public PacketRecord clear()
    {
        buffer.setMemory(0, SIZE, (byte)0);
        buffer.putInt(NEXT_OFFSET, NO_RECORD, ORDER);
        return this;
    }

    /** @return the payload buffer index. */
    public int bufferIndex()
    {
        return buffer.getInt(BUFFER_INDEX_OFFSET, ORDER);
    }

    /**
     * @param v payload buffer index.
     * @return this.
     */
    public PacketRecord bufferIndex(final int v)
    {
        buffer.putInt(BUFFER_INDEX_OFFSET, v, ORDER);
        return this;
    }

    /** @return the next record of the chain, {@link #NO_RECORD} if none. */
    public int next()
    {
        return buffer.getInt(NEXT_OFFSET, ORDER);
    }

    /**
     * @param v next record index or {@link #NO_RECORD}.
     * @return this.
     */
    public PacketRecord next(final int v)
    {
        buffer.putInt(NEXT_OFFSET, v, ORDER);
        return this;
    }

    /** @return the receive timestamp in ns. */
    public long timestampNs()
    {
        return buffer.getLong(TIMESTAMP_OFFSET, ORDER);
    }

    /**
     * @param v receive timestamp in ns.
     * @return this.
     */
    public PacketRecord timestampNs(final long v)
    {
        buffer.putLong(TIMESTAMP_OFFSET, v, ORDER);
        return this;
    }

    /** @return the sequence number of the first payload byte. */
    public int tcpSeq()
    {
        return buffer.getInt(TCP_SEQ_OFFSET, ORDER);
    }

    /**
     * @param v sequence number of the first payload byte.
     * @return this.
     */
    public PacketRecord tcpSeq(final int v)
    {
        buffer.putInt(TCP_SEQ_OFFSET, v, ORDER);
        return this;
    }

    /** @return frame bytes in the buffer, 0..65535. */
    public int frameLength()
    {
        return buffer.getShort(FRAME_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * @param v frame bytes, 0..65535.
     * @return this.
     */
    public PacketRecord frameLength(final int v)
    {
        buffer.putShort(FRAME_LENGTH_OFFSET, (short)checkU16("frameLength", v), ORDER);
        return this;
    }

    /** @return offset of the first payload byte this record covers within the buffer. */
    public int dataOffset()
    {
        return buffer.getShort(DATA_OFFSET_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * @param v offset of the first payload byte, 0..65535.
     * @return this.
     */
    public PacketRecord dataOffset(final int v)
    {
        buffer.putShort(DATA_OFFSET_OFFSET, (short)checkU16("dataOffset", v), ORDER);
        return this;
    }

    /** @return payload bytes this record covers. */
    public int dataLength()
    {
        return buffer.getShort(DATA_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * @param v payload bytes, 0..65535.
     * @return this.
     */
    public PacketRecord dataLength(final int v)
    {
        buffer.putShort(DATA_LENGTH_OFFSET, (short)checkU16("dataLength", v), ORDER);
        return this;
    }

    /** @return the TCP checksum field value (as a big-endian header value, 0..65535). */
    public int tcpChecksum()
    {
        return buffer.getShort(TCP_CHECKSUM_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * @param v the TCP checksum field value, 0..65535.
     * @return this.
     */
    public PacketRecord tcpChecksum(final int v)
    {
        buffer.putShort(TCP_CHECKSUM_OFFSET, (short)checkU16("tcpChecksum", v), ORDER);
        return this;
    }

    /** @return offset of the IPv4 header in the buffer. */
    public int l3Offset()
    {
        return buffer.getByte(L3_OFFSET_OFFSET) & 0xFF;
    }

    /**
     * @param v IPv4 header offset, 0..255.
     * @return this.
     */
    public PacketRecord l3Offset(final int v)
    {
        buffer.putByte(L3_OFFSET_OFFSET, (byte)checkU8("l3Offset", v));
        return this;
    }

    /** @return offset of the TCP header in the buffer. */
    public int l4Offset()
    {
        return buffer.getByte(L4_OFFSET_OFFSET) & 0xFF;
    }

    /**
     * @param v TCP header offset, 0..255.
     * @return this.
     */
    public PacketRecord l4Offset(final int v)
    {
        buffer.putByte(L4_OFFSET_OFFSET, (byte)checkU8("l4Offset", v));
        return this;
    }

    /** @return one of the {@code CHECKSUM_*} constants. */
    public int checksumState()
    {
        return buffer.getByte(CHECKSUM_STATE_OFFSET) & 0xFF;
    }

    /**
     * @param v one of the {@code CHECKSUM_*} constants.
     * @return this.
     */
    public PacketRecord checksumState(final int v)
    {
        if (v < CHECKSUM_NONE || v > CHECKSUM_STORE_CRC32C)
        {
            throw new IllegalArgumentException("checksumState must be 0..5, was " + v);
        }
        buffer.putByte(CHECKSUM_STATE_OFFSET, (byte)v);
        return this;
    }

    /** @return the flags byte. */
    public int flags()
    {
        return buffer.getByte(FLAGS_OFFSET) & 0xFF;
    }

    /**
     * @param v the flags byte ({@code FLAG_*} bits).
     * @return this.
     */
    public PacketRecord flags(final int v)
    {
        buffer.putByte(FLAGS_OFFSET, (byte)checkU8("flags", v));
        return this;
    }

    /**
     * @param flag a {@code FLAG_*} bit.
     * @return true if it is set.
     */
    public boolean hasFlag(final int flag)
    {
        return (flags() & flag) != 0;
    }

    /**
     * @param i link word 0..3.
     * @return the link word's value.
     */
    public long linkWord(final int i)
    {
        return buffer.getLong(linkWordOffset(i), ORDER);
    }

    /**
     * @param i link word 0..3.
     * @param v the value to store (an aligned 8-byte store: the KV's commit point).
     * @return this.
     */
    public PacketRecord linkWord(final int i, final long v)
    {
        buffer.putLong(linkWordOffset(i), v, ORDER);
        return this;
    }

    /**
     * @param arena the arena holding this record's buffer.
     * @return the address of the first payload byte of this record in {@code arena}'s buffer.
     */
    public long dataAddress(final Arena arena)
    {
        return arena.bufferAddress(bufferIndex()) + dataOffset();
    }

    /**
     * Copies the metadata (bytes 0..31, not the link words) of another record into this one.
     *
     * @param source the record to copy from.
     * @return this.
     */
    public PacketRecord copyMetadataFrom(final PacketRecord source)
    {
        buffer.putBytes(0, source.buffer, 0, METADATA_LENGTH);
        return this;
    }

    @Override
    public String toString()
    {
        return "PacketRecord{index=" + index + ", buffer=" + bufferIndex() + ", next=" + next() +
            ", seq=" + Integer.toUnsignedString(tcpSeq()) + ", frameLength=" + frameLength() +
            ", data=" + dataOffset() + "+" + dataLength() + ", checksumState=" + checksumState() +
            ", flags=0x" + Integer.toHexString(flags()) + "}";
    }

    private static int linkWordOffset(final int i)
    {
        if (i < 0 || i >= LINK_WORD_COUNT)
        {
            throw new IndexOutOfBoundsException("link word must be 0..3, was " + i);
        }
        return LINK_WORDS_OFFSET + 8 * i;
    }

    private static int checkU16(final String field, final int v)
    {
        if ((v & ~0xFFFF) != 0)
        {
            throw new IllegalArgumentException(field + " must be 0..65535, was " + v);
        }
        return v;
    }

    private static int checkU8(final String field, final int v)
    {
        if ((v & ~0xFF) != 0)
        {
            throw new IllegalArgumentException(field + " must be 0..255, was " + v);
        }
        return v;
    }
}
