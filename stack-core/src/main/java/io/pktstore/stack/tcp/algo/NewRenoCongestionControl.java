package io.pktstore.stack.tcp.algo;

/**
 * Sender congestion control of one connection: RFC 5681 (slow start, congestion avoidance, fast
 * retransmit / fast recovery) with the NewReno modification of RFC 6582.
 * <p>
 * Windows are in bytes. The caller owns the send sequence space and classifies every ACK; this
 * class owns cwnd, ssthresh, the duplicate-ACK count and {@code recover}, and answers with an
 * action code telling the caller what to (re)transmit. No allocation.
 * <p>
 * Caller contract, per ACK that is acceptable (SND.UNA &lt; SEG.ACK &lt;= SND.NXT, or a duplicate):
 * <ul>
 *   <li>new data acknowledged: {@link #onAck(int, int, int)} with the ACK number, bytes newly acked
 *       and the FlightSize remaining after this ACK;</li>
 *   <li>a duplicate ACK as RFC 5681 section 2 defines it (outstanding data, no payload, no SYN/FIN,
 *       SEG.ACK == SND.UNA, window unchanged; with SACK, also "carries new SACK info"):
 *       {@link #onDuplicateAck(int, int, int)};</li>
 *   <li>a retransmission timeout: {@link #onRetransmissionTimeout(int, int, boolean)}.</li>
 * </ul>
 * Action codes: {@link #NONE}; {@link #FAST_RETRANSMIT} (3rd duplicate ACK: retransmit the first
 * unacknowledged segment now); {@link #RETRANSMIT_FIRST_UNACKED} and
 * {@link #RETRANSMIT_FIRST_UNACKED_RESTART_TIMER} (partial ACK in recovery, RFC 6582 3.2 step 5: the
 * first partial ACK also restarts the retransmission timer - the "Impatient" variant of section 4;
 * later partial ACKs must NOT restart it, so the caller does not apply RFC 6298 5.3 during recovery);
 * {@link #RECOVERY_EXIT} (full ACK ended fast recovery; informational).
 * <p>
 * {@code recover} holds the highest sequence number transmitted (SND.NXT - 1) when recovery began.
 * We read RFC 6582's "the Cumulative Acknowledgment field covers more than recover" as
 * SEG.ACK &gt; recover in sequence space, which is also the full-ACK test of step 4 (an ACK of
 * everything up to and including recover).
 */
public final class NewRenoCongestionControl
{
    /** Nothing to retransmit; send new data as the window allows. */
    public static final int NONE = 0;
    /** Third duplicate ACK: fast retransmit of the first unacknowledged segment (RFC 5681 3.2 step 4). */
    public static final int FAST_RETRANSMIT = 1;
    /** Partial ACK during recovery: retransmit the first unacknowledged segment (RFC 6582 3.2 step 5). */
    public static final int RETRANSMIT_FIRST_UNACKED = 2;
    /** First partial ACK of this recovery: retransmit the first unacknowledged segment and restart the RTO timer. */
    public static final int RETRANSMIT_FIRST_UNACKED_RESTART_TIMER = 3;
    /** Full ACK: fast recovery ended (RFC 6582 3.2 step 4); nothing to retransmit. */
    public static final int RECOVERY_EXIT = 4;

    /** RFC 5681 3.2: fast retransmit on the third duplicate ACK. */
    public static final int DUP_ACK_THRESHOLD = 3;
    /** Windows saturate here (2^30: the largest scaled window, RFC 7323 2.3). */
    public static final int MAX_WINDOW = 1 << 30;

    private final boolean initialWindowTen;
    private int smss;
    private int cwnd;
    private int ssthresh;
    private int dupAcks;
    private boolean inRecovery;
    private boolean partialAckSeen;
    private int recover;
    private int bytesAckedInAvoidance;

    /**
     * @param smss             sender maximum segment size in bytes (> 0): the effective MSS of the connection.
     * @param initialSendSeq   ISS; RFC 6582 3.2 initializes {@code recover} to it.
     * @param initialWindowTen true to use RFC 6928's IW = min(10*SMSS, max(2*SMSS, 14600)) (Linux's
     *                         default) instead of RFC 5681 3.1's 2..4 segments.
     * @throws IllegalArgumentException if {@code smss} is not positive.
     */
    public NewRenoCongestionControl(final int smss, final int initialSendSeq, final boolean initialWindowTen)
    {
        this.initialWindowTen = initialWindowTen;
        reset(smss, initialSendSeq);
    }

    /**
     * Re-initializes for a new connection (pooled TCBs).
     *
     * @param smss           sender maximum segment size, > 0.
     * @param initialSendSeq ISS.
     */
    public void reset(final int smss, final int initialSendSeq)
    {
        if (smss <= 0)
        {
            throw new IllegalArgumentException("SMSS must be positive: " + smss);
        }
        this.smss = smss;
        this.cwnd = initialWindow(smss, initialWindowTen);
        // RFC 5681 3.1: "The initial value of ssthresh SHOULD be set arbitrarily high".
        this.ssthresh = MAX_WINDOW;
        this.dupAcks = 0;
        this.inRecovery = false;
        this.partialAckSeen = false;
        this.recover = initialSendSeq;
        this.bytesAckedInAvoidance = 0;
    }

    /**
     * Initial window in bytes.
     * RFC 5681 3.1: SMSS &gt; 2190: 2 segments; SMSS &gt; 1095: 3 segments; otherwise 4 segments.
     * RFC 6928 2: min(10*SMSS, max(2*SMSS, 14600)).
     *
     * @param smss      sender maximum segment size.
     * @param windowTen whether to use RFC 6928.
     * @return IW in bytes.
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

    /**
     * An ACK that acknowledges new data (SEG.ACK advanced SND.UNA).
     *
     * @param ack                the ACK number (the new SND.UNA).
     * @param bytesAcked         bytes newly acknowledged by this ACK, > 0.
     * @param flightSizeAfterAck bytes still outstanding after this ACK (SND.NXT - new SND.UNA).
     * @return {@link #NONE}, {@link #RECOVERY_EXIT}, {@link #RETRANSMIT_FIRST_UNACKED} or
     *         {@link #RETRANSMIT_FIRST_UNACKED_RESTART_TIMER}.
     */
    public int onAck(final int ack, final int bytesAcked, final int flightSizeAfterAck)
    {
        if (inRecovery)
        {
            if (SequenceNumbers.gt(ack, recover))
            {
                // RFC 6582 3.2 step 4, full ACK: deflate. Option (1): cwnd = min(ssthresh,
                // max(FlightSize, SMSS) + SMSS), which avoids a burst when little is in flight.
                cwnd = Math.min(ssthresh, Math.max(flightSizeAfterAck, smss) + smss);
                inRecovery = false;
                dupAcks = 0;
                bytesAckedInAvoidance = 0;
                return RECOVERY_EXIT;
            }
            // Step 5, partial ACK: retransmit the first unacked segment; deflate cwnd by the data
            // acked; add back SMSS if that was at least SMSS; send new data if cwnd allows.
            cwnd -= Math.min(bytesAcked, cwnd);
            if (bytesAcked >= smss)
            {
                cwnd += smss;
            }
            cwnd = Math.max(cwnd, smss);
            // Duplicate ACKs after a partial ACK count afresh toward nothing: we stay in recovery.
            dupAcks = 0;
            if (!partialAckSeen)
            {
                partialAckSeen = true;
                return RETRANSMIT_FIRST_UNACKED_RESTART_TIMER;
            }
            return RETRANSMIT_FIRST_UNACKED;
        }
        dupAcks = 0;
        if (cwnd < ssthresh)
        {
            // RFC 5681 3.1 eq. 2 (with RFC 3465 L = 1 SMSS): cwnd += min(N, SMSS).
            cwnd = saturate((long)cwnd + Math.min(bytesAcked, smss));
            bytesAckedInAvoidance = 0;
        }
        else
        {
            // RFC 5681 3.1 congestion avoidance with byte counting (RFC 3465): cwnd grows by SMSS
            // once a full cwnd of bytes has been acknowledged.
            bytesAckedInAvoidance = (int)Math.min(MAX_WINDOW, (long)bytesAckedInAvoidance + bytesAcked);
            if (bytesAckedInAvoidance >= cwnd)
            {
                bytesAckedInAvoidance -= cwnd;
                cwnd = saturate((long)cwnd + smss);
            }
        }
        return NONE;
    }

    /**
     * A duplicate ACK (RFC 5681 section 2 definition, checked by the caller).
     *
     * @param ack        the ACK number (== SND.UNA).
     * @param sndNxt     SND.NXT now; recover becomes SND.NXT - 1 when recovery starts.
     * @param flightSize bytes outstanding (SND.NXT - SND.UNA).
     * @return {@link #FAST_RETRANSMIT} on the duplicate that starts recovery, otherwise {@link #NONE}
     *         (in recovery cwnd has been inflated by SMSS: send new data if the window allows).
     */
    public int onDuplicateAck(final int ack, final int sndNxt, final int flightSize)
    {
        if (inRecovery)
        {
            // RFC 6582 3.2 step 3 / RFC 5681 3.2 step 5: inflate for the segment that left the network.
            cwnd = saturate((long)cwnd + smss);
            return NONE;
        }
        dupAcks++;
        if (dupAcks < DUP_ACK_THRESHOLD)
        {
            return NONE;
        }
        if (dupAcks > DUP_ACK_THRESHOLD || !SequenceNumbers.gt(ack, recover))
        {
            // RFC 6582 3.2 step 1: the ACK does not cover more than recover -> the duplicates are
            // from the retransmissions of the last episode; do not enter fast retransmit again.
            return NONE;
        }
        // RFC 6582 3.2 step 2 (RFC 5681 3.2 steps 2-4).
        recover = sndNxt - 1;
        ssthresh = Math.max(flightSize / 2, 2 * smss);
        cwnd = saturate((long)ssthresh + DUP_ACK_THRESHOLD * (long)smss);
        inRecovery = true;
        partialAckSeen = false;
        bytesAckedInAvoidance = 0;
        return FAST_RETRANSMIT;
    }

    /**
     * The retransmission timer expired (RFC 5681 3.1 eq. 4 and RFC 6582 3.2 step 1 note): ssthresh =
     * max(FlightSize/2, 2*SMSS) unless this segment was already retransmitted by a timeout (then
     * ssthresh is held, RFC 5681 3.1), cwnd = loss window = 1 SMSS, recover = SND.NXT - 1, fast
     * recovery is abandoned and the duplicate count is cleared.
     *
     * @param flightSize          bytes outstanding when the timer fired.
     * @param sndNxt              SND.NXT (before the caller rewinds it for go-back-N, if it does).
     * @param repeatedForSameData true if this is a further timeout for data already retransmitted by timeout.
     */
    public void onRetransmissionTimeout(final int flightSize, final int sndNxt, final boolean repeatedForSameData)
    {
        if (!repeatedForSameData)
        {
            ssthresh = Math.max(flightSize / 2, 2 * smss);
        }
        cwnd = smss;
        recover = sndNxt - 1;
        inRecovery = false;
        partialAckSeen = false;
        dupAcks = 0;
        bytesAckedInAvoidance = 0;
    }

    /**
     * RFC 5681 4.1 restart after idle: when nothing was sent for more than one RTO, cwnd is reduced
     * to the restart window min(IW, cwnd) before sending again.
     */
    public void onIdleRestart()
    {
        cwnd = Math.min(cwnd, initialWindow(smss, initialWindowTen));
    }

    /**
     * Changes SMSS (e.g. PMTU discovery lowered it); cwnd and ssthresh are kept in bytes.
     *
     * @param smss the new sender MSS, > 0.
     */
    public void smss(final int smss)
    {
        if (smss <= 0)
        {
            throw new IllegalArgumentException("SMSS must be positive: " + smss);
        }
        this.smss = smss;
    }

    /**
     * Bytes the sender may have in flight: min(cwnd, peer's receive window).
     *
     * @param receiveWindow the peer's scaled window, bytes.
     * @return the send window.
     */
    public int sendWindow(final int receiveWindow)
    {
        return Math.min(cwnd, receiveWindow);
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

    /** @return duplicate ACKs counted since the last new ACK (outside recovery). */
    public int duplicateAcks()
    {
        return dupAcks;
    }

    /** @return true while in fast recovery. */
    public boolean inRecovery()
    {
        return inRecovery;
    }

    /** @return the recover variable of RFC 6582. */
    public int recover()
    {
        return recover;
    }

    /** @return true if cwnd &lt; ssthresh (slow start). */
    public boolean inSlowStart()
    {
        return cwnd < ssthresh;
    }
}
