package io.pktstore.stack.tcp;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.le;

/**
 * The send sequence space of one connection (RFC 9293 3.3.1) and what limits it: the peer's window and
 * the application's close and hold.
 * <pre>
 *   ISS  SND.UNA ........ SND.NXT ........ SND.MAX ........ queue end (+1 for our FIN)
 *        |acked| in flight |  (after go-back-N, SND.NXT &lt; SND.MAX) | unsent |
 *                           right edge of the peer's window: SND.WL2 + SND.WND
 * </pre>
 * SND.MAX is the highest sequence number ever sent (+1); SND.NXT is where the next transmission starts,
 * below SND.MAX only while a timeout's go-back-N resends. Single-threaded; one {@link #reset} per open.
 */
final class SendSpace
{
    /** Our initial sequence number. */
    int iss;
    /** SND.UNA: the oldest unacknowledged sequence number. */
    int una;
    /** SND.NXT: where the next segment starts. */
    int nxt;
    /** SND.MAX: one past the highest sequence number sent. */
    int max;
    /** SND.WND: the peer's window in bytes (already scaled). */
    int wnd;
    /** SND.WL1: sequence number of the segment that last updated the window. */
    int wl1;
    /** SND.WL2: acknowledgment number of the segment that last updated the window (the window's anchor). */
    int wl2;
    /** The largest window the peer ever offered (RFC 5961 5.2 MAX.SND.WND). */
    int maxWnd;
    /** The effective send MSS (payload bytes per segment). */
    int mss;
    /** The application closed: our FIN follows the queued data. */
    boolean finQueued;
    /** While true, queued data beyond {@link #releasedEnd} waits ({@link TcpConnection#holdSends()}). */
    boolean holding;
    /** Sequence number up to which held sends may go out. */
    int releasedEnd;
    /** Retransmission timeouts in a row without an ACK of new data (the give-up count). */
    int consecutiveTimeouts;
    /** When we last sent anything (RFC 5681 4.1 restart after idle). */
    long lastSendNs;

    /** Starts a new sequence space at our ISN (every open). */
    void reset(final int isn, final int mss)
    {
        iss = isn;
        una = isn;
        nxt = isn;
        max = isn;
        wnd = 0;
        wl1 = 0;
        // The window's anchor until the peer's first window arrives; a simultaneous open never sets it
        // before SYN_RECEIVED, and a value left from the object's previous connection would put an
        // abort's RST at a random sequence number.
        wl2 = isn;
        maxWnd = 0;
        this.mss = mss;
        finQueued = false;
        holding = false;
        releasedEnd = 0;
        consecutiveTimeouts = 0;
        lastSendNs = 0;
    }

    /** @return bytes we may still send before the right edge of the peer's window, SND.WL2 + SND.WND. */
    int peerWindowRoom()
    {
        return wl2 + wnd - nxt;
    }

    /** @return bytes sent and not yet acknowledged (FlightSize of RFC 5681), FIN included. */
    int flightSize()
    {
        return max - una;
    }

    /**
     * Takes a window from a segment if it is at least as new as the one that set the current window
     * (RFC 9293 3.10.7.4: SND.WL1 &lt; SEG.SEQ, or equal and SND.WL2 =&lt; SEG.ACK).
     *
     * @return true if the window was taken.
     */
    boolean updateWindow(final int seq, final int ack, final int windowBytes)
    {
        if (gt(seq, wl1) || (wl1 == seq && le(wl2, ack)))
        {
            wnd = windowBytes;
            wl1 = seq;
            wl2 = ack;
            if (windowBytes > maxWnd)
            {
                maxWnd = windowBytes;
            }
            return true;
        }
        return false;
    }

    /**
     * The sequence number for a segment without data (pure ACK, RST) that the peer will accept, as
     * Linux's tcp_acceptable_seq. SND.MAX, not SND.NXT: after a go-back-N rewind the peer may already
     * hold data up to SND.MAX, and a number below its RCV.NXT would be unacceptable there (its ACK field
     * ignored; capping at SND.NXT made the lossy-link test time out). But after a zero-window probe
     * SND.MAX lies one byte beyond the peer's right edge, SND.WL2 + SND.WND, which is just as
     * unacceptable: then the edge itself (not below SND.UNA, which the peer's RCV.NXT has reached).
     */
    int acceptableSeq()
    {
        final int edge = wl2 + wnd;
        if (le(max, edge))
        {
            return max;
        }
        return gt(edge, una) ? edge : una;
    }

    /** SND.NXT moved to {@code next} (after a transmission): SND.MAX follows if it was passed. */
    void advanceNext(final int next)
    {
        nxt = next;
        if (gt(next, max))
        {
            max = next;
        }
    }
}
