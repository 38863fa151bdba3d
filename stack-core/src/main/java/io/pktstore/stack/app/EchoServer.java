package io.pktstore.stack.app;

import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpLayer;

/**
 * The echo service (RFC 862) on the stack, zero copy: each delivered packet record is handed straight
 * back to {@link TcpConnection#sendRecords}, so the reply's payload is gathered from the very buffer
 * the request arrived in. The received bytes count against our receive window until the peer
 * acknowledges their echo ({@link #onSendAcked}), which gives end-to-end flow control: a client that
 * does not read stops a client that writes. Records the send buffer cannot take yet wait, in order, in a
 * backlog attached to the connection (made the first time one is needed) and go on the next
 * acknowledgment; the echo's FIN waits for them. Closes its side when the peer closes.
 */
public final class EchoServer extends ConnectionCountingService
{
    private long bytesEchoed;

    /** Records waiting for send space, chained through {@code next}; the connection's attachment. */
    private static final class Backlog
    {
        int head = PacketRecord.NO_RECORD;
        int tail = PacketRecord.NO_RECORD;
        boolean closeWhenDrained;
    }

    /** @param pool the stack's record pool. */
    public EchoServer(final PacketRecordPool pool)
    {
        super(pool);
    }

    /**
     * Starts an echo server on {@code port}.
     *
     * @return the server (for its counters).
     */
    public static EchoServer listen(final TcpLayer tcp, final PacketRecordPool pool, final int port)
    {
        final EchoServer server = new EchoServer(pool);
        tcp.listen(port, server);
        return server;
    }

    @Override
    public void onData(final TcpConnection connection, final int record, final long nowNs)
    {
        final Backlog backlog = (Backlog)connection.attachment();
        if (backlog != null && backlog.head != PacketRecord.NO_RECORD)
        {
            // Behind what already waits: order matters.
            pool.view(backlog.tail).next(record);
            backlog.tail = record;
            return;
        }
        echo(connection, record, record, nowNs);
    }

    @Override
    public void onSendAcked(final TcpConnection connection, final int bytes, final long nowNs)
    {
        connection.consumed(bytes, nowNs);
        final Backlog backlog = (Backlog)connection.attachment();
        if (backlog != null && backlog.head != PacketRecord.NO_RECORD)
        {
            final int head = backlog.head;
            backlog.head = PacketRecord.NO_RECORD;
            echo(connection, head, backlog.tail, nowNs);
            if (backlog.head == PacketRecord.NO_RECORD && backlog.closeWhenDrained)
            {
                connection.close(nowNs);
            }
        }
    }

    @Override
    public void onPeerClosed(final TcpConnection connection, final long nowNs)
    {
        final Backlog backlog = (Backlog)connection.attachment();
        if (backlog != null && backlog.head != PacketRecord.NO_RECORD)
        {
            backlog.closeWhenDrained = true;   // our FIN follows the echo still waiting
            return;
        }
        super.onPeerClosed(connection, nowNs);
    }

    @Override
    public void onClosed(final TcpConnection connection, final int reason, final long nowNs)
    {
        final Backlog backlog = (Backlog)connection.attachment();
        if (backlog != null && backlog.head != PacketRecord.NO_RECORD)
        {
            pool.releaseChain(backlog.head);
            backlog.head = PacketRecord.NO_RECORD;
        }
        super.onClosed(connection, reason, nowNs);
    }

    /** Sends the chain [head .. tail]; what the send buffer does not take waits in the backlog. */
    private void echo(final TcpConnection connection, final int head, final int tail, final long nowNs)
    {
        final int before = connection.sendQueued();
        final int rest = connection.sendRecords(head, nowNs);
        bytesEchoed += connection.sendQueued() - before;
        if (rest == PacketRecord.NO_RECORD)
        {
            return;
        }
        if (!connection.state().acceptsSend())
        {
            // We already closed: nothing more can be echoed; do not stall the peer.
            int bytes = 0;
            for (int r = rest; r != PacketRecord.NO_RECORD; r = pool.view(r).next())
            {
                bytes += pool.view(r).dataLength();
            }
            pool.releaseChain(rest);
            connection.consumed(bytes, nowNs);
            return;
        }
        Backlog backlog = (Backlog)connection.attachment();
        if (backlog == null)
        {
            backlog = new Backlog();
            connection.attach(backlog);
        }
        backlog.head = rest;
        backlog.tail = tail;
    }

    /** @return bytes queued for echo. */
    public long bytesEchoed()
    {
        return bytesEchoed;
    }
}
