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

    /** Queues a chain of records for sending; takes ownership of them. @return false if the connection no longer sends (chain released). */
    boolean sendRecords(int head, long nowNs);

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
