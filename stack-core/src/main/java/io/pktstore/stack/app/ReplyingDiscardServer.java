package io.pktstore.stack.app;

import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Discard with a reply: the networking-only baseline of the store benchmark (the paper's "server
 * application [that] simply discard[s] the request and return[s] the response as if the request was
 * processed"). It parses nothing: the client sends requests of one fixed size, and after every
 * {@code requestBytes} bytes received the server sends the fixed {@code reply} (e.g. RESP's
 * {@code +OK\r\n}). Delivered records are released at once and reported consumed, as
 * {@link DiscardServer} does, so what a store adds on top is measured against the stack alone.
 *
 * <p>A client that sends anything but whole requests of the agreed size gets replies at the wrong
 * moments; that is the price of parsing nothing, and the benchmark's load generator sends exactly that.
 */
public final class ReplyingDiscardServer extends ConnectionCountingService
{
    private final int requestBytes;
    private final UnsafeBuffer reply;
    private long replies;

    /**
     * @param pool the stack's record pool.
     * @param requestBytes the size of every request, bytes (1 or more).
     * @param reply the bytes sent after each request.
     */
    public ReplyingDiscardServer(final PacketRecordPool pool, final int requestBytes, final byte[] reply)
    {
        super(pool);
        if (requestBytes < 1 || reply.length == 0)
        {
            throw new IllegalArgumentException("requests of 1 or more bytes and a reply of 1 or more bytes");
        }
        this.requestBytes = requestBytes;
        this.reply = new UnsafeBuffer(reply.clone());
    }

    /**
     * Starts the server on {@code port}.
     *
     * @return the server (for its counters).
     */
    public static ReplyingDiscardServer listen(final TcpLayer tcp, final PacketRecordPool pool, final int port,
                                               final int requestBytes, final byte[] reply)
    {
        final ReplyingDiscardServer server = new ReplyingDiscardServer(pool, requestBytes, reply);
        tcp.listen(port, server);
        return server;
    }

    @Override
    public void onConnected(final TcpConnection connection, final long nowNs)
    {
        super.onConnected(connection, nowNs);
        connection.attach(new RequestProgress());
    }

    @Override
    public void onData(final TcpConnection connection, final int record, final long nowNs)
    {
        final int length = pool.view(record).dataLength();
        pool.release(record);
        final RequestProgress progress = (RequestProgress)connection.attachment();
        progress.received += length;
        while (progress.received >= requestBytes)
        {
            progress.received -= requestBytes;
            connection.send(reply, 0, reply.capacity(), nowNs);
            replies++;
        }
        connection.consumed(length, nowNs);   // after the replies, which carry the ACK
    }

    /** @return replies sent. */
    public long replies()
    {
        return replies;
    }

    /** Bytes of the current request received so far on one connection. */
    private static final class RequestProgress
    {
        long received;
    }
}
