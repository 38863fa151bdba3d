package io.pktstore.kv.server;

import io.pktstore.stack.tcp.TcpConnection;

/** {@link ClientConnection} over a connection of the stack's TCP (one per session, re-pointed per connection). */
final class TcpClientConnection implements ClientConnection
{
    private TcpConnection connection;

    TcpClientConnection wrap(final TcpConnection c)
    {
        this.connection = c;
        return this;
    }

    @Override
    public int sendSpace()
    {
        return connection.sendSpace();
    }

    @Override
    public int sendRecords(final int head, final long nowNs)
    {
        return connection.sendRecords(head, nowNs);
    }

    @Override
    public void consumed(final int bytes, final long nowNs)
    {
        connection.consumed(bytes, nowNs);
    }

    @Override
    public void holdSends()
    {
        connection.holdSends();
    }

    @Override
    public void releaseHeldSends(final long nowNs)
    {
        connection.releaseHeldSends(nowNs);
    }

    @Override
    public void close(final long nowNs)
    {
        connection.close(nowNs);
    }

    @Override
    public void abort(final long nowNs)
    {
        connection.abort(nowNs);
    }

    @Override
    public int localPort()
    {
        return connection.localPort();
    }
}
