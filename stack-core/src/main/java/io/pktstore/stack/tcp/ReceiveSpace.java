package io.pktstore.stack.tcp;

/**
 * The receive sequence space of one connection (RFC 9293 3.3.1) and the ACK we owe for it.
 * <pre>
 *   IRS .... RCV.NXT ................ advertisedEdge (= RCV.NXT + the window we last announced)
 *            |  unconsumed bytes the application holds count against the window  |
 *            out-of-order records wait in the connection's RB tree keyed by sequence number
 * </pre>
 * Single-threaded; one {@link #reset} per open.
 */
final class ReceiveSpace
{
    /** The peer's initial sequence number. */
    int irs;
    /** RCV.NXT: the next sequence number expected. */
    int nxt;
    /** RCV.NXT + RCV.WND as last announced: never moved left (we never shrink the window). */
    int advertisedEdge;
    /** Delivered bytes the application has not reported consumed. */
    int unconsumed;
    /** The peer's FIN was taken (RCV.NXT covers it). */
    boolean finReceived;
    /** An ACK is owed now (out-of-order data, duplicate, window update, challenge, ...). */
    boolean ackNow;
    /** In-order data segments received since our last ACK (ACK at least every second one; RFC 9293 3.8.6.3 counts full ones). */
    int segmentsSinceAck;
    /** When the last acceptable segment arrived (keep-alive and FIN_WAIT_2 idle clocks). */
    long lastReceiveNs;
    /**
     * An in-order segment shorter than a full one is waiting for our delayed ACK (Linux's
     * ICSK_ACK_PUSHED). Its sender may be holding its next small segment until this one is
     * acknowledged (Nagle, RFC 9293 3.7.4), so once the application has drained what arrived, the
     * ACK goes at once unless a reply is expected to carry it ({@link #applicationAnswers}).
     */
    boolean smallSegmentUnacked;
    /**
     * The application queues data of its own (a request/response server): its replies carry our
     * ACKs, so a drained small segment waits for the reply rather than getting an ACK of its own
     * (Linux's "pingpong" mode). Cleared when the delayed-ACK timer fires: no reply came in time.
     */
    boolean applicationAnswers;

    /** Forgets the previous connection; the open sets IRS and RCV.NXT. */
    void reset(final long nowNs)
    {
        irs = 0;
        nxt = 0;
        advertisedEdge = 0;
        unconsumed = 0;
        finReceived = false;
        ackNow = false;
        segmentsSinceAck = 0;
        lastReceiveNs = nowNs;
        smallSegmentUnacked = false;
        applicationAnswers = false;
    }

    /** Takes the peer's ISN from its SYN: RCV.NXT = IRS + 1, nothing announced yet. */
    void synchronize(final int peerIsn)
    {
        irs = peerIsn;
        nxt = peerIsn + 1;
        advertisedEdge = nxt;
    }

    /** @return the window we last announced, in bytes (0 when closed). */
    int announcedWindow()
    {
        return Math.max(0, advertisedEdge - nxt);
    }
}
