package io.pktstore.kv.bench;

import io.pktstore.kv.server.ClientConnection;
import io.pktstore.kv.server.Session;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Queue;

/**
 * A session's connection over a kernel TCP socket ({@link KernelTcpFrontEnd}). Replies the session
 * hands down are copied into a per-connection output buffer (the kernel copies them once more into
 * its socket buffer; a user-space stack sends the records themselves) and written when the commit
 * releases them, exactly when the stack would send. The kernel manages the receive window: what the
 * session reports consumed changes nothing here.
 */
final class KernelTcpConnection implements ClientConnection
{
    /** Replies waiting beyond this make the session stop reading (as a full send queue does on the stack). */
    private static final int SEND_SPACE = 1 << 20;

    private final SocketChannel channel;
    private final SelectionKey key;
    private final PacketRecordPool pool;
    private final PacketRecord view = new PacketRecord();
    private final Queue<KernelTcpConnection> closedConnections;
    private ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
    /** Bytes at the front of {@code out} that a commit released (the rest waits for the next). */
    private int released;
    private boolean closeAfterSend;
    private boolean closed;

    /**
     * @param closedConnections where this connection puts itself when its socket closes (its session is
     *                          then ended by the front end, outside the session's own calls).
     */
    KernelTcpConnection(final SocketChannel channel, final SelectionKey key, final PacketRecordPool pool,
                        final Queue<KernelTcpConnection> closedConnections)
    {
        this.channel = channel;
        this.key = key;
        this.pool = pool;
        this.closedConnections = closedConnections;
        out.flip();
    }

    @Override
    public int sendSpace()
    {
        return SEND_SPACE - out.remaining();
    }

    @Override
    public int sendRecords(final int head, final long nowNs)
    {
        if (closed || closeAfterSend)
        {
            return head;   // no longer sends: nothing taken
        }
        int r = head;
        while (r != PacketRecord.NO_RECORD)
        {
            view.wrap(pool.arena(), r);
            final int length = view.dataLength();
            if (length > sendSpace() && r != head)
            {
                break;   // the rest waits for room, as on the stack
            }
            append(pool.arena().bufferAddress(view.bufferIndex()) + view.dataOffset(), length);
            final int next = view.next();
            pool.release(r);
            r = next;
        }
        return r;
    }

    private void append(final long address, final int length)
    {
        out.compact();
        if (out.remaining() < length)
        {
            final ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(out.capacity() * 2, out.position() + length));
            out.flip();
            bigger.put(out);
            out = bigger;
        }
        final int at = out.position();
        final long base = BufferUtil.address(out);
        UnsafeApi.copyMemory(address, base + at, length);
        out.position(at + length);
        out.flip();
    }

    @Override
    public void consumed(final int bytes, final long nowNs)
    {
        // the kernel's TCP opened its window when the bytes were read
    }

    @Override
    public void holdSends()
    {
        // always held: replies leave only when a commit releases them (releaseHeldSends)
    }

    @Override
    public void releaseHeldSends(final long nowNs)
    {
        released = out.remaining();
        flush();
    }

    /** Writes what was released and the socket takes now; the rest waits for OP_WRITE. */
    void flush()
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (released > 0)
            {
                final int limit = out.limit();
                out.limit(out.position() + released);
                released -= channel.write(out);
                out.limit(limit);
            }
            if (!out.hasRemaining() && closeAfterSend)
            {
                shut();
                return;
            }
            key.interestOps(released > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
        catch (final IOException e)
        {
            shut();
        }
    }

    @Override
    public void close(final long nowNs)
    {
        closeAfterSend = true;   // after the replies queued so far, once released
        if (!out.hasRemaining())
        {
            shut();
        }
    }

    @Override
    public void abort(final long nowNs)
    {
        try
        {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        shut();
    }

    private void shut()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closedConnections.add(this);
        key.cancel();
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    private Session session;

    /** @param owner the session this connection serves. */
    void attach(final Session owner)
    {
        session = owner;
    }

    /** @return the session this connection serves. */
    Session session()
    {
        return session;
    }

    /** @return the socket. */
    SocketChannel channel()
    {
        return channel;
    }

    /** @return true once the socket is closed (the front end then ends the session). */
    boolean isClosed()
    {
        return closed;
    }

    @Override
    public int localPort()
    {
        return channel.socket().getLocalPort();
    }
}
