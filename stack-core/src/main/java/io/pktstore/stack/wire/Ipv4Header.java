package io.pktstore.stack.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an IPv4 header (RFC 791).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------+-------+---------------+-------------------------------+
 * |Version|  IHL  |Type of Service|          Total Length         |  0 VERSION_IHL_OFFSET, 1 TOS_OFFSET, 2 TOTAL_LENGTH_OFFSET
 * +-------+-------+---------------+-----+-------------------------+
 * |         Identification        |Flags|      Fragment Offset    |  4 ID_OFFSET, 6 FLAGS_FRAGMENT_OFFSET
 * +---------------+---------------+-----+-------------------------+
 * |  Time to Live |    Protocol   |         Header Checksum       |  8 TTL_OFFSET, 9 PROTOCOL_OFFSET, 10 CHECKSUM_OFFSET
 * +---------------+---------------+-------------------------------+
 * |                       Source Address                          | 12 SOURCE_OFFSET
 * +---------------------------------------------------------------+
 * |                    Destination Address                        | 16 DESTINATION_OFFSET
 * +---------------------------------------------------------------+
 * |                    Options (IHL*4 - 20 bytes)                 | 20 OPTIONS_OFFSET (skipped, never parsed)
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@link #wrapChecked} validates untrusted input in the order a reader needs: length, version,
 * IHL, total length against the bytes present, header checksum. After {@link #OK} every accessor
 * reads inside the header and {@link #totalLength()} bytes are present.
 */
public final class Ipv4Header
{
    /** Offset of version (high nibble) and IHL (low nibble, in 32-bit words). */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the type of service / DSCP+ECN byte. */
    public static final int TOS_OFFSET = 1;
    /** Offset of the total length (header + payload). */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification. */
    public static final int ID_OFFSET = 4;
    /** Offset of flags (3 high bits) and fragment offset (13 bits, in 8-byte units). */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the TTL. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the header checksum. */
    public static final int CHECKSUM_OFFSET = 10;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 16;
    /** Offset of the options, if IHL &gt; 5. */
    public static final int OPTIONS_OFFSET = 20;
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;

    /** Flag bit (in the 16-bit flags/fragment word): don't fragment. */
    public static final int FLAG_DF = 0x4000;
    /** Flag bit: more fragments. */
    public static final int FLAG_MF = 0x2000;
    /** Mask of the fragment offset. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** Protocol number ICMP. */
    public static final int PROTOCOL_ICMP = 1;
    /** Protocol number TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** Protocol number UDP. */
    public static final int PROTOCOL_UDP = 17;

    /** {@link #wrapChecked} result: valid. */
    public static final int OK = 0;
    /** Fewer than 20 bytes. */
    public static final int TRUNCATED = 1;
    /** Version is not 4. */
    public static final int BAD_VERSION = 2;
    /** IHL below 5 or the header longer than the bytes present. */
    public static final int BAD_HEADER_LENGTH = 3;
    /** Total length below the header length or above the bytes present. */
    public static final int BAD_TOTAL_LENGTH = 4;
    /** The header checksum does not verify. */
    public static final int BAD_CHECKSUM = 5;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * Wraps and validates untrusted bytes.
     *
     * @param address first byte of the IPv4 header.
     * @param length bytes available from {@code address} to the end of the frame.
     * @return {@link #OK} or the first problem found.
     */
    public int wrapChecked(final long address, final int length)
    {
        if (length < MIN_HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        buffer.wrap(address, MIN_HEADER_LENGTH);
        final int versionIhl = buffer.getByte(VERSION_IHL_OFFSET) & 0xFF;
        if ((versionIhl >>> 4) != 4)
        {
            return BAD_VERSION;
        }
        final int headerLength = (versionIhl & 0xF) * 4;
        if (headerLength < MIN_HEADER_LENGTH || headerLength > length)
        {
            return BAD_HEADER_LENGTH;
        }
        final int total = buffer.getShort(TOTAL_LENGTH_OFFSET, BE) & 0xFFFF;
        if (total < headerLength || total > length)
        {
            return BAD_TOTAL_LENGTH;
        }
        buffer.wrap(address, headerLength);
        if (!InternetChecksum.verifies(InternetChecksum.sum(address, headerLength, 0)))
        {
            return BAD_CHECKSUM;
        }
        return OK;
    }

    /**
     * Wraps memory to build a header without options in.
     *
     * @param address first byte (20 bytes must be writable).
     * @return this.
     */
    public Ipv4Header wrapForWrite(final long address)
    {
        buffer.wrap(address, MIN_HEADER_LENGTH);
        return this;
    }

    /**
     * Writes a complete option-less header including its checksum.
     *
     * @param totalLength header + payload bytes.
     * @param id identification.
     * @param ttl time to live.
     * @param protocol protocol number.
     * @param srcIp source address.
     * @param dstIp destination address.
     * @return this.
     */
    public Ipv4Header write(
        final int totalLength, final int id, final int ttl, final int protocol, final int srcIp, final int dstIp)
    {
        buffer.putByte(VERSION_IHL_OFFSET, (byte)0x45);
        buffer.putByte(TOS_OFFSET, (byte)0);
        buffer.putShort(TOTAL_LENGTH_OFFSET, (short)totalLength, BE);
        buffer.putShort(ID_OFFSET, (short)id, BE);
        buffer.putShort(FLAGS_FRAGMENT_OFFSET, (short)FLAG_DF, BE);
        buffer.putByte(TTL_OFFSET, (byte)ttl);
        buffer.putByte(PROTOCOL_OFFSET, (byte)protocol);
        buffer.putShort(CHECKSUM_OFFSET, (short)0, BE);
        buffer.putInt(SOURCE_OFFSET, srcIp, BE);
        buffer.putInt(DESTINATION_OFFSET, dstIp, BE);
        buffer.putShort(CHECKSUM_OFFSET, InternetChecksum.fold(InternetChecksum.sum(buffer.addressOffset(), MIN_HEADER_LENGTH, 0)), BE);
        return this;
    }

    /** @return the header length in bytes (IHL * 4). */
    public int headerLength()
    {
        return (buffer.getByte(VERSION_IHL_OFFSET) & 0xF) * 4;
    }

    /** @return the total length (header + payload). */
    public int totalLength()
    {
        return buffer.getShort(TOTAL_LENGTH_OFFSET, BE) & 0xFFFF;
    }

    /** @return the identification. */
    public int id()
    {
        return buffer.getShort(ID_OFFSET, BE) & 0xFFFF;
    }

    /** @return the 16-bit flags/fragment-offset word. */
    public int flagsAndFragmentOffset()
    {
        return buffer.getShort(FLAGS_FRAGMENT_OFFSET, BE) & 0xFFFF;
    }

    /** @return true if this is a fragment: MF set or a non-zero fragment offset. */
    public boolean isFragment()
    {
        return (flagsAndFragmentOffset() & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** @return the TTL. */
    public int ttl()
    {
        return buffer.getByte(TTL_OFFSET) & 0xFF;
    }

    /** @return the protocol number. */
    public int protocol()
    {
        return buffer.getByte(PROTOCOL_OFFSET) & 0xFF;
    }

    /** @return the header checksum field. */
    public int checksum()
    {
        return buffer.getShort(CHECKSUM_OFFSET, BE) & 0xFFFF;
    }

    /** @return the source address. */
    public int source()
    {
        return buffer.getInt(SOURCE_OFFSET, BE);
    }

    /** @return the destination address. */
    public int destination()
    {
        return buffer.getInt(DESTINATION_OFFSET, BE);
    }
}
