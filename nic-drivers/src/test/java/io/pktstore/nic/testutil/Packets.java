package io.pktstore.nic.testutil;

/**
 * Builds and checks the few Ethernet/IPv4/UDP/TCP frames the driver tests use. Offsets for an
 * untagged IPv4 frame without IP options:
 * <pre>
 *   0      6      12   14                  26     30     34     36     38     40     42
 *   +------+------+----+-------------------+------+------+------+------+------+------+----
 *   | dst  | src  |type| ver..ttl,proto,sum| src  | dst  |sport |dport | len  | csum | data
 *   +------+------+----+-------------------+------+------+------+------+------+------+----
 *                       IPv4 header (20)                  UDP header (8)
 * </pre>
 */
public final class Packets
{
    /** Ethernet header length. */
    public static final int ETH = 14;
    /** IPv4 protocol number of UDP. */
    public static final int PROTO_UDP = 17;
    /** IPv4 protocol number of TCP. */
    public static final int PROTO_TCP = 6;

    private Packets()
    {
    }

    /** @param mac "aa:bb:cc:dd:ee:ff". @return 6 bytes. */
    public static byte[] mac(final String mac)
    {
        final String[] p = mac.split(":");
        final byte[] b = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            b[i] = (byte)Integer.parseInt(p[i], 16);
        }
        return b;
    }

    /** @param ip dotted IPv4. @return 4 bytes. */
    public static byte[] ip(final String ip)
    {
        final String[] p = ip.split("\\.");
        final byte[] b = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            b[i] = (byte)Integer.parseInt(p[i]);
        }
        return b;
    }

    /** @return the 16-bit big-endian value at offset. */
    public static int u16(final byte[] b, final int off)
    {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static void put16(final byte[] b, final int off, final int v)
    {
        b[off] = (byte)(v >>> 8);
        b[off + 1] = (byte)v;
    }

    /** One's complement sum of b[off, off+len) added to {@code initial}, not folded or inverted. */
    public static long sum(final byte[] b, final int off, final int len, final long initial)
    {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2)
        {
            s += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0)
        {
            s += (b[off + len - 1] & 0xFF) << 8;
        }
        return s;
    }

    /** @return the folded 16-bit one's complement of a running sum. */
    public static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    /** @return the IPv4 pseudo-header sum for a transport segment of {@code length} bytes. */
    public static long pseudoHeaderSum(final byte[] frame, final int protocol, final int length)
    {
        long s = sum(frame, ETH + 12, 8, 0); // src + dst addresses
        s += protocol;
        s += length;
        return s;
    }

    /**
     * @param frame an Ethernet/IPv4 frame with a TCP or UDP segment.
     * @return true if the transport checksum verifies (UDP checksum 0 means "none" and counts as valid).
     */
    public static boolean transportChecksumValid(final byte[] frame)
    {
        final int ihl = (frame[ETH] & 0x0F) * 4;
        final int total = u16(frame, ETH + 2);
        final int protocol = frame[ETH + 9] & 0xFF;
        final int l4 = ETH + ihl;
        final int l4len = total - ihl;
        if (protocol == PROTO_UDP && u16(frame, l4 + 6) == 0)
        {
            return true;
        }
        return fold(sum(frame, l4, l4len, pseudoHeaderSum(frame, protocol, l4len))) == 0xFFFF;
    }

    /**
     * @param frame a CHECKSUM_PARTIAL frame.
     * @return true if the transport checksum field holds exactly the folded pseudo-header sum
     *         (what Linux leaves for the device to complete).
     */
    public static boolean holdsPseudoHeaderSum(final byte[] frame, final int csumFieldOffset)
    {
        final int ihl = (frame[ETH] & 0x0F) * 4;
        final int total = u16(frame, ETH + 2);
        final int protocol = frame[ETH + 9] & 0xFF;
        return u16(frame, csumFieldOffset) == fold(pseudoHeaderSum(frame, protocol, total - ihl));
    }

    /** @return the IPv4 header checksum verifies. */
    public static boolean ipChecksumValid(final byte[] frame)
    {
        final int ihl = (frame[ETH] & 0x0F) * 4;
        return fold(sum(frame, ETH, ihl, 0)) == 0xFFFF;
    }

    /**
     * Builds an Ethernet/IPv4/UDP frame with correct IP and UDP checksums.
     */
    public static byte[] udp(
        final String dstMac, final String srcMac, final String srcIp, final String dstIp, final int srcPort,
        final int dstPort, final byte[] payload)
    {
        final int udpLen = 8 + payload.length;
        final byte[] f = new byte[ETH + 20 + udpLen];
        System.arraycopy(mac(dstMac), 0, f, 0, 6);
        System.arraycopy(mac(srcMac), 0, f, 6, 6);
        put16(f, 12, 0x0800);
        f[ETH] = 0x45;
        put16(f, ETH + 2, 20 + udpLen);
        put16(f, ETH + 4, 0x1234);
        put16(f, ETH + 6, 0x4000); // DF
        f[ETH + 8] = 64;
        f[ETH + 9] = PROTO_UDP;
        System.arraycopy(ip(srcIp), 0, f, ETH + 12, 4);
        System.arraycopy(ip(dstIp), 0, f, ETH + 16, 4);
        put16(f, ETH + 10, ~fold(sum(f, ETH, 20, 0)) & 0xFFFF);
        final int l4 = ETH + 20;
        put16(f, l4, srcPort);
        put16(f, l4 + 2, dstPort);
        put16(f, l4 + 4, udpLen);
        System.arraycopy(payload, 0, f, l4 + 8, payload.length);
        int c = ~fold(sum(f, l4, udpLen, pseudoHeaderSum(f, PROTO_UDP, udpLen))) & 0xFFFF;
        put16(f, l4 + 6, c == 0 ? 0xFFFF : c);
        return f;
    }
}
