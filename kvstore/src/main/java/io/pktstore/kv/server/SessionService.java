package io.pktstore.kv.server;

import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;

import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * A front end's listening port: gives each connection a {@link Session} (reused across connections)
 * and hands it the connection's events. One instance serves every connection of the port.
 */
public final class SessionService implements TcpHandler
{
    private final KvServer server;
    private final Function<KvServer, Session> factory;
    private final ArrayDeque<Session> free = new ArrayDeque<>();
    private final String protocol;
    private long accepted;
    private long open;

    /**
     * @param server the server the sessions belong to.
     * @param protocol a name for stats ("resp", "http").
     * @param factory makes a new session when none is free.
     */
    public SessionService(final KvServer server, final String protocol, final Function<KvServer, Session> factory)
    {
        this.server = server;
        this.protocol = protocol;
        this.factory = factory;
    }

    @Override
    public void onConnected(final TcpConnection connection, final long nowNs)
    {
        Session session = free.pollFirst();
        if (session == null)
        {
            session = factory.apply(server);
        }
        accepted++;
        open++;
        connection.attach(session);
        session.open(session.tcpAdapter.wrap(connection));
    }

    @Override
    public void onData(final TcpConnection connection, final int record, final long nowNs)
    {
        ((Session)connection.attachment()).deliver(record, nowNs);
    }

    @Override
    public void onPeerClosed(final TcpConnection connection, final long nowNs)
    {
        ((Session)connection.attachment()).peerClosed(nowNs);
    }

    @Override
    public void onSendAcked(final TcpConnection connection, final int bytes, final long nowNs)
    {
        ((Session)connection.attachment()).sendAcked(nowNs);
    }

    @Override
    public void onClosed(final TcpConnection connection, final int reason, final long nowNs)
    {
        final Object attachment = connection.attachment();
        if (attachment instanceof Session session)
        {
            session.closed();
            open--;
            free.addFirst(session);
        }
    }

    /** @return connections accepted so far. */
    public long accepted()
    {
        return accepted;
    }

    /** @return connections open now. */
    public long open()
    {
        return open;
    }

    /** @return the protocol's name. */
    public String protocol()
    {
        return protocol;
    }
}
