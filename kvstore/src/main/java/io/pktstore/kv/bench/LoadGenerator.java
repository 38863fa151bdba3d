package io.pktstore.kv.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's client, like the paper's wrk: persistent connections over the kernel's TCP, closed
 * loop (each connection sends its next request when the reply to the previous one is complete), a
 * warm-up, then a fixed number of measured requests; every request's round trip goes into an
 * HdrHistogram. One selector thread drives all connections (epoll, blocking: the client does not
 * spin on the two shared cores the server needs too).
 *
 * <p>Run in the client namespace ({@code ip netns exec NS java ... LoadGenerator --host ...}); prints
 * one {@link PointResult} line per connection count. Arguments: {@code --host A --port P --protocol
 * resp|http --value-size B --keys N --write-percent W --warmup N --requests N --time-limit-ms T --seed S
 * --connections 1,4,16,64}.
 */
public final class LoadGenerator
{
    private static final long CONNECT_TIMEOUT_MS = 5_000;

    private final InetSocketAddress server;
    private final Workload workload;

    LoadGenerator(final InetSocketAddress server, final Workload workload)
    {
        this.server = server;
        this.workload = workload;
    }

    /**
     * @param args see the class comment.
     * @throws Exception if a connection fails (the benchmark command reports the output).
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = arguments(args);
        final Workload workload = new Workload(Protocol.parse(a.getOrDefault("protocol", "resp")),
            Integer.parseInt(a.getOrDefault("value-size", "1024")), Integer.parseInt(a.getOrDefault("keys", "10000")),
            Integer.parseInt(a.getOrDefault("write-percent", "100")), Long.parseLong(a.getOrDefault("warmup", "2000")),
            Long.parseLong(a.getOrDefault("requests", "20000")), Long.parseLong(a.getOrDefault("time-limit-ms", "30000")),
            Long.parseLong(a.getOrDefault("seed", "1")));
        final LoadGenerator generator = new LoadGenerator(new InetSocketAddress(a.get("host"),
            Integer.parseInt(a.getOrDefault("port", "6379"))), workload);
        if (workload.reads())
        {
            generator.preload();
        }
        for (final String c : a.getOrDefault("connections", "1").split(","))
        {
            System.out.println(generator.runPoint(Integer.parseInt(c)).toLine());
            System.out.flush();
        }
    }

    private static Map<String, String> arguments(final String[] args)
    {
        final Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            if (!args[i].startsWith("--"))
            {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        if (!a.containsKey("host"))
        {
            throw new IllegalArgumentException("--host is required");
        }
        return a;
    }

    /** Stores every key once (over 4 connections) so the GETs of a mix find values. */
    void preload() throws IOException
    {
        final Workload all = new Workload(workload.protocol(), workload.valueBytes(), workload.keyCount(), 100, 0,
            workload.keyCount(), Math.max(workload.timeLimitMs(), 60_000), workload.seed());
        run(4, all, true);
    }

    /** Runs one point: warm-up then the measured requests over {@code connections} connections. */
    PointResult runPoint(final int connections) throws IOException
    {
        return run(connections, workload, false);
    }

    private PointResult run(final int connectionCount, final Workload w, final boolean preload) throws IOException
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long total = w.warmupRequests() + w.requests();
        final RequestSource source = new RequestSource(w, server.getHostString(), connectionCount);
        final List<Connection> connections = new ArrayList<>();
        try (Selector selector = Selector.open())
        {
            for (int i = 0; i < connectionCount; i++)
            {
                connections.add(new Connection(connect(), source.maxRequestBytes(), w.valueBytes() + 1024));
            }
            long issued = 0;
            long completed = 0;
            long errors = 0;
            long measuredStart = 0;
            for (final Connection c : connections)
            {
                c.channel.register(selector, SelectionKey.OP_READ, c);
                if (issued < total)
                {
                    if (issued == w.warmupRequests())
                    {
                        measuredStart = System.nanoTime();
                    }
                    c.send(source, preload, issued++, selector);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(w.timeLimitMs());
            boolean cutShort = false;
            while (completed < total)
            {
                if (System.nanoTime() > deadline)
                {
                    cutShort = true;
                    break;
                }
                selector.select(100);
                final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext())
                {
                    final SelectionKey key = it.next();
                    it.remove();
                    final Connection c = (Connection)key.attachment();
                    if (key.isWritable())
                    {
                        c.flush(selector);
                    }
                    if (!key.isReadable() || !c.readReply(w.protocol()))
                    {
                        continue;
                    }
                    final long now = System.nanoTime();
                    if (c.sequence >= w.warmupRequests())
                    {
                        histogram.recordValue(Math.min(now - c.sentNs, histogram.getHighestTrackableValue()));
                        errors += c.lastWasError ? 1 : 0;
                    }
                    completed++;
                    if (issued < total)
                    {
                        if (issued == w.warmupRequests())
                        {
                            measuredStart = now;
                        }
                        c.send(source, preload, issued++, selector);
                    }
                }
            }
            final long elapsed = System.nanoTime() - measuredStart;
            return PointResult.of(connectionCount, histogram, errors, elapsed, cutShort);
        }
        finally
        {
            for (final Connection c : connections)
            {
                c.channel.close();
            }
        }
    }

    private SocketChannel connect() throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.socket().connect(server, (int)CONNECT_TIMEOUT_MS);
        channel.configureBlocking(false);
        return channel;
    }

    /** One persistent connection with one request outstanding. */
    private static final class Connection
    {
        final SocketChannel channel;
        final ByteBuffer out;
        ByteBuffer in;
        long sequence;
        long sentNs;
        boolean lastWasError;

        Connection(final SocketChannel channel, final int requestBytes, final int replyBytes)
        {
            this.channel = channel;
            this.out = ByteBuffer.allocateDirect(requestBytes);
            this.in = ByteBuffer.allocate(replyBytes);
        }

        void send(final RequestSource source, final boolean preload, final long seq, final Selector selector)
            throws IOException
        {
            if (preload)
            {
                source.nextPreloadRequest(out);
            }
            else
            {
                source.nextRequest(out);
            }
            sequence = seq;
            sentNs = System.nanoTime();
            flush(selector);
        }

        void flush(final Selector selector) throws IOException
        {
            channel.write(out);
            final SelectionKey key = channel.keyFor(selector);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** Reads what arrived; @return true when the outstanding request's reply is complete. */
        boolean readReply(final Protocol protocol) throws IOException
        {
            if (!in.hasRemaining())
            {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
            if (channel.read(in) < 0)
            {
                throw new IOException("the server closed a connection with a request outstanding");
            }
            final int length = ReplyFraming.replyLength(protocol, in);
            if (length == ReplyFraming.INCOMPLETE)
            {
                return false;
            }
            if (length != in.position())
            {
                throw new IOException("more bytes than one reply (" + in.position() + " for a reply of " + length + ")");
            }
            lastWasError = ReplyFraming.isError(protocol, in);
            in.clear();
            return true;
        }
    }
}
