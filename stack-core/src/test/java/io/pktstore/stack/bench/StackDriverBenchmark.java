package io.pktstore.stack.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.system.KernelPeerHarness;
import io.pktstore.stack.tcp.TcpConfig;
import org.agrona.concurrent.BusySpinIdleStrategy;

/**
 * The stack's 1 KB round trip on each driver: a kernel TCP client in the peer namespace sends 1 KB
 * to the stack's zero-copy echo server and reads the 1 KB back (TCP_NODELAY, one request in flight),
 * the stack busy-spinning on AF_PACKET V2 or on AF_XDP over its arena. Each run builds a fresh
 * veth pair and stack; runs alternate between the drivers; medians of the runs' medians and p99s,
 * with the bytes the device copied per frame.
 * <p>
 * Usage: {@code java ... io.pktstore.stack.bench.StackDriverBenchmark [runs] [rttsPerRun]}
 */
public final class StackDriverBenchmark
{
    private static final int ECHO_PORT = 7;

    private StackDriverBenchmark()
    {
    }

    /**
     * @param args runs (default 5), round trips per run (default 5000).
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int rtts = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        System.out.println(BenchMachine.describe() + ", kernel " + System.getProperty("os.version"));
        final TcpConfig tcp = new TcpConfig().maxConnections(64).listenBacklog(16).delayedAckNs(0)
            .rto(1_000_000_000L, 200_000_000L, 60_000_000_000L);
        final Map<KernelPeerHarness.Driver, List<double[]>> results = new LinkedHashMap<>();
        for (int r = 0; r < runs; r++)
        {
            for (final KernelPeerHarness.Driver driver : KernelPeerHarness.Driver.values())
            {
                try (KernelPeerHarness h = new KernelPeerHarness(driver, 62, tcp, 32768, new BusySpinIdleStrategy()))
                {
                    h.onStackThread(() -> EchoServer.listen(h.tcp, h.stack.pool(), ECHO_PORT));
                    final StackVsKernelBenchmark.Rtt rtt = h.topology.runInPeerNamespace(
                        () -> StackVsKernelBenchmark.roundTrips(h.stackIp, null, rtts)[0]);
                    final DeviceStatistics s = h.onStackThread(h.device::statistics);
                    results.computeIfAbsent(driver, k -> new ArrayList<>()).add(new double[] {rtt.median() / 1000.0,
                        rtt.p99() / 1000.0, (double)s.rxBytesCopied() / Math.max(1, s.rxFrames()),
                        (double)s.txBytesCopied() / Math.max(1, s.txFrames())});
                }
            }
        }
        System.out.printf("%-12s %14s %14s %18s %18s%n", "driver", "median RTT us", "p99 RTT us", "rx copied B/frame",
            "tx copied B/frame");
        for (final Map.Entry<KernelPeerHarness.Driver, List<double[]>> e : results.entrySet())
        {
            System.out.printf("%-12s %14.1f %14.1f %18.0f %18.0f   runs' medians %s%n", e.getKey(), median(e.getValue(), 0),
                median(e.getValue(), 1), median(e.getValue(), 2), median(e.getValue(), 3),
                Arrays.toString(e.getValue().stream().mapToDouble(v -> Math.round(v[0] * 10) / 10.0).toArray()));
        }
        System.out.printf("AF_XDP/AFPACKET_V2 median RTT = %.2f%n", median(results.get(KernelPeerHarness.Driver.AF_XDP), 0) /
            median(results.get(KernelPeerHarness.Driver.AFPACKET_V2), 0));
    }

    private static double median(final List<double[]> rows, final int column)
    {
        final double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
