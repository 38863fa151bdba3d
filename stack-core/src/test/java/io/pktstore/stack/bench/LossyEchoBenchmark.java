package io.pktstore.stack.bench;

import io.pktstore.stack.StackConfig;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.system.KernelPeerHarness;
import io.pktstore.stack.tcp.TcpConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bulk echo through random loss, the stack against the kernel on the SAME veth in one run: a kernel
 * client in the peer namespace writes N MiB to an echo server and reads it all back; nftables in the peer
 * namespace drops a random percentage of packets both ways. The stack's zero-copy EchoServer answers at
 * 198.18.x.2; a Java NIO echo server on the kernel's TCP answers at 198.18.x.3 on the same veth end (the
 * stack's end lives in a namespace of its own, where the kernel holds .3). Runs alternate stack, kernel,
 * stack, kernel...; medians per side and their ratio are printed.
 * <p>
 * Loss kinds: {@code single} sets {@code gso_max_segs 1} on both veth ends so the kernel builds one
 * segment per packet and the nftables rule drops single segments; {@code bursty} leaves GSO on, so the
 * rule sees the kernel's super-packets (about 16 segments) and drops them whole.
 * <p>
 * Usage: {@code LossyEchoBenchmark [runs] [mib] [lossPercent] [single|bursty] [idle]} (defaults 3, 20, 5,
 * single, DEVICE_WAIT). Each run is bounded (300 s).
 */
public final class LossyEchoBenchmark
{
    private static final int ECHO_PORT = 7;
    private static final int SUBNET = 62;
    private static final long RUN_LIMIT_MS = 300_000;

    private LossyEchoBenchmark()
    {
    }

    /**
     * @param args runs, MiB per run, loss percent, loss kind, stack idle mode.
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        final long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 20) << 20;
        final int loss = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        final boolean single = args.length <= 3 || "single".equals(args[3]);
        final StackConfig.IdleMode idle = args.length > 4 ? StackConfig.IdleMode.valueOf(args[4]) :
            StackConfig.IdleMode.DEVICE_WAIT;
        System.out.println(BenchMachine.describe());
        System.out.printf("echo %d MiB through %d%% %s loss each way, %d runs per side, stack idle %s%n",
            bytes >> 20, loss, single ? "single-segment" : "bursty (GSO)", runs, idle);
        // Linux-like timers for both sides: RTO from 1 s, at least 200 ms (TCP_RTO_MIN), 40 ms delayed ACK.
        final TcpConfig tcp = new TcpConfig().maxConnections(64).rto(1_000_000_000L, 200_000_000L, 120_000_000_000L);
        try (KernelPeerHarness h = new KernelPeerHarness(SUBNET, tcp, 32768, idle, true))
        {
            h.onStackThread(() -> EchoServer.listen(h.tcp, h.stack.pool(), ECHO_PORT));
            final String kernelIp = h.addKernelAddress(3);
            final KernelServers kernel = h.topology.runInStackNamespace(() -> new KernelServers(kernelIp));
            try
            {
                if (single)
                {
                    h.peer(10_000, "ip", "link", "set", "dev", h.topology.peerInterface(), "gso_max_segs", "1").check();
                    h.stackSide(10_000, "ip", "link", "set", "dev", h.topology.stackInterface(), "gso_max_segs", "1").check();
                }
                h.topology.addPeerLossRule(loss);
                final long[] stackMs = new long[runs];
                final long[] kernelMs = new long[runs];
                for (int r = 0; r < runs; r++)
                {
                    stackMs[r] = timedEcho(h, h.stackIp, bytes);
                    final String tcpCounters = h.onStackThread(() -> h.tcp.counters().toString());
                    final String before = kernelCounters(h);
                    kernelMs[r] = timedEcho(h, kernelIp, bytes);
                    if (Boolean.getBoolean("bench.kernelCounters"))
                    {
                        System.out.println("  kernel server counters before: " + before + "\n  after: " + kernelCounters(h));
                    }
                    System.out.printf("run %d: stack %d ms, kernel %d ms%n  stack tcp so far %s%n", r + 1, stackMs[r],
                        kernelMs[r], tcpCounters);
                }
                final long s = median(stackMs);
                final long k = median(kernelMs);
                System.out.printf("median: stack %d ms, kernel %d ms, ratio stack/kernel %.2f%n", s, k, (double)s / k);
                System.out.printf("per run stack ms %s, kernel ms %s%n", Arrays.toString(stackMs), Arrays.toString(kernelMs));
            }
            finally
            {
                h.topology.clearPeerLossRules();
                kernel.close();
            }
        }
    }

    /** Connects from the peer namespace, writes {@code bytes} while reading the echo; returns the ms it took. */
    static long timedEcho(final KernelPeerHarness h, final String ip, final long bytes) throws Exception
    {
        return h.topology.runInPeerNamespace(() ->
        {
            try (Socket s = new Socket())
            {
                final long start = System.nanoTime();
                s.connect(new InetSocketAddress(ip, ECHO_PORT), 10_000);
                s.setSoTimeout((int)RUN_LIMIT_MS);
                final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        final OutputStream out = s.getOutputStream();
                        final byte[] chunk = new byte[64 * 1024];
                        for (int i = 0; i < chunk.length; i++)
                        {
                            chunk[i] = (byte)(i * 31);
                        }
                        long left = bytes;
                        while (left > 0)
                        {
                            final int n = (int)Math.min(chunk.length, left);
                            out.write(chunk, 0, n);
                            left -= n;
                        }
                    }
                    catch (final IOException e)
                    {
                        writerFailure.set(e);
                    }
                }, "lossy-echo-writer");
                writer.start();
                final InputStream in = s.getInputStream();
                final byte[] buffer = new byte[256 * 1024];
                long got = 0;
                while (got < bytes)
                {
                    final int n = in.read(buffer);
                    if (n < 0)
                    {
                        throw new IOException("echo closed after " + got + " of " + bytes + " bytes");
                    }
                    got += n;
                }
                final long ms = (System.nanoTime() - start) / 1_000_000;
                writer.join(RUN_LIMIT_MS);
                if (writerFailure.get() != null)
                {
                    throw new IOException("writer failed", writerFailure.get());
                }
                return ms;
            }
        });
    }

    /** The kernel server's loss-recovery counters (nstat in the stack's namespace). */
    private static String kernelCounters(final KernelPeerHarness h)
    {
        return h.stackSide(10_000, "sh", "-c", "nstat -az TcpRetransSegs TcpExtTCPTimeouts TcpExtTCPLossProbes " +
            "TcpExtTCPLossProbeRecovery TcpExtTCPSackRecovery TcpExtTCPLostRetransmit | tail -n +2 | " +
            "awk '{printf \"%s=%s \", $1, $2}'").stdout().trim();
    }

    static long median(final long[] values)
    {
        final long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
