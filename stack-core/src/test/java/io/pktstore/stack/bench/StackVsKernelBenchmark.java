package io.pktstore.stack.bench;

import io.pktstore.nic.host.Commands;
import io.pktstore.stack.app.DiscardServer;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.system.KernelPeerHarness;
import io.pktstore.stack.tcp.TcpConfig;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stack against the kernel on the SAME veth, in one run: a kernel client in the peer namespace
 * measures (1) the round trip of a 1 KB request answered with 1 KB (stack: zero-copy EchoServer;
 * kernel: a Java NIO echo server) and (2) throughput of 1 KB writes into a discard server at 1, 16 and
 * 64 connections (stack: DiscardServer; kernel: Java NIO discard). Phase one runs the stack on the
 * veth end (no IP; AF_PACKET TPACKET_V2, busy-spinning agent); phase two stops it, gives the same
 * veth end the same address and runs the kernel servers there. Medians over several runs, ratios.
 * <p>
 * Usage: {@code scripts/bench stack-core io.pktstore.stack.bench.StackVsKernelBenchmark [runs] [rttsPerRun] [tputMs]}
 */
public final class StackVsKernelBenchmark
{
    private static final int ECHO_PORT = 7;
    private static final int DISCARD_PORT = 9;
    private static final int SIZE = 1024;

    private StackVsKernelBenchmark()
    {
    }

    /** Round-trip statistics of one run, ns. */
    record Rtt(long median, long p99)
    {
    }

    /**
     * @param args runs, round trips per run, throughput milliseconds per point.
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int rtts = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        final long tputMs = args.length > 2 ? Long.parseLong(args[2]) : 2000;
        final int[] connections = {1, 16, 64};
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() +
            ", java " + System.getProperty("java.version"));
        final TcpConfig tcp = new TcpConfig().maxConnections(512).listenBacklog(256).delayedAckNs(0)
            .rto(1_000_000_000L, 200_000_000L, 60_000_000_000L);
        try (KernelPeerHarness h = new KernelPeerHarness(61, tcp, 32768, new BusySpinIdleStrategy()))
        {
            final DiscardServer discard = h.onStackThread(() ->
            {
                EchoServer.listen(h.tcp, h.stack.pool(), ECHO_PORT);
                return DiscardServer.listen(h.tcp, h.stack.pool(), DISCARD_PORT);
            });
            final Rtt[] stackRtt = new Rtt[runs];
            for (int r = 0; r < runs; r++)
            {
                stackRtt[r] = inPeer(h, () -> roundTrips(h.stackIp, rtts));
            }
            final double[] stackTput = new double[connections.length];
            for (int i = 0; i < connections.length; i++)
            {
                stackTput[i] = throughput(h, connections[i], tputMs, () -> h.onStackThread(discard::bytesReceived));
                System.out.println("  after " + connections[i] + " connections: " +
                    h.onStackThread(() -> "tcp " + h.tcp.counters() + "\n    device " + h.device.statistics() +
                    "\n    stack drops " + h.stack.counters().totalDrops()));
            }
            h.stopStack();

            // Phase two: the kernel owns the same veth end and address.
            Commands.check("ip", "addr", "add", h.stackIp + "/24", "dev", h.topology.stackInterface());
            final KernelServers kernel = new KernelServers(h.stackIp);
            try
            {
                final Rtt[] kernelRtt = new Rtt[runs];
                for (int r = 0; r < runs; r++)
                {
                    kernelRtt[r] = inPeer(h, () -> roundTrips(h.stackIp, rtts));
                }
                final double[] kernelTput = new double[connections.length];
                for (int i = 0; i < connections.length; i++)
                {
                    kernelTput[i] = throughput(h, connections[i], tputMs, kernel.discarded::get);
                }
                report(stackRtt, kernelRtt, connections, stackTput, kernelTput, runs, rtts, tputMs);
            }
            finally
            {
                kernel.close();
                Commands.run(List.of("ip", "addr", "del", h.stackIp + "/24", "dev", h.topology.stackInterface()));
            }
        }
    }

    private static <T> T inPeer(final KernelPeerHarness h, final Callable<T> task) throws Exception
    {
        return h.topology.runInPeerNamespace(task);
    }

    /** Sequential 1 KB request / 1 KB response over one connection (TCP_NODELAY). */
    static Rtt roundTrips(final String ip, final int count) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(ip, ECHO_PORT), 5000);
            s.setSoTimeout(10_000);
            final OutputStream out = s.getOutputStream();
            final InputStream in = s.getInputStream();
            final byte[] request = new byte[SIZE];
            final byte[] response = new byte[SIZE];
            Arrays.fill(request, (byte)'q');
            final long[] samples = new long[count];
            for (int i = -1000; i < count; i++)
            {
                final long start = System.nanoTime();
                out.write(request);
                int at = 0;
                while (at < SIZE)
                {
                    final int n = in.read(response, at, SIZE - at);
                    if (n < 0)
                    {
                        throw new IOException("server closed");
                    }
                    at += n;
                }
                if (i >= 0)
                {
                    samples[i] = System.nanoTime() - start;
                }
            }
            Arrays.sort(samples);
            return new Rtt(samples[count / 2], samples[(int)(count * 0.99)]);
        }
    }

    /** Bytes per second the server counted while {@code n} connections streamed 1 KB writes. */
    static double throughput(final KernelPeerHarness h, final int n, final long ms, final Callable<Long> serverBytes)
        throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread client = h.topology.peerNamespace().startThread("bench-client-" + n, () ->
        {
            try
            {
                streamClient(h.stackIp, n, stop);
            }
            catch (final IOException e)
            {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);   // connections up, windows open
        final long b0 = serverBytes.call();
        final long t0 = System.nanoTime();
        Thread.sleep(ms);
        final long b1 = serverBytes.call();
        final long t1 = System.nanoTime();
        stop.set(true);
        client.join(10_000);
        Thread.sleep(500);   // let the closes finish
        return (b1 - b0) * 1e9 / (t1 - t0);
    }

    private static void streamClient(final String ip, final int n, final AtomicBoolean stop) throws IOException
    {
        final List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open())
        {
            for (int i = 0; i < n; i++)
            {
                final SocketChannel c = SocketChannel.open(new InetSocketAddress(ip, DISCARD_PORT));
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_WRITE);
                channels.add(c);
            }
            final ByteBuffer chunk = ByteBuffer.allocateDirect(SIZE);
            while (!stop.get())
            {
                selector.select(100);
                final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext())
                {
                    final SelectionKey k = it.next();
                    it.remove();
                    chunk.clear();
                    ((SocketChannel)k.channel()).write(chunk);
                }
            }
        }
        finally
        {
            for (final SocketChannel c : channels)
            {
                c.close();
            }
        }
    }

    private static long median(final long[] values)
    {
        final long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static void report(final Rtt[] stack, final Rtt[] kernel, final int[] connections,
        final double[] stackTput, final double[] kernelTput, final int runs, final int rtts, final long tputMs)
    {
        final long sMed = median(Arrays.stream(stack).mapToLong(Rtt::median).toArray());
        final long sP99 = median(Arrays.stream(stack).mapToLong(Rtt::p99).toArray());
        final long kMed = median(Arrays.stream(kernel).mapToLong(Rtt::median).toArray());
        final long kP99 = median(Arrays.stream(kernel).mapToLong(Rtt::p99).toArray());
        System.out.printf("1 KB round trip, %d runs x %d (median of run medians / of run p99s):%n", runs, rtts);
        System.out.printf("  stack EchoServer : median %7.1f us  p99 %7.1f us%n", sMed / 1e3, sP99 / 1e3);
        System.out.printf("  kernel NIO echo  : median %7.1f us  p99 %7.1f us%n", kMed / 1e3, kP99 / 1e3);
        System.out.printf("  ratio stack/kernel: median %.2f  p99 %.2f%n", (double)sMed / kMed, (double)sP99 / kP99);
        System.out.printf("  per-run stack medians us: %s%n", Arrays.toString(Arrays.stream(stack).mapToLong(r -> r.median() / 1000).toArray()));
        System.out.printf("  per-run kernel medians us: %s%n", Arrays.toString(Arrays.stream(kernel).mapToLong(r -> r.median() / 1000).toArray()));
        System.out.printf("1 KB writes into a discard server, %d ms per point:%n", tputMs);
        for (int i = 0; i < connections.length; i++)
        {
            System.out.printf("  %2d connections: stack %7.1f MB/s  kernel %7.1f MB/s  ratio %.2f%n", connections[i],
                stackTput[i] / 1e6, kernelTput[i] / 1e6, stackTput[i] / kernelTput[i]);
        }
    }

    private static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException ignored)
        {
            // not Linux: no model
        }
        return "unknown CPU";
    }
}
