package io.pktstore.stack.app;

import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpLayer;

/**
 * The echo service (RFC 862) on the stack, zero copy: each delivered packet record is handed straight
 * back to {@link TcpConnection#sendRecords}, so the reply's payload is gathered from the very buffer
 * the request arrived in. The received bytes count against our receive window until the peer
 * acknowledges their echo ({@link #onSendAcked}), which gives end-to-end flow control: a client that
 * does not read stops a client that writes. Closes its side when the peer closes.
 */
public final class EchoServer extends ConnectionCountingService
{
    private long bytesEchoed;

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
        final int length = pool.view(record).dataLength();
        if (connection.sendRecords(record, nowNs))
        {
            bytesEchoed += length;
        }
        else
        {
            connection.consumed(length, nowNs);   // could not echo (we already closed): do not stall the peer
        }
    }

    @Override
    public void onSendAcked(final TcpConnection connection, final int bytes, final long nowNs)
    {
        connection.consumed(bytes, nowNs);
    }

    /** @return bytes queued for echo. */
    public long bytesEchoed()
    {
        return bytesEchoed;
    }
}
