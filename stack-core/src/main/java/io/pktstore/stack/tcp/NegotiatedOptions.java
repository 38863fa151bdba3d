package io.pktstore.stack.tcp;

/**
 * What the SYN exchange settled for one connection (window scaling, timestamps, SACK; RFC 7323,
 * RFC 2018) and the timestamp state it implies (TS.Recent, Last.ACK.sent, RFC 7323 4.3).
 * Single-threaded; one {@link #reset} per open.
 */
final class NegotiatedOptions
{
    /** Shift of the peer's window field (its scale offer), 0 without scaling. */
    int sndShift;
    /** Shift of our window field (our scale offer), 0 without scaling. */
    int rcvShift;
    /** The peer offered window scaling in its SYN (we answer it in our SYN-ACK only then). */
    boolean peerOfferedScale;
    /** Both sides send timestamps. */
    boolean timestamps;
    /** Both sides allow SACK. */
    boolean sack;
    /** TS.Recent: the timestamp to echo. */
    int tsRecent;
    /** When TS.Recent was taken (PAWS: timestamps idle longer than 24 days are not trusted). */
    long tsRecentNs;
    /** Last.ACK.sent: RCV.NXT of our last ACK (TS.Recent follows segments at or below it). */
    int lastAckSent;

    /** Nothing negotiated yet. */
    void reset()
    {
        sndShift = 0;
        rcvShift = 0;
        peerOfferedScale = false;
        timestamps = false;
        sack = false;
        tsRecent = 0;
        tsRecentNs = 0;
        lastAckSent = 0;
    }

    /** Takes the timestamp of a segment as TS.Recent. */
    void recordTimestamp(final int tsVal, final long nowNs)
    {
        tsRecent = tsVal;
        tsRecentNs = nowNs;
    }
}
