package io.pktstore.stack.app;

import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpLayer;

/**
 * The discard service (RFC 863) on the stack: every delivered record is released at once and its
 * bytes reported consumed, so the receive window stays open. The networking-only baseline of the
 * benchmarks: what a store adds is measured against this. Closes when the peer closes.
 */
public final class DiscardServer extends ConnectionCountingService
{
    private long bytesReceived;

    /** @param pool the stack's record pool (delivered records go back to it). */
    public DiscardServer(final PacketRecordPool pool)
    {
        super(pool);
    }

    /**
     * Starts a discard server on {@code port}.
     *
     * @return the server (for its counters).
     */
    public static DiscardServer listen(final TcpLayer tcp, final PacketRecordPool pool, final int port)
    {
        final DiscardServer server = new DiscardServer(pool);
        tcp.listen(port, server);
        return server;
    }

    @Override
    public void onData(final TcpConnection connection, final int record, final long nowNs)
    {
        final int length = pool.view(record).dataLength();
        bytesReceived += length;
        pool.release(record);
        connection.consumed(length, nowNs);
    }

    /** @return payload bytes received and discarded. */
    public long bytesReceived()
    {
        return bytesReceived;
    }
}
