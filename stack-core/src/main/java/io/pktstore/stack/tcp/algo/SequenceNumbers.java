package io.pktstore.stack.tcp.algo;

/**
 * Modular 32-bit TCP sequence-number arithmetic (RFC 9293 section 3.4, RFC 1982 style).
 * <p>
 * Sequence numbers live in a circle of 2^32; {@code a < b} means "b is reached from a by moving
 * forward less than 2^31". Comparisons are therefore the sign of the 32-bit difference
 * {@code a - b}, which is well defined only for numbers less than 2^31 apart (TCP windows are at
 * most 2^30 bytes, RFC 7323 section 2.3, so this always holds for data in flight).
 * Every method is static, pure and allocation-free.
 */
public final class SequenceNumbers
{
    private SequenceNumbers()
    {
    }

    /**
     * @param a a sequence number.
     * @param b another, less than 2^31 away.
     * @return true if {@code a} precedes {@code b} modulo 2^32.
     */
    public static boolean lt(final int a, final int b)
    {
        return (a - b) < 0;
    }

    /**
     * @param a a sequence number.
     * @param b another, less than 2^31 away.
     * @return true if {@code a} precedes or equals {@code b} modulo 2^32.
     */
    public static boolean le(final int a, final int b)
    {
        return (a - b) <= 0;
    }

    /**
     * @param a a sequence number.
     * @param b another, less than 2^31 away.
     * @return true if {@code a} follows {@code b} modulo 2^32.
     */
    public static boolean gt(final int a, final int b)
    {
        return (a - b) > 0;
    }

    /**
     * @param a a sequence number.
     * @param b another, less than 2^31 away.
     * @return true if {@code a} follows or equals {@code b} modulo 2^32.
     */
    public static boolean ge(final int a, final int b)
    {
        return (a - b) >= 0;
    }

    /**
     * @param a a sequence number.
     * @param b another, less than 2^31 away.
     * @return the later of the two modulo 2^32.
     */
    public static int max(final int a, final int b)
    {
        return gt(a, b) ? a : b;
    }

    /**
     * @param a a sequence number.
     * @param b another, less than 2^31 away.
     * @return the earlier of the two modulo 2^32.
     */
    public static int min(final int a, final int b)
    {
        return lt(a, b) ? a : b;
    }

    /**
     * Whether {@code seq} lies in the half-open window {@code [start, start + length)}, the
     * acceptability test of RFC 9293 section 3.10.7.4 ({@code RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND}).
     *
     * @param seq    the sequence number tested.
     * @param start  the first sequence number of the window.
     * @param length the window length in sequence numbers, 0 .. 2^31 - 1 (treated as unsigned);
     *               a zero-length window contains nothing.
     * @return true if {@code start <= seq < start + length} modulo 2^32.
     */
    public static boolean inWindow(final int seq, final int start, final int length)
    {
        // Unsigned distance from the window start; anything "before" start wraps to a huge value.
        return Integer.compareUnsigned(seq - start, length) < 0;
    }

    /**
     * Forward distance from {@code from} to {@code to}, as a signed int: positive when {@code to}
     * follows {@code from}.
     *
     * @param from the earlier sequence number.
     * @param to   the later sequence number.
     * @return {@code to - from} modulo 2^32, interpreted as signed.
     */
    public static int distance(final int from, final int to)
    {
        return to - from;
    }
}
