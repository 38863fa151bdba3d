package io.pktstore.stack.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an ARP packet for Ethernet/IPv4 (RFC 826); other hardware or protocol types are
 * refused by {@link #wrapChecked}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |    Hardware type (1)          |    Protocol type (0x0800)     |  0 HTYPE_OFFSET, 2 PTYPE_OFFSET
 * +---------------+---------------+-------------------------------+
 * |  HLEN (6)     |  PLEN (4)     |  Operation (1 req, 2 reply)   |  4 HLEN_OFFSET, 5 PLEN_OFFSET, 6 OPERATION_OFFSET
 * +---------------+---------------+-------------------------------+
 * |              Sender hardware address (6 bytes)                |  8 SENDER_MAC_OFFSET
 * +                               +-------------------------------+
 * |                               | Sender protocol address (4)   | 14 SENDER_IP_OFFSET
 * +-------------------------------+-------------------------------+
 * |                               | Target hardware address (6)   | 18 TARGET_MAC_OFFSET
 * +-------------------------------+                               +
 * |                                                               |
 * +---------------------------------------------------------------+
 * |              Target protocol address (4 bytes)                | 24 TARGET_IP_OFFSET
 * +---------------------------------------------------------------+   28 LENGTH
 * </pre>
 */
public final class ArpPacket
{
    /** Offset of the hardware type. */
    public static final int HTYPE_OFFSET = 0;
    /** Offset of the protocol type. */
    public static final int PTYPE_OFFSET = 2;
    /** Offset of the hardware address length. */
    public static final int HLEN_OFFSET = 4;
    /** Offset of the protocol address length. */
    public static final int PLEN_OFFSET = 5;
    /** Offset of the operation. */
    public static final int OPERATION_OFFSET = 6;
    /** Offset of the sender MAC. */
    public static final int SENDER_MAC_OFFSET = 8;
    /** Offset of the sender IPv4 address. */
    public static final int SENDER_IP_OFFSET = 14;
    /** Offset of the target MAC. */
    public static final int TARGET_MAC_OFFSET = 18;
    /** Offset of the target IPv4 address. */
    public static final int TARGET_IP_OFFSET = 24;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** Hardware type Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** Operation: request. */
    public static final int OP_REQUEST = 1;
    /** Operation: reply. */
    public static final int OP_REPLY = 2;

    /** {@link #wrapChecked} result: usable. */
    public static final int OK = 0;
    /** {@link #wrapChecked} result: fewer than 28 bytes. */
    public static final int TRUNCATED = 1;
    /** {@link #wrapChecked} result: not Ethernet/IPv4 (htype, ptype, hlen or plen). */
    public static final int UNSUPPORTED = 2;
    /** {@link #wrapChecked} result: operation neither request nor reply. */
    public static final int BAD_OPERATION = 3;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * Wraps untrusted bytes and checks them; accessors are safe only after {@link #OK}.
     *
     * @param address first byte of the ARP packet.
     * @param length bytes available.
     * @return {@link #OK}, {@link #TRUNCATED}, {@link #UNSUPPORTED} or {@link #BAD_OPERATION}.
     */
    public int wrapChecked(final long address, final int length)
    {
        if (length < LENGTH)
        {
            return TRUNCATED;
        }
        buffer.wrap(address, LENGTH);
        if ((buffer.getShort(HTYPE_OFFSET, BE) & 0xFFFF) != HTYPE_ETHERNET ||
            (buffer.getShort(PTYPE_OFFSET, BE) & 0xFFFF) != EthernetFrame.TYPE_IPV4 ||
            buffer.getByte(HLEN_OFFSET) != 6 || buffer.getByte(PLEN_OFFSET) != 4)
        {
            return UNSUPPORTED;
        }
        final int op = operation();
        return op == OP_REQUEST || op == OP_REPLY ? OK : BAD_OPERATION;
    }

    /**
     * Wraps memory to build an Ethernet/IPv4 ARP packet in, writing the fixed fields.
     *
     * @param address first byte (28 bytes must be writable).
     * @param operation {@link #OP_REQUEST} or {@link #OP_REPLY}.
     * @return this.
     */
    public ArpPacket wrapForWrite(final long address, final int operation)
    {
        buffer.wrap(address, LENGTH);
        buffer.putShort(HTYPE_OFFSET, (short)HTYPE_ETHERNET, BE);
        buffer.putShort(PTYPE_OFFSET, (short)EthernetFrame.TYPE_IPV4, BE);
        buffer.putByte(HLEN_OFFSET, (byte)6);
        buffer.putByte(PLEN_OFFSET, (byte)4);
        buffer.putShort(OPERATION_OFFSET, (short)operation, BE);
        return this;
    }

    /** @return the operation. */
    public int operation()
    {
        return buffer.getShort(OPERATION_OFFSET, BE) & 0xFFFF;
    }

    /** @return the sender MAC. */
    public long senderMac()
    {
        return EthernetFrame.readMac(buffer, SENDER_MAC_OFFSET);
    }

    /** @return the sender IPv4 address. */
    public int senderIp()
    {
        return buffer.getInt(SENDER_IP_OFFSET, BE);
    }

    /** @return the target MAC. */
    public long targetMac()
    {
        return EthernetFrame.readMac(buffer, TARGET_MAC_OFFSET);
    }

    /** @return the target IPv4 address. */
    public int targetIp()
    {
        return buffer.getInt(TARGET_IP_OFFSET, BE);
    }

    /**
     * @param mac sender MAC.
     * @return this.
     */
    public ArpPacket senderMac(final long mac)
    {
        EthernetFrame.writeMac(buffer, SENDER_MAC_OFFSET, mac);
        return this;
    }

    /**
     * @param ip sender IPv4 address.
     * @return this.
     */
    public ArpPacket senderIp(final int ip)
    {
        buffer.putInt(SENDER_IP_OFFSET, ip, BE);
        return this;
    }

    /**
     * @param mac target MAC.
     * @return this.
     */
    public ArpPacket targetMac(final long mac)
    {
        EthernetFrame.writeMac(buffer, TARGET_MAC_OFFSET, mac);
        return this;
    }

    /**
     * @param ip target IPv4 address.
     * @return this.
     */
    public ArpPacket targetIp(final int ip)
    {
        buffer.putInt(TARGET_IP_OFFSET, ip, BE);
        return this;
    }
}
