package io.pktstore.stack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds frames byte by byte for tests, independently of the stack's own flyweights (so a shared
 * mistake cannot make a test pass). Checksums here use a deliberately naive 16-bit loop.
 */
public final class TestFrames
{
    private TestFrames()
    {
    }

    /** Naive RFC 1071 sum over big-endian words, unfolded into a long. */
    public static long naiveSum(final byte[] data, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int hi = data[offset + i] & 0xFF;
            final int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        return sum;
    }

    /** Folds and complements a naive sum. */
    public static int naiveChecksum(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)(~s & 0xFFFF);
    }

    /** Writes a MAC big-endian. */
    public static void putMac(final ByteBuffer b, final int offset, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            b.put(offset + i, (byte)(mac >>> (40 - 8 * i)));
        }
    }

    /** Ethernet header + payload. */
    public static byte[] ethernet(final long dst, final long src, final int type, final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + payload.length).order(ByteOrder.BIG_ENDIAN);
        putMac(b, 0, dst);
        putMac(b, 6, src);
        b.putShort(12, (short)type);
        b.position(14);
        b.put(payload);
        return b.array();
    }

    /** An Ethernet/IPv4 ARP packet (28 bytes). */
    public static byte[] arp(final int op, final long senderMac, final int senderIp, final long targetMac, final int targetIp)
    {
        final ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.BIG_ENDIAN);
        b.putShort(0, (short)1).putShort(2, (short)0x0800).put(4, (byte)6).put(5, (byte)4).putShort(6, (short)op);
        putMac(b, 8, senderMac);
        b.putInt(14, senderIp);
        putMac(b, 18, targetMac);
        b.putInt(24, targetIp);
        return b.array();
    }

    /**
     * An IPv4 header (with optional options, correct checksum) + payload.
     *
     * @param options option bytes (multiple of 4) or empty.
     */
    public static byte[] ipv4(
        final int src, final int dst, final int protocol, final int ttl, final int flagsFrag, final byte[] options, final byte[] payload)
    {
        return ipv4(0x1234, src, dst, protocol, ttl, flagsFrag, options, payload);
    }

    /** As {@link #ipv4(int, int, int, int, int, byte[], byte[])} with an explicit identification. */
    public static byte[] ipv4(
        final int id, final int src, final int dst, final int protocol, final int ttl, final int flagsFrag, final byte[] options,
        final byte[] payload)
    {
        final int hl = 20 + options.length;
        final ByteBuffer b = ByteBuffer.allocate(hl + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put(0, (byte)(0x40 | (hl / 4))).putShort(2, (short)(hl + payload.length)).putShort(4, (short)id)
            .putShort(6, (short)flagsFrag).put(8, (byte)ttl).put(9, (byte)protocol).putInt(12, src).putInt(16, dst);
        b.position(20);
        b.put(options);
        b.put(payload);
        final byte[] a = b.array();
        final int c = naiveChecksum(naiveSum(a, 0, hl));
        a[10] = (byte)(c >>> 8);
        a[11] = (byte)c;
        return a;
    }

    /** An ICMP echo request or reply with a correct checksum. */
    public static byte[] icmpEcho(final int type, final int id, final int seq, final byte[] data)
    {
        final ByteBuffer b = ByteBuffer.allocate(8 + data.length).order(ByteOrder.BIG_ENDIAN);
        b.put(0, (byte)type).putShort(4, (short)id).putShort(6, (short)seq);
        b.position(8);
        b.put(data);
        final byte[] a = b.array();
        final int c = naiveChecksum(naiveSum(a, 0, a.length));
        a[2] = (byte)(c >>> 8);
        a[3] = (byte)c;
        return a;
    }

    /** Pads a frame with zeros to the 60-byte Ethernet minimum. */
    public static byte[] padded(final byte[] frame)
    {
        return frame.length >= 60 ? frame : java.util.Arrays.copyOf(frame, 60);
    }

    /** Concatenates byte arrays. */
    public static byte[] concat(final byte[]... parts)
    {
        int n = 0;
        for (final byte[] p : parts)
        {
            n += p.length;
        }
        final byte[] out = new byte[n];
        int at = 0;
        for (final byte[] p : parts)
        {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Pseudo-header sum for IPv4 (naive). */
    public static long pseudo(final int src, final int dst, final int protocol, final int length)
    {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length;
    }

    /** A minimal TCP segment (20-byte header, ACK flag) + data with a correct checksum. */
    public static byte[] tcp(final int src, final int dst, final int srcPort, final int dstPort, final int seq, final byte[] data)
    {
        final ByteBuffer b = ByteBuffer.allocate(20 + data.length).order(ByteOrder.BIG_ENDIAN);
        b.putShort(0, (short)srcPort).putShort(2, (short)dstPort).putInt(4, seq).putInt(8, 1)
            .put(12, (byte)0x50).put(13, (byte)0x10).putShort(14, (short)65535);
        b.position(20);
        b.put(data);
        final byte[] a = b.array();
        final int c = naiveChecksum(pseudo(src, dst, 6, a.length) + naiveSum(a, 0, a.length));
        a[16] = (byte)(c >>> 8);
        a[17] = (byte)c;
        return a;
    }
}
