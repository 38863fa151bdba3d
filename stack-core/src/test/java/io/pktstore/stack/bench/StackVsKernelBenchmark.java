package io.pktstore.stack.bench;

import io.pktstore.stack.StackConfig;
import io.pktstore.stack.app.DiscardServer;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.system.KernelPeerHarness;
import io.pktstore.stack.tcp.TcpConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The stack against the kernel on the SAME veth, in one run: a kernel client in the peer namespace
 * measures (1) the round trip of a 1 KB request answered with 1 KB (stack: zero-copy EchoServer; kernel: a
 * Java NIO echo server) and (2) throughput of 1 KB writes into a discard server at 1, 16 and 64
 * connections (stack: DiscardServer; kernel: Java NIO discard). The stack's veth end lives in a namespace
 * of its own: the stack answers at 198.18.x.2 (AF_PACKET TPACKET_V2), the kernel's servers at 198.18.x.3
 * on the same end: the round trips take turns request by request (stack, kernel, stack, ...) over one link. Medians over the runs
 * and their ratios are printed.
 * <p>
 * Optionally a CPU-bound process (a shell busy loop, {@code hog} of them) shares the machine for the
 * whole run, started here and ended by its PID (bounded by {@code timeout} too).
 * <p>
 * Turns by {@code request} (default): the round trips alternate request by request; the stack thread then
 * also wakes for the kernel's traffic (and drops it), which works against the kernel. By {@code run}: whole
 * runs alternate and the stack is paused (asleep, reading nothing) during the kernel's, as it is for the
 * kernel's throughput points in both modes.
 * <p>
 * Placement ({@link BenchPlacement}): FREE (default) lets the scheduler place the threads; SHARED pins the
 * client, the stack's thread and the kernel's server thread to one CPU, SPLIT the client to one CPU and both
 * servers to another, so that both servers get the same placement for the whole run.
 * <p>
 * Usage: {@code StackVsKernelBenchmark [runs] [rttsPerRun] [tputMs] [idle] [hogs] [request|run] [placement]}
 * (defaults 5, 5000, 2000, DEVICE_WAIT, 0, request, FREE); idle is a StackConfig.IdleMode or a BenchIdle
 * spec.
 */
public final class StackVsKernelBenchmark
{
    private static final int ECHO_PORT = KernelServers.ECHO_PORT;
    private static final int DISCARD_PORT = KernelServers.DISCARD_PORT;
    private static final int SIZE = 1024;

    private StackVsKernelBenchmark()
    {
    }

    /** Round-trip statistics of one run, ns. */
    record Rtt(long median, long p99)
    {
    }

    /**
     * @param args runs, round trips per run, throughput milliseconds per point, idle mode, CPU hogs.
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int rtts = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        final long tputMs = args.length > 2 ? Long.parseLong(args[2]) : 2000;
        final String idle = args.length > 3 ? args[3] : "DEVICE_WAIT";
        final int hogs = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        final boolean byRequest = args.length <= 5 || "request".equals(args[5]);
        final BenchPlacement placement = args.length > 6 ? BenchPlacement.valueOf(args[6]) : BenchPlacement.FREE;
        final int[] connections = {1, 16, 64};
        System.out.println(BenchMachine.describe());
        System.out.printf("stack idle %s, %d CPU-bound process(es) sharing the machine, turns by %s, placement %s%n", idle,
            hogs, byRequest ? "request" : "run (stack paused during the kernel's runs)", placement);
        // Linux-like: 40 ms delayed ACK (every second full segment at once), RTO at least 200 ms.
        final TcpConfig tcp = new TcpConfig().maxConnections(512).listenBacklog(256)
            .delayedAckNs(Long.getLong("bench.delayedAckNs", 40_000_000L))
            .rto(1_000_000_000L, 200_000_000L, 60_000_000_000L);
        final List<Process> hogProcesses = new ArrayList<>();
        try (KernelPeerHarness h = new KernelPeerHarness(61, tcp, 32768, BenchIdle.parse(idle), true))
        {
            final DiscardServer discard = h.onStackThread(() ->
            {
                BenchPlacement.pinCurrentThread(placement.serverCpu());
                EchoServer.listen(h.tcp, h.stack.pool(), ECHO_PORT);
                return DiscardServer.listen(h.tcp, h.stack.pool(), DISCARD_PORT);
            });
            final String kernelIp = h.addKernelAddress(3);
            final KernelServers kernel = h.topology.runInStackNamespace(() -> new KernelServers(kernelIp, placement.serverCpu()));
            try
            {
                for (int i = 0; i < hogs; i++)
                {
                    hogProcesses.add(new ProcessBuilder("timeout", "1800", "sh", "-c", "while :; do :; done")
                        .redirectErrorStream(true).start());
                }
                final Rtt[] stackRtt = new Rtt[runs];
                final Rtt[] kernelRtt = new Rtt[runs];
                for (int r = 0; r < runs; r++)
                {
                    if (byRequest)
                    {
                        final Rtt[] pair = inPeer(h, () -> roundTrips(h.stackIp, kernelIp, rtts, placement));
                        stackRtt[r] = pair[0];
                        kernelRtt[r] = pair[1];
                    }
                    else
                    {
                        stackRtt[r] = inPeer(h, () -> roundTrips(h.stackIp, null, rtts, placement))[0];
                        h.pause(true);
                        kernelRtt[r] = inPeer(h, () -> roundTrips(kernelIp, null, rtts, placement))[0];
                        h.pause(false);
                    }
                    System.out.printf("  run %d: stack median %.1f us p99 %.1f us | kernel median %.1f us p99 %.1f us%n",
                        r + 1, stackRtt[r].median() / 1e3, stackRtt[r].p99() / 1e3, kernelRtt[r].median() / 1e3,
                        kernelRtt[r].p99() / 1e3);
                }
                final double[] stackTput = new double[connections.length];
                final double[] kernelTput = new double[connections.length];
                for (int i = 0; i < connections.length; i++)
                {
                    stackTput[i] = throughput(h, h.stackIp, connections[i], tputMs,
                        () -> h.onStackThread(discard::bytesReceived));
                    h.pause(true);
                    kernelTput[i] = throughput(h, kernelIp, connections[i], tputMs, kernel.discarded::get);
                    h.pause(false);
                }
                System.out.println("  stack " + h.onStackThread(() -> "tcp " + h.tcp.counters() + "\n    device " +
                    h.device.statistics() + "\n    stack drops " + h.stack.counters().totalDrops()));
                report(stackRtt, kernelRtt, connections, stackTput, kernelTput, runs, rtts, tputMs);
            }
            finally
            {
                for (final Process p : hogProcesses)
                {
                    p.destroy();
                    p.waitFor();
                }
                kernel.close();
            }
        }
    }

    private static <T> T inPeer(final KernelPeerHarness h, final Callable<T> task) throws Exception
    {
        return h.topology.runInPeerNamespace(task);
    }

    /**
     * Sequential 1 KB request / 1 KB response (TCP_NODELAY) over two connections, one to the stack and one
     * to the kernel, taking turns request by request: both see the same moments of a shared machine.
     *
     * @return the stack's and the kernel's statistics.
     */
    static Rtt[] roundTrips(final String stackIp, final String kernelIp, final int count) throws IOException
    {
        return roundTrips(stackIp, kernelIp, count, BenchPlacement.FREE);
    }

    private static Rtt[] roundTrips(final String stackIp, final String kernelIp, final int count,
        final BenchPlacement placement) throws IOException
    {
        BenchPlacement.pinCurrentThread(placement.clientCpu());
        try (Socket stack = open(stackIp); Socket kernel = kernelIp == null ? null : open(kernelIp))
        {
            final byte[] request = new byte[SIZE];
            final byte[] response = new byte[SIZE];
            Arrays.fill(request, (byte)'q');
            final long[] stackSamples = new long[count];
            final long[] kernelSamples = new long[count];
            for (int i = -1000; i < count; i++)
            {
                final long s = exchange(stack, request, response);
                final long k = kernel == null ? 0 : exchange(kernel, request, response);
                if (i >= 0)
                {
                    stackSamples[i] = s;
                    kernelSamples[i] = k;
                }
            }
            return new Rtt[] {stats(stackSamples), stats(kernelSamples)};
        }
    }

    private static Socket open(final String ip) throws IOException
    {
        final Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(ip, ECHO_PORT), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static long exchange(final Socket s, final byte[] request, final byte[] response) throws IOException
    {
        final OutputStream out = s.getOutputStream();
        final InputStream in = s.getInputStream();
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
        return System.nanoTime() - start;
    }

    private static Rtt stats(final long[] samples)
    {
        Arrays.sort(samples);
        return new Rtt(samples[samples.length / 2], samples[(int)(samples.length * 0.99)]);
    }

    /** Bytes per second the server counted while {@code n} connections streamed 1 KB writes. */
    static double throughput(
        final KernelPeerHarness h, final String ip, final int n, final long ms, final Callable<Long> serverBytes)
        throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread client = h.topology.peerNamespace().startThread("bench-client-" + n, () ->
        {
            try
            {
                streamClient(ip, n, stop);
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
}
