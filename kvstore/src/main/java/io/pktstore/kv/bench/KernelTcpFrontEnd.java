package io.pktstore.kv.bench;

import io.pktstore.arena.Arena;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.Session;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.InternetChecksum;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * pktstore's store behind the kernel's TCP instead of our stack: the benchmark's answer to "what if
 * the store were served by an ordinary socket server?". Everything above the transport is the same
 * code the node runs: the {@link KvServer} with its group commit per cycle, the same protocol sessions,
 * the same {@link io.pktstore.kv.store.KvStore} on an arena. Only where the bytes come from differs:
 *
 * <ul>
 *   <li>A Java NIO selector thread (epoll, blocking like Redis's event loop) accepts and reads. Each
 *       read goes straight into a freshly allocated arena payload buffer ({@link ArenaByteBuffers}):
 *       the kernel's copy out of its socket buffer is the one copy, as AF_PACKET's ring copy is on the
 *       stack. No user-space copy follows on the way in.</li>
 *   <li>The bytes read become a packet record over that buffer, as a received segment's record does,
 *       and are delivered to the session, which takes range clones of them for keys and values exactly
 *       as on the stack (zero copy from here on).</li>
 *   <li>With no TCP segment around them there is no TCP checksum to keep, so the read bytes get what
 *       the stack does on veth (where it completes every checksum in software): one Internet-checksum
 *       pass, stored in the record as for a store copy, and are persisted when read (the stack persists
 *       a stored segment at its commit; the cost is the same write-back of the same bytes).</li>
 *   <li>After each round of ready sockets the server's duty-cycle hook runs: one group commit, then the
 *       held replies are released and written ({@link KernelTcpConnection}).</li>
 * </ul>
 * A benchmark fixture, not a serving mode: the store it serves is formatted for the run and never
 * recovered (a value clone of a read chunk carries the chunk's checksum, not its own).
 */
final class KernelTcpFrontEnd implements AutoCloseable
{
    private final KvServer server;
    private final Function<KvServer, Session> sessions;
    private final PacketRecordPool pool;
    private final Arena arena;
    private final ArenaByteBuffers views;
    private final PacketRecord view = new PacketRecord();
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final ArrayDeque<Session> freeSessions = new ArrayDeque<>();
    private final ArrayDeque<KernelTcpConnection> closedConnections = new ArrayDeque<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Binds and starts the selector thread.
     *
     * @param server the serving side over the store (its pool over the store's arena).
     * @param sessions makes a protocol session (e.g. {@code RespSession::new}).
     * @param address where to listen (an address of the kernel's, in the server namespace).
     */
    KernelTcpFrontEnd(final KvServer server, final Function<KvServer, Session> sessions, final InetSocketAddress address)
        throws IOException
    {
        this.server = server;
        this.sessions = sessions;
        this.pool = server.pool();
        this.arena = pool.arena();
        this.views = new ArenaByteBuffers(arena);
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        listener.bind(address, 512);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "kernel-tcp-store");
        thread.start();
    }

    private void loop()
    {
        try
        {
            while (running)
            {
                selector.select(100);
                final long now = System.nanoTime();
                final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext())
                {
                    final SelectionKey key = it.next();
                    it.remove();
                    if (key.isValid() && key.isAcceptable())
                    {
                        accept(now);
                    }
                    else if (key.isValid())
                    {
                        serve(key, now);
                    }
                }
                server.afterInput(now);   // one group commit for the round, then the replies go
                endClosedSessions();
            }
        }
        catch (final Throwable t)
        {
            failure.set(t);
        }
    }

    private void accept(final long now) throws IOException
    {
        final SocketChannel channel = listener.accept();
        if (channel == null)
        {
            return;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        final Session session = freeSessions.isEmpty() ? sessions.apply(server) : freeSessions.pop();
        final KernelTcpConnection connection = new KernelTcpConnection(channel, key, pool, closedConnections);
        key.attach(connection);
        connection.attach(session);
        session.open(connection);
    }

    /** Sessions whose sockets closed release what they hold and wait for the next connection. */
    private void endClosedSessions()
    {
        KernelTcpConnection c;
        while ((c = closedConnections.poll()) != null)
        {
            c.session().closed();
            freeSessions.push(c.session());
        }
    }

    private void serve(final SelectionKey key, final long now)
    {
        final KernelTcpConnection c = (KernelTcpConnection)key.attachment();
        if (key.isWritable())
        {
            c.flush();
            if (!c.isClosed())
            {
                c.session().sendAcked(now);
            }
        }
        if (!c.isClosed() && key.isValid() && key.isReadable())
        {
            read(c, now);
        }
    }

    /** Reads what the socket holds into a new arena buffer and delivers it as a record. */
    private void read(final KernelTcpConnection c, final long now)
    {
        final int buffer = arena.allocateBuffer();
        if (buffer == Arena.NONE)
        {
            c.abort(now);   // no room even for input: as the stack drops the frame
            return;
        }
        final ByteBuffer target = views.view(buffer);
        int n;
        try
        {
            n = c.channel().read(target);
        }
        catch (final IOException e)
        {
            n = -1;
        }
        if (n <= 0)
        {
            arena.releaseBuffer(buffer);
            if (n < 0)
            {
                c.session().peerClosed(now);
            }
            return;
        }
        final int record = pool.adopt(buffer);
        if (record == PacketRecord.NO_RECORD)
        {
            arena.releaseBuffer(buffer);
            c.abort(now);
            return;
        }
        final long address = arena.bufferAddress(buffer);
        view.wrap(arena, record).timestampNs(System.currentTimeMillis() * 1_000_000L).dataOffset(0).dataLength(n)
            .checksumState(PacketRecord.CHECKSUM_STORE_COPY)
            .tcpChecksum(InternetChecksum.fold(InternetChecksum.sum(address, n, 0)) & 0xFFFF);
        arena.persistBuffer(buffer, 0, n);
        c.session().deliver(record, now);
    }

    /** @return the port listened on (useful when bound to port 0). */
    int port()
    {
        return listener.socket().getLocalPort();
    }

    /** @return the error that stopped the selector thread, or null. */
    Throwable failure()
    {
        return failure.get();
    }

    /** Stops the thread and closes every socket (the store and arena are the caller's). */
    @Override
    public void close() throws Exception
    {
        running = false;
        selector.wakeup();
        thread.join(10_000);
        for (final SelectionKey key : selector.keys())
        {
            key.channel().close();
        }
        selector.close();
    }
}
