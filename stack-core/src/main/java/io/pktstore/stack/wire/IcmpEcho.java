package io.pktstore.stack.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an ICMP message, with the echo request/reply fields (RFC 792).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |     Type      |     Code      |          Checksum             |  0 TYPE_OFFSET, 1 CODE_OFFSET, 2 CHECKSUM_OFFSET
 * +---------------+---------------+-------------------------------+
 * |           Identifier          |        Sequence Number        |  4 IDENTIFIER_OFFSET, 6 SEQUENCE_OFFSET (echo only)
 * +-------------------------------+-------------------------------+
 * |     Data ...                                                     8 DATA_OFFSET
 * +-------------------------------
 * </pre>
 * The checksum covers the whole ICMP message (header and data).
 */
public final class IcmpEcho
{
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the code. */
    public static final int CODE_OFFSET = 1;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 2;
    /** Offset of the echo identifier. */
    public static final int IDENTIFIER_OFFSET = 4;
    /** Offset of the echo sequence number. */
    public static final int SEQUENCE_OFFSET = 6;
    /** Offset of the echo data; also the header length. */
    public static final int DATA_OFFSET = 8;
    /** Header length. */
    public static final int HEADER_LENGTH = DATA_OFFSET;

    /** Type echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type echo request. */
    public static final int TYPE_ECHO_REQUEST = 8;

    /** {@link #wrapChecked} result: valid. */
    public static final int OK = 0;
    /** Fewer than 8 bytes. */
    public static final int TRUNCATED = 1;
    /** The checksum over the message does not verify. */
    public static final int BAD_CHECKSUM = 2;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * Wraps and validates an untrusted ICMP message.
     *
     * @param address first byte of the ICMP header.
     * @param length message length (from the IPv4 total length).
     * @return {@link #OK}, {@link #TRUNCATED} or {@link #BAD_CHECKSUM}.
     */
    public int wrapChecked(final long address, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        buffer.wrap(address, length);
        return InternetChecksum.verifies(InternetChecksum.sum(address, length, 0)) ? OK : BAD_CHECKSUM;
    }

    /**
     * Wraps a message we write.
     *
     * @param address first byte.
     * @param length message length, at least 8.
     * @return this.
     */
    public IcmpEcho wrap(final long address, final int length)
    {
        buffer.wrap(address, length);
        return this;
    }

    /** @return the message length wrapped. */
    public int length()
    {
        return buffer.capacity();
    }

    /** @return the type. */
    public int type()
    {
        return buffer.getByte(TYPE_OFFSET) & 0xFF;
    }

    /**
     * @param v the type.
     * @return this.
     */
    public IcmpEcho type(final int v)
    {
        buffer.putByte(TYPE_OFFSET, (byte)v);
        return this;
    }

    /** @return the code. */
    public int code()
    {
        return buffer.getByte(CODE_OFFSET) & 0xFF;
    }

    /**
     * @param v the code.
     * @return this.
     */
    public IcmpEcho code(final int v)
    {
        buffer.putByte(CODE_OFFSET, (byte)v);
        return this;
    }

    /** @return the checksum field. */
    public int checksum()
    {
        return buffer.getShort(CHECKSUM_OFFSET, BE) & 0xFFFF;
    }

    /** @return the echo identifier. */
    public int identifier()
    {
        return buffer.getShort(IDENTIFIER_OFFSET, BE) & 0xFFFF;
    }

    /**
     * @param v the echo identifier.
     * @return this.
     */
    public IcmpEcho identifier(final int v)
    {
        buffer.putShort(IDENTIFIER_OFFSET, (short)v, BE);
        return this;
    }

    /** @return the echo sequence number. */
    public int sequence()
    {
        return buffer.getShort(SEQUENCE_OFFSET, BE) & 0xFFFF;
    }

    /**
     * @param v the echo sequence number.
     * @return this.
     */
    public IcmpEcho sequence(final int v)
    {
        buffer.putShort(SEQUENCE_OFFSET, (short)v, BE);
        return this;
    }

    /**
     * Recomputes the checksum over the whole wrapped message.
     *
     * @return this.
     */
    public IcmpEcho updateChecksum()
    {
        buffer.putShort(CHECKSUM_OFFSET, (short)0, BE);
        buffer.putShort(CHECKSUM_OFFSET, InternetChecksum.fold(InternetChecksum.sum(buffer.addressOffset(), buffer.capacity(), 0)), BE);
        return this;
    }
}
