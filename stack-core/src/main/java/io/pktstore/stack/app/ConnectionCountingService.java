package io.pktstore.stack.app;

import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;

/**
 * What the stack's simple services share: the record pool their data comes from, counts of the
 * connections they served, and closing their side when the peer closes (RFC 862/863 services have
 * nothing more to say once the client is done). Subclasses decide what happens to the data.
 */
public abstract class ConnectionCountingService implements TcpHandler
{
    /** The stack's record pool: delivered records are released to it or sent from it. */
    protected final PacketRecordPool pool;
    private long connectionsAccepted;
    private long connectionsClosed;

    protected ConnectionCountingService(final PacketRecordPool pool)
    {
        this.pool = pool;
    }

    @Override
    public void onConnected(final TcpConnection connection, final long nowNs)
    {
        connectionsAccepted++;
    }

    @Override
    public void onPeerClosed(final TcpConnection connection, final long nowNs)
    {
        connection.close(nowNs);
    }

    @Override
    public void onClosed(final TcpConnection connection, final int reason, final long nowNs)
    {
        connectionsClosed++;
    }

    /** @return connections that reached ESTABLISHED. */
    public long connectionsAccepted()
    {
        return connectionsAccepted;
    }

    /** @return connections that ended (any reason). */
    public long connectionsClosed()
    {
        return connectionsClosed;
    }
}
