package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.wire.TcpOptions;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.ge;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * Congestion control and loss recovery of one connection: RFC 5681 slow start and congestion avoidance,
 * and fast recovery driven by the SACK scoreboard as RFC 6675 defines it (DupAcks, IsLost, pipe,
 * NextSeg, RecoveryPoint, HighRxt, RescueRxt), so that several losses in one window are all repaired in
 * about one round trip instead of one per round trip (NewReno) or by a timeout.
 * <pre>
 *   SND.UNA   rxtEnd (HighRxt+1)            lostBoundary                                  SND.MAX
 *   |  resent  |  lost, not resent yet  |####|  in flight  |######| in flight |#####|          |
 *                                        SACKed                 SACKed           SACKed
 *   pipe = unSACKed bytes above lostBoundary + unSACKed bytes resent below rxtEnd
 *          - segments known to have left the network through duplicate ACKs without SACK blocks
 * </pre>
 * Duplicate ACKs are counted as Linux counts them: with SACK, any ACK that brings new SACK information
 * counts (RFC 6675), whatever it carries besides (data, a window change: an echo or request/response peer
 * always sends those); the classic RFC 5681 duplicate (no data, same window) counts too. A peer that
 * sends no SACK blocks still gets RFC 6582's NewReno: on the third duplicate the first unacknowledged
 * segment is resent, and after each partial ACK the next one, whatever the pipe says.
 * <p>
 * A timeout ends recovery, collapses cwnd to one segment and sets RecoveryPoint to SND.MAX (no new
 * recovery before that is acknowledged, RFC 6675 5.1); if the peer reneged (an ACK stopped at or inside
 * data it had SACKed, RFC 2018 section 8) the scoreboard is cleared then, so the go-back-N after the
 * timeout resends that data too.
 * <p>
 * Windows are in bytes. Single-threaded; one {@link #reset} per open; allocates nothing.
 */
public final class LossRecovery
{
    /** RFC 5681 / RFC 6675 DupThresh. */
    public static final int DUP_THRESH = 3;
    /** Windows saturate here (2^30: the largest scaled window, RFC 7323 2.3). */
    public static final int MAX_WINDOW = 1 << 30;

    /** {@link #onCumulativeAck}: nothing special. */
    static final int ACK_NORMAL = 0;
    /** {@link #onCumulativeAck}: a full ACK ended recovery. */
    static final int ACK_RECOVERY_EXIT = 1;
    /** {@link #onCumulativeAck}: the first partial ACK of this recovery (restart the timer, RFC 6582 4). */
    static final int ACK_FIRST_PARTIAL = 2;
    /** {@link #onCumulativeAck}: a later partial ACK (do not restart the timer: a lost resend must time out). */
    static final int ACK_PARTIAL = 3;

    /** "No segment" from the NextSeg queries. */
    static final long NONE = Long.MIN_VALUE;

    final SackScoreboard sacked = new SackScoreboard();
    /** This episode's retransmissions, to find the ones lost again (see {@link ResendLog}). */
    final ResendLog resends = new ResendLog();
    private final boolean initialWindowTen;
    private int smss;
    private int cwnd;
    private int ssthresh;
    private int bytesAckedInAvoidance;

    private int dupAcks;
    /** Segments the duplicate ACKs without SACK blocks say left the network (NewReno's inflation, as pipe). */
    private int dupAckBytes;
    private boolean inRecovery;
    /** RFC 6582 recover / RFC 6675 RecoveryPoint - 1: the highest sequence number sent when recovery began. */
    private int recover;
    /** HighRxt + 1: everything below it that is unSACKed was resent in this recovery. */
    private int rxtEnd;
    private boolean rescueUsed;
    /** The rescue retransmission of this recovery (RescueRxt): [rescueStart, rescueEnd). */
    private int rescueStart;
    private int rescueEnd;
    /** The segment at SND.UNA must be resent now (entry, partial ACK), whatever the pipe says. */
    private boolean headLost;
    private boolean partialAckSeen;
    /** SACK blocks drove this recovery (it ends at ssthresh, no NewReno deflation). */
    private boolean sackSeenInRecovery;
    private boolean renegingSuspected;
    private int limitedTransmit;

    /**
     * @param smss             sender MSS in bytes (&gt; 0).
     * @param initialWindowTen true for RFC 6928's IW = min(10*SMSS, max(2*SMSS, 14600)) (Linux's default)
     *                         instead of RFC 5681 3.1's 2..4 segments.
     */
    LossRecovery(final int smss, final boolean initialWindowTen)
    {
        this.initialWindowTen = initialWindowTen;
        reset(smss, 0);
    }

    /** A new connection: initial window, ssthresh arbitrarily high, no recovery, empty scoreboard. */
    void reset(final int smss, final int iss)
    {
        if (smss <= 0)
        {
            throw new IllegalArgumentException("SMSS must be positive: " + smss);
        }
        this.smss = smss;
        cwnd = initialWindow(smss, initialWindowTen);
        // RFC 5681 3.1: "The initial value of ssthresh SHOULD be set arbitrarily high".
        ssthresh = MAX_WINDOW;
        bytesAckedInAvoidance = 0;
        dupAcks = 0;
        dupAckBytes = 0;
        inRecovery = false;
        recover = iss;
        rxtEnd = iss;
        rescueUsed = false;
        rescueStart = iss;
        rescueEnd = iss;
        headLost = false;
        partialAckSeen = false;
        renegingSuspected = false;
        limitedTransmit = 0;
        sacked.clear();
        resends.clear();
    }

    /**
     * Initial window in bytes. RFC 5681 3.1: SMSS &gt; 2190: 2 segments; SMSS &gt; 1095: 3; otherwise 4.
     * RFC 6928 2: min(10*SMSS, max(2*SMSS, 14600)).
     */
    public static int initialWindow(final int smss, final boolean windowTen)
    {
        if (windowTen)
        {
            return Math.min(10 * smss, Math.max(2 * smss, 14600));
        }
        if (smss > 2190)
        {
            return 2 * smss;
        }
        if (smss > 1095)
        {
            return 3 * smss;
        }
        return 4 * smss;
    }

    // =====================================================================================
    // ACK accounting
    // =====================================================================================

    /**
     * The SACK blocks of an arriving ACK (RFC 6675 Update()).
     *
     * @param una SND.UNA after this ACK.
     * @return bytes SACKed for the first time.
     */
    int recordSack(final TcpOptions options, final int una, final int sndMax)
    {
        final int newly = sacked.record(options, una, sndMax);
        if (inRecovery && newly > 0)
        {
            sackSeenInRecovery = true;
        }
        return newly;
    }

    /**
     * An ACK advanced SND.UNA to {@code una}: the scoreboard forgets what is acknowledged, cwnd grows
     * (outside recovery), recovery ends on a full ACK or treats a partial ACK as the next loss.
     *
     * @param bytesAcked   sequence numbers newly acknowledged.
     * @param flightAfter  SND.MAX - SND.UNA after this ACK.
     * @return {@link #ACK_NORMAL}, {@link #ACK_RECOVERY_EXIT}, {@link #ACK_FIRST_PARTIAL} or {@link #ACK_PARTIAL}.
     */
    int onCumulativeAck(final int una, final int bytesAcked, final int flightAfter)
    {
        sacked.acknowledge(una);
        // RFC 2018 8: data at SND.UNA still marked SACKed means the peer dropped what it had SACKed.
        renegingSuspected = !sacked.isEmpty() && !lt(una, sacked.left(0));
        limitedTransmit = 0;
        dupAcks = 0;
        if (lt(rxtEnd, una))
        {
            rxtEnd = una;
        }
        if (inRecovery)
        {
            if (gt(una, recover))
            {
                // RFC 6675 never inflated cwnd: it leaves recovery at ssthresh (as Linux). Only NewReno's
                // inflated window is deflated by RFC 6582 3.2 step 4 (option 1), min(ssthresh, max(FlightSize,
                // SMSS) + SMSS); applied after a SACK recovery it left the window at two segments whenever
                // the full ACK emptied the pipe, and every later loss of a small flight went to the timer.
                cwnd = sacked.isEmpty() && !sackSeenInRecovery ? Math.min(ssthresh, Math.max(flightAfter, smss) + smss) :
                    ssthresh;
                inRecovery = false;
                headLost = false;
                dupAckBytes = 0;
                bytesAckedInAvoidance = 0;
                return ACK_RECOVERY_EXIT;
            }
            // A partial ACK: the peer's next hole is a loss too (RFC 6582 3.2 step 5), unless its segment
            // was resent already in this recovery (below HighRxt, or the rescue).
            dupAckBytes = Math.max(0, dupAckBytes - bytesAcked);
            headLost = !lt(una, rxtEnd) && !(rescueUsed && !lt(una, rescueStart) && lt(una, rescueEnd));
            if (!partialAckSeen)
            {
                partialAckSeen = true;
                return ACK_FIRST_PARTIAL;
            }
            return ACK_PARTIAL;
        }
        dupAckBytes = 0;
        if (cwnd < ssthresh)
        {
            // RFC 5681 3.1 eq. 2 (with RFC 3465 L = 1 SMSS): cwnd += min(N, SMSS).
            cwnd = saturate((long)cwnd + Math.min(bytesAcked, smss));
            bytesAckedInAvoidance = 0;
        }
        else
        {
            // Congestion avoidance with byte counting (RFC 3465): SMSS per cwnd of acknowledged bytes.
            bytesAckedInAvoidance = (int)Math.min(MAX_WINDOW, (long)bytesAckedInAvoidance + bytesAcked);
            if (bytesAckedInAvoidance >= cwnd)
            {
                bytesAckedInAvoidance -= cwnd;
                cwnd = saturate((long)cwnd + smss);
            }
        }
        return ACK_NORMAL;
    }

    /**
     * A duplicate ACK: SND.UNA did not move while data is outstanding, and the ACK either brought new SACK
     * information (RFC 6675) or is RFC 5681's classic duplicate (no data, no FIN, same window).
     *
     * @param newlySacked bytes this ACK SACKed for the first time (0: a classic duplicate without SACK).
     */
    void onDuplicateAck(final int newlySacked, final int flight)
    {
        if (newlySacked == 0)
        {
            // No SACK blocks to say which segment arrived: count one (NewReno's cwnd inflation, as pipe).
            dupAckBytes = Math.min(flight, dupAckBytes + smss);
        }
        if (!inRecovery)
        {
            dupAcks++;
            if (dupAcks < DUP_THRESH)
            {
                // RFC 3042 limited transmit: each of the first two duplicates lets one new segment out.
                limitedTransmit += smss;
            }
        }
    }

    /**
     * RFC 6675 section 5 steps 1, 2 and 4: enters recovery when DupThresh duplicates arrived or the
     * scoreboard already says the first unacknowledged segment is lost, unless the last recovery's
     * RecoveryPoint is not yet acknowledged (RFC 6582 3.2 step 1, RFC 6675 5.1).
     *
     * @return true if recovery started (the caller counts the fast retransmit and restarts the timer).
     */
    boolean enterRecoveryIfLost(final int una, final int sndMax)
    {
        if (inRecovery || sndMax == una || !gt(una, recover))
        {
            return false;
        }
        if (dupAcks < DUP_THRESH && !lt(una, sacked.lostBoundary(una, DUP_THRESH, smss)))
        {
            return false;
        }
        recover = sndMax - 1;
        ssthresh = Math.max((sndMax - una) / 2, 2 * smss);
        cwnd = ssthresh;
        inRecovery = true;
        partialAckSeen = false;
        sackSeenInRecovery = !sacked.isEmpty();
        bytesAckedInAvoidance = 0;
        limitedTransmit = 0;
        rxtEnd = una;
        rescueUsed = false;
        headLost = true;
        return true;
    }

    /**
     * The retransmission timer expired (RFC 5681 3.1 eq. 4, RFC 6675 5.1): ssthresh = max(FlightSize/2,
     * 2*SMSS) unless this is a further timeout of the same data (held then), cwnd = 1 SMSS, recovery ends
     * and RecoveryPoint moves to SND.MAX. If the peer reneged, the scoreboard is cleared (RFC 2018 8).
     *
     * @return true if the scoreboard was cleared for reneging.
     */
    boolean onRetransmissionTimeout(final int flightSize, final int sndMax, final boolean repeatedForSameData)
    {
        if (!repeatedForSameData)
        {
            ssthresh = Math.max(flightSize / 2, 2 * smss);
        }
        cwnd = smss;
        recover = sndMax - 1;
        inRecovery = false;
        partialAckSeen = false;
        headLost = false;
        dupAcks = 0;
        dupAckBytes = 0;
        bytesAckedInAvoidance = 0;
        limitedTransmit = 0;
        resends.clear();
        if (renegingSuspected)
        {
            renegingSuspected = false;
            sacked.clear();
            return true;
        }
        return false;
    }

    /** RFC 5681 4.1 restart after idle: cwnd back to at most the initial window. */
    void onIdleRestart()
    {
        cwnd = Math.min(cwnd, initialWindow(smss, initialWindowTen));
    }

    // =====================================================================================
    // What to send in recovery (RFC 6675 SetPipe and NextSeg)
    // =====================================================================================

    /** @return RFC 6675 pipe: the sender's estimate of bytes in the network during recovery. */
    int pipe(final int una, final int sndMax)
    {
        final int lost = sacked.lostBoundary(una, DUP_THRESH, smss);
        long pipe = (sndMax - lost) - sacked.bytesIn(lost, sndMax);
        if (gt(rxtEnd, una))
        {
            final int resentEnd = lt(rxtEnd, sndMax) ? rxtEnd : sndMax;
            pipe += (resentEnd - una) - sacked.bytesIn(una, resentEnd);
        }
        // Resends found lost again are not in the network any more.
        pipe -= resends.lostBytes(una, sacked);
        return (int)Math.max(0, pipe - dupAckBytes);
    }

    /** @return true (once, then false) if the segment at SND.UNA must be resent now regardless of pipe. */
    boolean takeHeadLoss()
    {
        final boolean lost = headLost;
        headLost = false;
        return lost;
    }

    /**
     * Before NextSeg rule 1: a resend found lost again goes first (the oldest).
     *
     * @return its first unSACKed sequence number, or {@link #NONE}.
     */
    long nextLostResend(final int una)
    {
        return resends.takeLost(una, sacked);
    }

    /**
     * After an ACK (scoreboard and SND.UNA updated): resends that were lost again (see {@link ResendLog}).
     *
     * @return how many were newly found lost.
     */
    int detectLostResends(final int una)
    {
        return resends.count() == 0 ? 0 : resends.detect(una, sacked);
    }

    /**
     * NextSeg rule 1: the first unSACKed sequence number above HighRxt that IsLost says is lost.
     *
     * @return it, or {@link #NONE}.
     */
    long nextLost(final int una)
    {
        final int start = sacked.skip(gt(rxtEnd, una) ? rxtEnd : una);
        return lt(start, sacked.lostBoundary(una, DUP_THRESH, smss)) ? start : NONE;
    }

    /**
     * NextSeg rule 4, the rescue retransmission: once per recovery, one segment ending at the highest
     * unSACKed byte, when nothing else may go and it was not resent yet (a tail loss IsLost cannot see).
     *
     * @return its first sequence number, or {@link #NONE}.
     */
    long rescue(final int una, final int sndMax)
    {
        if (rescueUsed)
        {
            return NONE;
        }
        final int end = sacked.unsackedEnd(sndMax);
        final int floor = gt(rxtEnd, una) ? rxtEnd : una;
        if (!gt(end, floor))
        {
            return NONE;
        }
        // Unsacked bytes only: from the highest SACKed range below the end (or HighRxt), at most one SMSS.
        final int start = sacked.rightBelow(end, floor);
        return gt(end - smss, start) ? end - smss : start;
    }

    /** @return the end of a segment starting at {@code seq}: one SMSS, short of SACKed data and SND.MAX. */
    int segmentEnd(final int seq, final int sndMax)
    {
        final int next = sacked.nextStart(seq, sndMax);
        return lt(seq + smss, next) ? seq + smss : next;
    }

    /**
     * [from, to) was resent while SND.MAX was {@code sndMax}: HighRxt follows (NextSeg rule 4's rescue does
     * not move it), and the resend is logged so its own loss can be found.
     */
    void resent(final int from, final int to, final boolean rescue, final int sndMax)
    {
        resends.add(from, to, sndMax);
        if (rescue)
        {
            rescueUsed = true;
            rescueStart = from;
            rescueEnd = to;
        }
        else if (gt(to, rxtEnd))
        {
            rxtEnd = to;
        }
    }

    // =====================================================================================
    // Windows
    // =====================================================================================

    /** @return bytes that may be in flight outside recovery: min(cwnd + limited transmit, peer's window). */
    int sendWindow(final int peerWindow)
    {
        return Math.min(peerWindow, (int)Math.min(MAX_WINDOW, (long)cwnd + limitedTransmit));
    }

    /** @return true when nothing unusual is going on (the fast path's condition on the sender side). */
    boolean quiet()
    {
        return !inRecovery && dupAcks == 0 && sacked.isEmpty();
    }

    private static int saturate(final long value)
    {
        return (int)Math.min(MAX_WINDOW, value);
    }

    /** @return congestion window, bytes. */
    public int cwnd()
    {
        return cwnd;
    }

    /** @return slow-start threshold, bytes. */
    public int ssthresh()
    {
        return ssthresh;
    }

    /** @return sender MSS, bytes. */
    public int smss()
    {
        return smss;
    }

    /** @return duplicate ACKs counted since the last cumulative ACK (outside recovery). */
    public int duplicateAcks()
    {
        return dupAcks;
    }

    /** @return true while in fast recovery. */
    public boolean inRecovery()
    {
        return inRecovery;
    }

    /** @return RFC 6582's recover (RecoveryPoint - 1). */
    public int recover()
    {
        return recover;
    }

    /** @return true if cwnd &lt; ssthresh (slow start). */
    public boolean inSlowStart()
    {
        return cwnd < ssthresh;
    }

    /** @return true if an ACK showed the peer dropped data it had SACKed (cleared at the next timeout). */
    public boolean renegingSuspected()
    {
        return renegingSuspected;
    }
}
