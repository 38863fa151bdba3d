package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.wire.TcpOptions;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.ge;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.inWindow;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.le;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * The sender's SACK scoreboard (RFC 2018, used as RFC 6675 does for "pipe"): the sequence ranges above
 * SND.UNA the peer reported holding, kept sorted, disjoint and merged, in two fixed arrays.
 * <pre>
 *   SND.UNA        left[0]     right[0]   left[1]   right[1]          SND.MAX
 *   |   hole          |##########|  hole    |#########|      hole        |
 * </pre>
 * It lets the sender keep SACKed bytes out of its in-flight count ("pipe"), tells which holes count as
 * lost ({@link #lostBoundary}, RFC 6675 IsLost), and lets it skip SACKed bytes when it resends. At most
 * {@link #RANGES} ranges are kept (a 256 KiB window holds about 180 full segments; at 5% loss that is
 * some nine holes per window, bursts more); beyond that the highest are forgotten, which costs only a
 * needless retransmission. Single-threaded; allocates nothing.
 */
final class SackScoreboard
{
    /** Ranges kept. */
    static final int RANGES = 32;

    private final int[] left = new int[RANGES];
    private final int[] right = new int[RANGES];
    private int count;

    /** Forgets everything. */
    void clear()
    {
        count = 0;
    }

    /** @return true if no range is known. */
    boolean isEmpty()
    {
        return count == 0;
    }

    /** @return ranges known. */
    int count()
    {
        return count;
    }

    /** @param i 0..count()-1. @return first sequence number of range i. */
    int left(final int i)
    {
        return left[i];
    }

    /** @param i 0..count()-1. @return sequence number after range i. */
    int right(final int i)
    {
        return right[i];
    }

    /**
     * Adds the SACK blocks of a received segment.
     *
     * @param o      the segment's options.
     * @param una    SND.UNA after this segment's ACK: blocks at or below it are old (or D-SACK).
     * @param sndMax the highest sequence number sent: blocks beyond it are bogus.
     * @return bytes SACKed for the first time (new SACK information, RFC 6675's duplicate-ACK test).
     */
    int record(final TcpOptions o, final int una, final int sndMax)
    {
        final int before = bytes();
        for (int i = 0; i < o.sackBlockCount(); i++)
        {
            int l = o.sackLeft(i);
            final int r = o.sackRight(i);
            if (!lt(l, r) || le(r, una) || gt(r, sndMax))
            {
                continue;
            }
            if (lt(l, una))
            {
                l = una;
            }
            add(l, r);
        }
        // Ranges above the highest ones kept may be forgotten, so a block can also shrink the total.
        return Math.max(0, bytes() - before);
    }

    /** @return bytes in all ranges. */
    int bytes()
    {
        int total = 0;
        for (int i = 0; i < count; i++)
        {
            total += right[i] - left[i];
        }
        return total;
    }

    /** @return SACKed bytes in [{@code from}, {@code to}). */
    int bytesIn(final int from, final int to)
    {
        return bytesBelow(to) - bytesBelow(from);
    }

    /**
     * RFC 6675 IsLost as a boundary: a sequence number below the returned one, not SACKed, is lost, because
     * {@code dupThresh} separate ranges or more than (dupThresh - 1) * SMSS bytes were SACKed above it.
     * Unsacked bytes lie between ranges, so the boundary is the left edge of the highest range from which
     * the ranges above it (itself included) reach either limit.
     *
     * @param una  SND.UNA: the boundary is never below it.
     * @param smss the sender MSS.
     * @return the boundary, or {@code una} if nothing counts as lost.
     */
    int lostBoundary(final int una, final int dupThresh, final int smss)
    {
        final long bytesLimit = (long)(dupThresh - 1) * smss;
        long above = 0;
        for (int i = count - 1, ranges = 1; i >= 0; i--, ranges++)
        {
            above += right[i] - left[i];
            if (ranges >= dupThresh || above > bytesLimit)
            {
                return gt(left[i], una) ? left[i] : una;
            }
        }
        return una;
    }

    /** @return the right edge of the highest range that ends at or below {@code seq}, or {@code floor}. */
    int rightBelow(final int seq, final int floor)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            if (!gt(right[i], seq))
            {
                return gt(right[i], floor) ? right[i] : floor;
            }
        }
        return floor;
    }

    /** @return the end of the highest range if it reaches {@code sndMax}, i.e. where unSACKed data ends. */
    int unsackedEnd(final int sndMax)
    {
        return count > 0 && right[count - 1] == sndMax ? left[count - 1] : sndMax;
    }

    /** Adds [l, r), merging with overlapping or adjacent ranges. */
    void add(final int l, final int r)
    {
        int newLeft = l;
        int newRight = r;
        final int n = count;
        int i = 0;
        while (i < n && lt(right[i], newLeft))
        {
            i++;
        }
        final int write = i;
        while (i < n && le(left[i], newRight))
        {
            if (lt(left[i], newLeft))
            {
                newLeft = left[i];
            }
            if (gt(right[i], newRight))
            {
                newRight = right[i];
            }
            i++;
        }
        final int merged = i - write;
        final int tail = n - i;
        if (merged == 0)
        {
            if (n == RANGES)
            {
                if (write == RANGES)
                {
                    return;   // above every range and no room: forget it
                }
                System.arraycopy(left, write, left, write + 1, tail - 1);   // drop the highest range
                System.arraycopy(right, write, right, write + 1, tail - 1);
            }
            else
            {
                System.arraycopy(left, write, left, write + 1, tail);
                System.arraycopy(right, write, right, write + 1, tail);
                count = n + 1;
            }
        }
        else if (merged > 1)
        {
            System.arraycopy(left, i, left, write + 1, tail);
            System.arraycopy(right, i, right, write + 1, tail);
            count = n - merged + 1;
        }
        left[write] = newLeft;
        right[write] = newRight;
    }

    /** SND.UNA moved to {@code una}: drops ranges below it and trims one that straddles it. */
    void acknowledge(final int una)
    {
        int drop = 0;
        while (drop < count && le(right[drop], una))
        {
            drop++;
        }
        if (drop > 0)
        {
            System.arraycopy(left, drop, left, 0, count - drop);
            System.arraycopy(right, drop, right, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && lt(left[0], una))
        {
            left[0] = una;
        }
    }

    /** @return the end of the range containing {@code seq}, or {@code seq} if none does. */
    int skip(final int seq)
    {
        for (int i = 0; i < count; i++)
        {
            if (inWindow(seq, left[i], right[i] - left[i]))
            {
                return right[i];
            }
        }
        return seq;
    }

    /** @return the start of the first range after {@code seq}, capped at {@code sndMax}. */
    int nextStart(final int seq, final int sndMax)
    {
        for (int i = 0; i < count; i++)
        {
            if (gt(left[i], seq))
            {
                return lt(left[i], sndMax) ? left[i] : sndMax;
            }
        }
        return sndMax;
    }

    /** @return SACKed bytes below {@code seq}: not in the network any more. */
    int bytesBelow(final int seq)
    {
        int bytes = 0;
        for (int i = 0; i < count; i++)
        {
            if (ge(left[i], seq))
            {
                break;
            }
            bytes += (lt(right[i], seq) ? right[i] : seq) - left[i];
        }
        return bytes;
    }
}
