package io.pktstore.stack.tcp;

/**
 * The connection states of RFC 9293 section 3.3.2 and the one table of the moves between them.
 * {@link #LISTEN} is held by listeners in the {@link TcpLayer}'s listen table, never by a
 * {@link TcpConnection}; {@link #CLOSED} is the state of a connection object that sits in the free pool.
 * <p>
 * Every state change of a connection goes through {@code TcpConnection.moveTo}, which refuses a move
 * this table does not draw (a bug, not a peer's doing). The table (RFC 9293 figure 5, plus the
 * SYN-cookie open straight into ESTABLISHED; any state may end in CLOSED: RST, abort, timeout):
 * <pre>
 *                          active open                 passive open         cookie ACK
 *   CLOSED ----------------------------&gt; SYN_SENT     CLOSED --&gt; SYN_RECEIVED   CLOSED --&gt; ESTABLISHED
 *   SYN_SENT      -- SYN (no ACK) --------------------------------&gt; SYN_RECEIVED   (simultaneous open)
 *   SYN_SENT      -- SYN+ACK --------------------------------------&gt; ESTABLISHED
 *   SYN_RECEIVED  -- ACK of our SYN ------------------------------&gt; ESTABLISHED
 *   ESTABLISHED   -- close / FIN queued before the handshake ended &gt; FIN_WAIT_1
 *   ESTABLISHED   -- peer's FIN ----------------------------------&gt; CLOSE_WAIT
 *   FIN_WAIT_1    -- ACK of our FIN ------------------------------&gt; FIN_WAIT_2
 *   FIN_WAIT_1    -- peer's FIN, ours not acknowledged -----------&gt; CLOSING
 *   FIN_WAIT_1    -- peer's FIN, ours acknowledged ---------------&gt; TIME_WAIT
 *   FIN_WAIT_2    -- peer's FIN ----------------------------------&gt; TIME_WAIT
 *   CLOSING       -- ACK of our FIN ------------------------------&gt; TIME_WAIT
 *   CLOSE_WAIT    -- close -----------------------------------------&gt; LAST_ACK
 *   LAST_ACK      -- ACK of our FIN ------------------------------&gt; CLOSED
 *   TIME_WAIT     -- 2*MSL (or a new incarnation's SYN) ----------&gt; CLOSED
 *   any           -- RST, abort, retransmission/keep-alive/FIN_WAIT_2 timeout --&gt; CLOSED
 * </pre>
 */
public enum TcpState
{
    /** No connection: the object is free. */
    CLOSED,
    /** Waiting for a SYN on a local port (listen table only). */
    LISTEN,
    /** Our SYN sent (active open), waiting for SYN-ACK. */
    SYN_SENT,
    /** SYN received and SYN-ACK sent, waiting for the ACK of our SYN. */
    SYN_RECEIVED,
    /** Data flows both ways. */
    ESTABLISHED,
    /** We closed and sent FIN; the peer has not acknowledged it yet. */
    FIN_WAIT_1,
    /** Our FIN is acknowledged; waiting for the peer's FIN. */
    FIN_WAIT_2,
    /** The peer closed; we may still send until the application closes. */
    CLOSE_WAIT,
    /** Both sides sent FIN at once; waiting for the ACK of ours. */
    CLOSING,
    /** The peer closed first, then we did; waiting for the ACK of our FIN. */
    LAST_ACK,
    /** Both FINs acknowledged; holding the 4-tuple for 2*MSL so old duplicates die. */
    TIME_WAIT;

    /** MOVES[from] = the states {@code from} may move to (bit per ordinal); drawn above. */
    private static final int[] MOVES = new int[values().length];

    static
    {
        allow(CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED);
        allow(SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSED);
        allow(SYN_RECEIVED, ESTABLISHED, CLOSED);
        allow(ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, CLOSED);
        allow(FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSED);
        allow(FIN_WAIT_2, TIME_WAIT, CLOSED);
        allow(CLOSE_WAIT, LAST_ACK, CLOSED);
        allow(CLOSING, TIME_WAIT, CLOSED);
        allow(LAST_ACK, CLOSED);
        allow(TIME_WAIT, CLOSED);
    }

    private static void allow(final TcpState from, final TcpState... to)
    {
        for (final TcpState t : to)
        {
            MOVES[from.ordinal()] |= 1 << t.ordinal();
        }
    }

    /** @param next a state. @return true if the table above draws a move from this state to {@code next}. */
    public boolean canMoveTo(final TcpState next)
    {
        return (MOVES[ordinal()] & (1 << next.ordinal())) != 0;
    }

    /** @return true in states where sequence numbers of both sides are known (RFC 9293 "synchronized"). */
    public boolean synchronizedState()
    {
        return this != CLOSED && this != LISTEN && this != SYN_SENT;
    }

    /** @return true while the peer may still send us data (we have not seen its FIN). */
    public boolean receivesData()
    {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    /** @return true while the application may still queue data to send. */
    public boolean acceptsSend()
    {
        return this == ESTABLISHED || this == CLOSE_WAIT || this == SYN_SENT || this == SYN_RECEIVED;
    }

    /** @return true while data and our FIN may be transmitted (the synchronized states before TIME_WAIT). */
    public boolean transmitsData()
    {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2 || this == CLOSE_WAIT ||
            this == CLOSING || this == LAST_ACK;
    }
}
