package io.pktstore.kv.bytes;

import org.agrona.UnsafeApi;

/**
 * The key order of the store: bytewise unsigned lexicographic, a shorter key before every longer key
 * it is a prefix of (as LevelDB's bytewise comparator and Redis's sorted-set lex ranges). Compares
 * eight bytes at a time (big-endian so the first differing byte decides). Keys are contiguous byte
 * ranges in memory: an index node's key always is (see {@code NodeLayout}).
 *
 * <p>Static, allocation-free.
 */
public final class ByteOrdering
{
    private ByteOrdering()
    {
    }

    /**
     * @return negative, zero or positive as key a sorts before, equal to or after key b.
     */
    public static int compare(final long a, final int aLength, final long b, final int bLength)
    {
        final int common = Math.min(aLength, bLength);
        int i = 0;
        for (; i + Long.BYTES <= common; i += Long.BYTES)
        {
            final long x = UnsafeApi.getLong(a + i);
            if (x != UnsafeApi.getLong(b + i))
            {
                return Long.compareUnsigned(Long.reverseBytes(x), Long.reverseBytes(UnsafeApi.getLong(b + i)));
            }
        }
        for (; i < common; i++)
        {
            final int x = UnsafeApi.getByte(a + i) & 0xFF;
            final int y = UnsafeApi.getByte(b + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return Integer.compare(aLength, bLength);
    }

    /** @return true if the two ranges hold the same bytes. */
    public static boolean equal(final long a, final int aLength, final long b, final int bLength)
    {
        return aLength == bLength && compare(a, aLength, b, bLength) == 0;
    }
}
