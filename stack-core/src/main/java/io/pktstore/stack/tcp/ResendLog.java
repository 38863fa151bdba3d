package io.pktstore.stack.tcp;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * The retransmissions of the current loss episode, in the order they were sent, so a retransmission
 * that was lost again is found from the ACKs instead of the retransmission timer (the idea of RACK,
 * RFC 8985, with send order standing in for send time, and of Linux's former tcp_mark_lost_retrans).
 * A resend still missing is lost when
 * <ul>
 *   <li>a resend sent after it was delivered (cumulatively acknowledged or wholly SACKed), or</li>
 *   <li>data first sent after it was SACKed: the peer SACKed beyond {@code marker}, SND.MAX when it went.</li>
 * </ul>
 * (Reordering would make this wrong; a veth or a LAN does not reorder, and the cost of being wrong is one
 * extra segment.) Entries live in a ring of {@link #CAPACITY}; beyond it the oldest is forgotten, which
 * only leaves its loss to the timer. Single-threaded; allocates nothing.
 * <pre>
 *   entry i: [from, to) resent when SND.MAX was marker;  lost: found lost, not yet resent again
 *   oldest ................................................................ newest (send order)
 * </pre>
 */
final class ResendLog
{
    /** Retransmissions remembered per episode. */
    static final int CAPACITY = 64;

    private final int[] from = new int[CAPACITY];
    private final int[] to = new int[CAPACITY];
    private final int[] marker = new int[CAPACITY];
    private final boolean[] lost = new boolean[CAPACITY];
    private int start;
    private int count;

    /** Forgets every entry (a timeout starts over; a new connection). */
    void clear()
    {
        start = 0;
        count = 0;
    }

    /** @return entries remembered. */
    int count()
    {
        return count;
    }

    /** [f, t) was resent now, while SND.MAX was {@code sndMax}. */
    void add(final int f, final int t, final int sndMax)
    {
        if (count == CAPACITY)
        {
            start = (start + 1) % CAPACITY;
            count--;
        }
        final int i = (start + count) % CAPACITY;
        from[i] = f;
        to[i] = t;
        marker[i] = sndMax;
        lost[i] = false;
        count++;
    }

    /**
     * After an ACK: drops what was delivered and marks lost what the rules above say.
     *
     * @return resends newly found lost.
     */
    int detect(final int una, final SackScoreboard sacked)
    {
        final int highestSacked = sacked.isEmpty() ? una : sacked.right(sacked.count() - 1);
        int newestDelivered = -1;
        for (int k = 0; k < count; k++)
        {
            final int i = (start + k) % CAPACITY;
            if (delivered(i, una, sacked))
            {
                newestDelivered = k;
            }
        }
        int found = 0;
        int kept = 0;
        for (int k = 0; k < count; k++)
        {
            final int i = (start + k) % CAPACITY;
            if (delivered(i, una, sacked))
            {
                continue;
            }
            if (!lost[i] && (k < newestDelivered || gt(highestSacked, marker[i])))
            {
                lost[i] = true;
                found++;
            }
            final int j = (start + kept) % CAPACITY;
            from[j] = from[i];
            to[j] = to[i];
            marker[j] = marker[i];
            lost[j] = lost[i];
            kept++;
        }
        count = kept;
        return found;
    }

    private boolean delivered(final int i, final int una, final SackScoreboard sacked)
    {
        return !gt(to[i], una) || !lt(sacked.skip(lt(from[i], una) ? una : from[i]), to[i]);
    }

    /**
     * @return the first unSACKed sequence number of the oldest lost resend (which leaves the log: resending
     *         it adds it again as the newest), or {@link LossRecovery#NONE}.
     */
    long takeLost(final int una, final SackScoreboard sacked)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = (start + k) % CAPACITY;
            if (lost[i])
            {
                final int seq = sacked.skip(lt(from[i], una) ? una : from[i]);
                remove(k);
                return lt(seq, to[i]) ? seq : LossRecovery.NONE;
            }
        }
        return LossRecovery.NONE;
    }

    /** @return unSACKed bytes above {@code una} of the resends found lost (they are not in the network). */
    int lostBytes(final int una, final SackScoreboard sacked)
    {
        int bytes = 0;
        for (int k = 0; k < count; k++)
        {
            final int i = (start + k) % CAPACITY;
            if (lost[i] && gt(to[i], una))
            {
                final int f = lt(from[i], una) ? una : from[i];
                bytes += (to[i] - f) - sacked.bytesIn(f, to[i]);
            }
        }
        return bytes;
    }

    /** @return the lowest first sequence number of a resend found lost, or {@link LossRecovery#NONE}. */
    long lowestLost()
    {
        long lowest = LossRecovery.NONE;
        for (int k = 0; k < count; k++)
        {
            final int i = (start + k) % CAPACITY;
            if (lost[i] && (lowest == LossRecovery.NONE || lt(from[i], (int)lowest)))
            {
                lowest = from[i];
            }
        }
        return lowest;
    }

    /** Drops the entries found lost (a go-back-N rewind resends them and logs them again). */
    void dropLost()
    {
        for (int k = count - 1; k >= 0; k--)
        {
            if (lost[(start + k) % CAPACITY])
            {
                remove(k);
            }
        }
    }

    private void remove(final int k)
    {
        for (int m = k; m < count - 1; m++)
        {
            final int i = (start + m) % CAPACITY;
            final int n = (start + m + 1) % CAPACITY;
            from[i] = from[n];
            to[i] = to[n];
            marker[i] = marker[n];
            lost[i] = lost[n];
        }
        count--;
    }
}
