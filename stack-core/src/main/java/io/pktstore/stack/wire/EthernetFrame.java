package io.pktstore.stack.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an Ethernet II frame (no 802.1Q tag; tagged frames show their TPID as the
 * EtherType and are dropped as unknown).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------------------------------------+
 * |                 Destination MAC (6 bytes)                   |  0 DESTINATION_OFFSET
 * +                               +-----------------------------+
 * |                               |                             |
 * +-------------------------------+                             +
 * |                   Source MAC (6 bytes)                      |  6 SOURCE_OFFSET
 * +-------------------------------+-----------------------------+
 * |           EtherType           |   payload ...                 12 ETHER_TYPE_OFFSET, 14 PAYLOAD_OFFSET
 * +-------------------------------+
 * </pre>
 *
 * <p>{@link #wrapChecked} is for untrusted input: it refuses a frame shorter than the header, after
 * which no accessor can read outside the frame. {@link #wrap} is for frames we build.
 */
public final class EthernetFrame
{
    /** Offset of the destination MAC. */
    public static final int DESTINATION_OFFSET = 0;
    /** Offset of the source MAC. */
    public static final int SOURCE_OFFSET = 6;
    /** Offset of the EtherType. */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Offset of the payload; also the header length. */
    public static final int PAYLOAD_OFFSET = 14;
    /** Header length in bytes. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;
    /** Minimum frame length without FCS; shorter frames we send are zero-padded to it. */
    public static final int MIN_FRAME_LENGTH = 60;
    /** EtherType IPv4. */
    public static final int TYPE_IPV4 = 0x0800;
    /** EtherType ARP. */
    public static final int TYPE_ARP = 0x0806;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * Wraps untrusted bytes.
     *
     * @param address first byte of the frame.
     * @param length bytes available.
     * @return false (and nothing wrapped) if the frame is shorter than the 14-byte header.
     */
    public boolean wrapChecked(final long address, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        buffer.wrap(address, length);
        return true;
    }

    /**
     * Wraps memory we write a header into.
     *
     * @param address first byte of the frame.
     * @param length bytes available, at least {@link #HEADER_LENGTH}.
     * @return this.
     */
    public EthernetFrame wrap(final long address, final int length)
    {
        buffer.wrap(address, length);
        return this;
    }

    /** @return the frame length wrapped. */
    public int length()
    {
        return buffer.capacity();
    }

    /** @return the destination MAC. */
    public long destination()
    {
        return readMac(buffer, DESTINATION_OFFSET);
    }

    /**
     * @param mac destination MAC.
     * @return this.
     */
    public EthernetFrame destination(final long mac)
    {
        writeMac(buffer, DESTINATION_OFFSET, mac);
        return this;
    }

    /** @return the source MAC. */
    public long source()
    {
        return readMac(buffer, SOURCE_OFFSET);
    }

    /**
     * @param mac source MAC.
     * @return this.
     */
    public EthernetFrame source(final long mac)
    {
        writeMac(buffer, SOURCE_OFFSET, mac);
        return this;
    }

    /** @return the EtherType. */
    public int etherType()
    {
        return buffer.getShort(ETHER_TYPE_OFFSET, BE) & 0xFFFF;
    }

    /**
     * @param type EtherType.
     * @return this.
     */
    public EthernetFrame etherType(final int type)
    {
        buffer.putShort(ETHER_TYPE_OFFSET, (short)type, BE);
        return this;
    }

    /**
     * Reads a 6-byte MAC (big-endian) from a buffer.
     *
     * @param buffer the buffer.
     * @param offset first octet.
     * @return the MAC as a long.
     */
    static long readMac(final UnsafeBuffer buffer, final int offset)
    {
        return ((buffer.getShort(offset, BE) & 0xFFFFL) << 32) | (buffer.getInt(offset + 2, BE) & 0xFFFF_FFFFL);
    }

    /**
     * Writes a 6-byte MAC (big-endian) into a buffer.
     *
     * @param buffer the buffer.
     * @param offset first octet.
     * @param mac the MAC as a long.
     */
    static void writeMac(final UnsafeBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), BE);
        buffer.putInt(offset + 2, (int)mac, BE);
    }
}
