package io.pktstore.kv.server;

/**
 * What a session needs from its connection, so sessions can be driven by a TCP connection of the
 * stack or, in tests, by a harness that splits requests at any byte boundary and reads the replies
 * back without a network.
 */
public interface ClientConnection
{
    /** @return bytes that may still be queued for sending. */
    int sendSpace();

    /**
     * Queues records from the head of a chain for sending while they fit the send space, and takes
     * ownership of those.
     *
     * @return the first record not taken, still linked to the rest and still the caller's;
     *         {@code PacketRecord.NO_RECORD} when all were taken. A connection that no longer sends
     *         takes nothing and returns {@code head}.
     */
    int sendRecords(int head, long nowNs);

    /** The session is done with {@code bytes} delivered bytes (opens the receive window). */
    void consumed(int bytes, long nowNs);

    /** From now on, queued data waits for {@link #releaseHeldSends}. */
    void holdSends();

    /** Lets everything queued so far go out. */
    void releaseHeldSends(long nowNs);

    /** Closes our direction after the queued data. */
    void close(long nowNs);

    /** Aborts (RST): nothing more is sent. */
    void abort(long nowNs);

    /** @return our port (for CLIENT INFO). */
    int localPort();
}
