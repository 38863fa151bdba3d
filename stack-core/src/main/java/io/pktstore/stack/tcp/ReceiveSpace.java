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
