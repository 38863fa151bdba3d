package io.pktstore.stack.tcp;

/**
 * The connection states of RFC 9293 section 3.3.2. {@link #LISTEN} is held by listeners in the
 * {@link TcpLayer}'s listen table, never by a {@link TcpConnection}; {@link #CLOSED} is the state of a
 * connection object that sits in the free pool.
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
}
