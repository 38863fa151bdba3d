package io.pktstore.stack.wire;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of the
 * data taken as big-endian 16-bit words, used by IPv4, ICMP, UDP and TCP.
 *
 * <h2>The accumulator</h2>
 * {@link #sum} and {@link #pseudoHeaderIpv4} return a running one's-complement sum (an {@code int}
 * in 0..0xFFFF, already folded, in network byte order) that can be passed as {@code initial} to the
 * next call; {@link #fold} turns it into the final checksum. A range is summed as if its first byte
 * were the high byte of a word, so every piece but the last one of a multi-piece sum must have an
 * even length: for pieces of any length use {@link #sumContinuing}.
 *
 * <h2>Speed</h2>
 * The sum reads 8 bytes at a time in the machine's (little-endian) order and adds the two 32-bit
 * halves into a 64-bit register, so carries are never lost and no per-word branch is taken; the
 * one's-complement sum is byte-order independent (RFC 1071 section 2(B)), so a single byte swap of
 * the folded 16-bit result converts it to network order. Reads may be unaligned (x86-64 and
 * AArch64 allow it).
 *
 * <p>Static, allocation-free, thread-safe.
 */
public final class InternetChecksum
{
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private InternetChecksum()
    {
    }

    /**
     * Adds {@code length} bytes of raw memory to a running sum.
     *
     * @param address first byte (the high byte of the first 16-bit word).
     * @param length bytes to sum, >= 0; an odd trailing byte is padded with a zero low byte.
     * @param initial running sum from a previous call or {@link #pseudoHeaderIpv4}, 0 to start.
     * @return the new running sum, 0..0xFFFF.
     */
    public static int sum(final long address, final int length, final int initial)
    {
        long acc = 0;
        long p = address;
        final long end8 = address + (length & ~7);
        while (p < end8)
        {
            final long v = UnsafeApi.getLong(p);
            acc += (v & 0xFFFF_FFFFL) + (v >>> 32);
            p += 8;
        }
        int rest = length & 7;
        if (rest >= 4)
        {
            acc += UnsafeApi.getInt(p) & 0xFFFF_FFFFL;
            p += 4;
            rest -= 4;
        }
        if (rest >= 2)
        {
            acc += UnsafeApi.getShort(p) & 0xFFFFL;
            p += 2;
            rest -= 2;
        }
        if (rest == 1)
        {
            // In memory order the odd byte is the first of a pair: the low byte of a native
            // little-endian word, i.e. the high byte of the big-endian word it belongs to.
            acc += NATIVE_LITTLE_ENDIAN ? (UnsafeApi.getByte(p) & 0xFFL) : (UnsafeApi.getByte(p) & 0xFFL) << 8;
        }
        return combine(initial, toNetworkOrder(fold64(acc)));
    }

    /**
     * Adds {@code length} bytes of a buffer (heap or direct) to a running sum.
     *
     * @param buf the buffer.
     * @param offset first byte within the buffer.
     * @param length bytes to sum, >= 0.
     * @param initial running sum, 0 to start.
     * @return the new running sum, 0..0xFFFF.
     */
    public static int sum(final DirectBuffer buf, final int offset, final int length, final int initial)
    {
        final byte[] array = buf.byteArray();
        if (array == null)
        {
            buf.boundsCheck(offset, length);
            return sum(buf.addressOffset() + offset, length, initial);
        }
        long acc = 0;
        int i = offset;
        final int end8 = offset + (length & ~7);
        while (i < end8)
        {
            final long v = buf.getLong(i, ByteOrder.BIG_ENDIAN);
            acc += (v & 0xFFFF_FFFFL) + (v >>> 32);
            i += 8;
        }
        final int end = offset + length;
        while (i + 1 < end)
        {
            acc += buf.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFFL;
            i += 2;
        }
        if (i < end)
        {
            acc += (buf.getByte(i) & 0xFFL) << 8;
        }
        return combine(initial, fold64(acc));
    }

    /**
     * Adds a piece that may follow an odd-length piece. A piece starting at an odd position of the
     * overall checksummed range has its bytes in the other halves of the words, so its own sum is
     * byte-swapped before it is added.
     *
     * @param address first byte of this piece.
     * @param length bytes in this piece.
     * @param initial running sum of the preceding pieces.
     * @param precedingBytes total length of the preceding pieces (only its parity matters).
     * @return the new running sum, 0..0xFFFF.
     */
    public static int sumContinuing(final long address, final int length, final int initial, final long precedingBytes)
    {
        final int own = sum(address, length, 0);
        return combine(initial, (precedingBytes & 1) == 0 ? own : swap16(own));
    }

    /**
     * The one's-complement sum of the IPv4 pseudo-header (RFC 9293 section 3.1): source and
     * destination address, zero, protocol and the transport length.
     *
     * @param srcIp source address as a host int (198.18.0.1 = 0xC6120001).
     * @param dstIp destination address as a host int.
     * @param protocol IP protocol number (6 TCP, 17 UDP).
     * @param l4Length transport header plus data in bytes.
     * @return the running sum to pass as {@code initial} to {@link #sum}.
     */
    public static int pseudoHeaderIpv4(final int srcIp, final int dstIp, final int protocol, final int l4Length)
    {
        final long acc = (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) +
            (protocol & 0xFF) + (l4Length & 0xFFFF);
        return fold64(acc);
    }

    /**
     * Finishes a running sum: folds it and takes the one's complement.
     *
     * @param sum a running sum (any non-negative int).
     * @return the checksum to write into a header, in host value (write it big-endian).
     */
    public static short fold(final int sum)
    {
        return (short)~fold64(sum & 0xFFFF_FFFFL);
    }

    /**
     * @param runningSum the sum over data that includes its own checksum field.
     * @return true if the data verifies: its one's-complement sum is all ones (0xFFFF).
     */
    public static boolean verifies(final int runningSum)
    {
        return fold64(runningSum & 0xFFFF_FFFFL) == 0xFFFF;
    }

    private static int combine(final int a, final int b)
    {
        return fold64((a & 0xFFFF_FFFFL) + b);
    }

    private static int fold64(final long acc)
    {
        long s = (acc & 0xFFFF_FFFFL) + (acc >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int)s;
    }

    private static int toNetworkOrder(final int folded)
    {
        return NATIVE_LITTLE_ENDIAN ? swap16(folded) : folded;
    }

    private static int swap16(final int v)
    {
        return ((v & 0xFF) << 8) | ((v >>> 8) & 0xFF);
    }
}
