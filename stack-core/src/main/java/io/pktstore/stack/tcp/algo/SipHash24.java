package io.pktstore.stack.tcp.algo;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit
 * pseudo-random function, here the F of RFC 6528 ISNs and the MAC of SYN cookies, as in Linux's
 * secure_tcp_seq and cookie_hash.
 * <p>
 * Key: 128 bits as two little-endian 64-bit words {@code k0} (key bytes 0..7) and {@code k1}
 * (bytes 8..15). Messages are processed in 8-byte little-endian words; the final word carries the
 * remaining 0..7 bytes and the message length (mod 256) in its top byte. Two compression rounds per
 * word, four finalization rounds. Static, allocation-free.
 */
public final class SipHash24
{
    private SipHash24()
    {
    }

    /**
     * SipHash-2-4 of {@code length} bytes of {@code buffer}.
     *
     * @param k0     key bytes 0..7, little-endian.
     * @param k1     key bytes 8..15, little-endian.
     * @param buffer message bytes.
     * @param offset first message byte.
     * @param length message length, >= 0.
     * @return the 64-bit tag (interpreted as little-endian bytes, as in the paper's vectors).
     */
    public static long hash(final long k0, final long k1, final DirectBuffer buffer, final int offset, final int length)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;

        final int fullWords = length >>> 3;
        for (int w = 0; w < fullWords; w++)
        {
            final long m = buffer.getLong(offset + (w << 3), ByteOrder.LITTLE_ENDIAN);
            v3 ^= m;
            // two SipRounds
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
        }
        long last = ((long)length & 0xFF) << 56;
        final int tail = offset + (fullWords << 3);
        for (int i = 0; i < (length & 7); i++)
        {
            last |= ((long)buffer.getByte(tail + i) & 0xFF) << (8 * i);
        }
        return finish(v0, v1, v2, v3, last);
    }

    /**
     * SipHash-2-4 of the 16-byte message whose little-endian words are {@code m0} and {@code m1};
     * equal to {@link #hash(long, long, DirectBuffer, int, int)} over those 16 bytes. The fast path
     * for 4-tuples.
     *
     * @param k0 key bytes 0..7.
     * @param k1 key bytes 8..15.
     * @param m0 message bytes 0..7 as a little-endian word.
     * @param m1 message bytes 8..15 as a little-endian word.
     * @return the 64-bit tag.
     */
    public static long hash16(final long k0, final long k1, final long m0, final long m1)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;

        v3 ^= m0;
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        v0 ^= m0;

        v3 ^= m1;
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        v0 ^= m1;

        return finish(v0, v1, v2, v3, 16L << 56);
    }

    /**
     * SipHash-2-4 of the 24-byte message whose little-endian words are {@code m0}, {@code m1},
     * {@code m2}; equal to {@link #hash(long, long, DirectBuffer, int, int)} over those 24 bytes.
     *
     * @param k0 key bytes 0..7.
     * @param k1 key bytes 8..15.
     * @param m0 message bytes 0..7.
     * @param m1 message bytes 8..15.
     * @param m2 message bytes 16..23.
     * @return the 64-bit tag.
     */
    public static long hash24(final long k0, final long k1, final long m0, final long m1, final long m2)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        for (int w = 0; w < 3; w++)
        {
            final long m = w == 0 ? m0 : w == 1 ? m1 : m2;
            v3 ^= m;
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
        }
        return finish(v0, v1, v2, v3, 24L << 56);
    }

    private static long finish(long v0, long v1, long v2, long v3, final long last)
    {
        v3 ^= last;
        for (int r = 0; r < 2; r++)
        {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++)
        {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
