package io.pktstore.stack.tcp.algo;

import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * The packet-record fields TCP's out-of-order queue reads and trims, and its link words, at the
 * fixed offsets of the 64-byte packet record contract (little-endian):
 * <pre>
 *   0 int  bufferIndex    4 int next      8 long timestampNs
 *  16 int  tcpSeq        20 u16 frameLength  22 u16 dataOffset  24 u16 dataLength  26 u16 tcpChecksum
 *  28 u8 l3Offset  29 u8 l4Offset  30 u8 checksumState  31 u8 flags (bit0 CLONE, bit1 FIN, bit2 PSH)
 *  32 LINK_LEFT_OFFSET    long: left child record index, -1 = none        } owned by the out-of-order
 *  40 LINK_RIGHT_OFFSET   long: right child record index, -1 = none       } tree while the record
 *  48 LINK_PARENT_OFFSET  long: bits 0..31 parent index (-1 = none),      } is queued; zeroed when
 *                               bit 32 colour (1 = red)                   } it leaves the tree
 *  56 LINK_SPARE_OFFSET   long: unused by TCP, left 0                     }
 * </pre>
 * Package-private small named accessors over raw record addresses (the record table is off-heap
 * arena memory); kept separate so the tree code reads as a tree. Offsets come from
 * {@link PacketRecord}, the owner of the layout; raw addresses rather than a {@code PacketRecord}
 * flyweight because a tree walk touches many records per operation and must not re-wrap or need
 * the Arena (tests run it over a plain off-heap block).
 */
final class SegmentRecordFields
{
    static final int TCP_SEQ_OFFSET = PacketRecord.TCP_SEQ_OFFSET;
    static final int DATA_OFFSET_OFFSET = PacketRecord.DATA_OFFSET_OFFSET;
    static final int DATA_LENGTH_OFFSET = PacketRecord.DATA_LENGTH_OFFSET;
    static final int FLAGS_OFFSET = PacketRecord.FLAGS_OFFSET;
    static final int FLAG_FIN = PacketRecord.FLAG_FIN;
    static final int LINK_LEFT_OFFSET = PacketRecord.LINK_WORDS_OFFSET;
    static final int LINK_RIGHT_OFFSET = PacketRecord.LINK_WORDS_OFFSET + 8;
    static final int LINK_PARENT_OFFSET = PacketRecord.LINK_WORDS_OFFSET + 16;
    static final int LINK_SPARE_OFFSET = PacketRecord.LINK_WORDS_OFFSET + 24;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private SegmentRecordFields()
    {
    }

    static int getInt(final long address)
    {
        final int v = UnsafeApi.getInt(address);
        return NATIVE_LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static void putInt(final long address, final int value)
    {
        UnsafeApi.putInt(address, NATIVE_LITTLE_ENDIAN ? value : Integer.reverseBytes(value));
    }

    static int getU16(final long address)
    {
        final short v = UnsafeApi.getShort(address);
        return (NATIVE_LITTLE_ENDIAN ? v : Short.reverseBytes(v)) & 0xFFFF;
    }

    static void putU16(final long address, final int value)
    {
        final short v = (short)value;
        UnsafeApi.putShort(address, NATIVE_LITTLE_ENDIAN ? v : Short.reverseBytes(v));
    }

    static long getLong(final long address)
    {
        final long v = UnsafeApi.getLong(address);
        return NATIVE_LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    static void putLong(final long address, final long value)
    {
        UnsafeApi.putLong(address, NATIVE_LITTLE_ENDIAN ? value : Long.reverseBytes(value));
    }

    static int seq(final long record)
    {
        return getInt(record + TCP_SEQ_OFFSET);
    }

    static int dataLength(final long record)
    {
        return getU16(record + DATA_LENGTH_OFFSET);
    }

    static boolean fin(final long record)
    {
        return (UnsafeApi.getByte(record + FLAGS_OFFSET) & FLAG_FIN) != 0;
    }

    /** Sequence space of the segment: payload bytes plus one for FIN. */
    static int span(final long record)
    {
        return dataLength(record) + (fin(record) ? 1 : 0);
    }

    /** Drops the first {@code n} payload bytes (n <= dataLength) without touching the bytes themselves. */
    static void trimFront(final long record, final int n)
    {
        putInt(record + TCP_SEQ_OFFSET, seq(record) + n);
        putU16(record + DATA_OFFSET_OFFSET, getU16(record + DATA_OFFSET_OFFSET) + n);
        putU16(record + DATA_LENGTH_OFFSET, dataLength(record) - n);
    }

    /** Keeps only the first {@code keep} payload bytes and drops FIN (the bytes after them belong to another segment). */
    static void trimBackTo(final long record, final int keep)
    {
        putU16(record + DATA_LENGTH_OFFSET, keep);
        final byte flags = UnsafeApi.getByte(record + FLAGS_OFFSET);
        UnsafeApi.putByte(record + FLAGS_OFFSET, (byte)(flags & ~FLAG_FIN));
    }
}
