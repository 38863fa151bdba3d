package io.pktstore.stack.bench;

import io.pktstore.stack.StackCounters;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.system.KernelPeerHarness;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpCounters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Legitimate connections during a SYN flood, the stack against the kernel on the SAME veth in one run.
 * In the peer namespace hping3 floods SYNs ({@code --flood -S}) at the echo port from spoofed sources in
 * 198.19.0.0/16 (inside the test range, beyond the subnet: both servers route their SYN-ACKs to the peer,
 * which drops them silently, so no source ever answers), while a kernel client there makes 50 connections
 * one after another, each checked with a small echo. Each connection's time from connect() to established
 * is measured; the share within 3 s is the figure (a lost SYN costs the client a 1 s retransmission). The
 * stack (198.18.x.2, EchoServer) and the kernel (198.18.x.3, NIO echo, syncookies on) alternate.
 * <p>
 * Also printed: the SYNs hping3 sent, and for the stack the SYNs its listener saw and answered (SYN-ACKs
 * and cookies: the SYN rate it answers) and the AF_PACKET ring's drops; for the kernel its syncookie and
 * listen-queue counters (nstat).
 * <p>
 * Usage: {@code SynFloodBenchmark [runs] [connections] [floodProcesses] [idle]} (defaults 2, 50, 1,
 * DEVICE_WAIT).
 */
public final class SynFloodBenchmark
{
    private static final int ECHO_PORT = 7;
    private static final int SUBNET = 63;
    private static final long CONNECT_LIMIT_MS = 10_000;

    private SynFloodBenchmark()
    {
    }

    /** One side's outcome in one run. */
    record Outcome(long[] connectMs, long floodSyns, long floodMs, String detail)
    {
        int within(final long ms)
        {
            return (int)Arrays.stream(connectMs).filter(t -> t >= 0 && t <= ms).count();
        }
    }

    /**
     * @param args runs, connections per run, hping3 processes, stack idle mode.
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        final int connections = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        final int floods = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        final String idle = args.length > 3 ? args[3] : "DEVICE_WAIT";
        System.out.println(BenchMachine.describe());
        System.out.printf("%d connections per run under %d hping3 --flood -S, stack idle %s%n", connections, floods, idle);
        final TcpConfig tcp = new TcpConfig().maxConnections(4096).listenBacklog(128)
            .rto(1_000_000_000L, 200_000_000L, 120_000_000_000L);
        try (KernelPeerHarness h = new KernelPeerHarness(SUBNET, tcp, 65536, BenchIdle.parse(idle), true))
        {
            h.onStackThread(() -> EchoServer.listen(h.tcp, h.stack.pool(), ECHO_PORT));
            final String kernelIp = h.addKernelAddress(3);
            final KernelServers kernel = h.topology.runInStackNamespace(() -> new KernelServers(kernelIp));
            try
            {
                for (int r = 0; r < runs; r++)
                {
                    final TcpCounters tcpBefore = h.onStackThread(() -> copy(h.tcp.counters()));
                    final long ringDropsBefore = h.device.statistics().kernelDrops();
                    final Outcome stack = run(h, h.stackIp, connections, floods, r);
                    final TcpCounters tcpAfter = h.onStackThread(() -> copy(h.tcp.counters()));
                    final StackCounters stackCounters = new StackCounters();
                    h.stack.readCounters(stackCounters);
                    final long syns = tcpAfter.listenSyns - tcpBefore.listenSyns;
                    final long answered = tcpAfter.synCookiesSent - tcpBefore.synCookiesSent +
                        tcpAfter.synAcksSent - tcpBefore.synAcksSent;
                    report("stack ", r, stack, String.format(
                        "listener saw %d SYNs, answered %d (%.0f/s over the flood), AF_PACKET ring drops %d, " +
                        "rx bursts full %d of %d", syns, answered, answered * 1000.0 / stack.floodMs(),
                        h.device.statistics().kernelDrops() - ringDropsBefore,
                        stackCounters.get(StackCounters.RX_BURSTS_FULL), stackCounters.get(StackCounters.RX_BURSTS)));
                    final String before = kernelCounters(h);
                    final Outcome k = run(h, kernelIp, connections, floods, r);
                    report("kernel", r, k, "nstat before " + before + "\n      after  " + kernelCounters(h));
                }
            }
            finally
            {
                kernel.close();
            }
        }
    }

    private static TcpCounters copy(final TcpCounters c)
    {
        final TcpCounters copy = new TcpCounters();
        TcpCounters.copy(c, copy);
        return copy;
    }

    private static void report(final String side, final int run, final Outcome o, final String detail)
    {
        final long[] sorted = o.connectMs().clone();
        Arrays.sort(sorted);
        System.out.printf("run %d %s: %d of %d within 3 s (median %d ms, max %d ms); hping3 sent %d SYNs in %d ms " +
            "(%.0f/s)%n      %s%n", run + 1, side, o.within(3000), sorted.length, sorted[sorted.length / 2],
            sorted[sorted.length - 1], o.floodSyns(), o.floodMs(), o.floodSyns() * 1000.0 / o.floodMs(), detail);
    }

    /** Floods {@code ip}, makes the connections, stops the flood. */
    private static Outcome run(final KernelPeerHarness h, final String ip, final int connections, final int floods,
        final int run) throws Exception
    {
        final List<Process> flood = new ArrayList<>();
        final long start = System.nanoTime();
        for (int f = 0; f < floods; f++)
        {
            // Bounded: timeout ends it with SIGINT (hping3 then prints its statistics) if we do not first.
            flood.add(h.topology.startInPeer(List.of("timeout", "-s", "INT", "120", "hping3", "--flood", "-S",
                "-p", Integer.toString(ECHO_PORT), "-a", "198.19." + (run * 8 + f + 1) + ".7", ip)));
        }
        try
        {
            Thread.sleep(1000);   // the flood is on before the first connection
            final long[] connectMs = h.topology.runInPeerNamespace(() -> connectAll(ip, connections));
            final long sent = stop(flood);
            return new Outcome(connectMs, sent, (System.nanoTime() - start) / 1_000_000, null);
        }
        finally
        {
            for (final Process p : flood)
            {
                p.destroyForcibly();
            }
        }
    }

    /** SIGINT to each hping3 we started (by PID), then the SYNs they say they sent. */
    private static long stop(final List<Process> flood) throws Exception
    {
        long sent = 0;
        for (final Process p : flood)
        {
            for (final ProcessHandle child : p.descendants().toList())
            {
                new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor();
            }
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            p.waitFor(10, TimeUnit.SECONDS);
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) +
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            final int at = out.indexOf(" packets transmitted");
            if (at > 0)
            {
                int from = at;
                while (from > 0 && Character.isDigit(out.charAt(from - 1)))
                {
                    from--;
                }
                sent += Long.parseLong(out.substring(from, at));
            }
        }
        return sent;
    }

    /** Connects {@code n} times in turn; each time from connect() to established, ms (-1: failed). */
    static long[] connectAll(final String ip, final int n)
    {
        final long[] ms = new long[n];
        final byte[] hello = "hello through the flood".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++)
        {
            final long start = System.nanoTime();
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(ip, ECHO_PORT), (int)CONNECT_LIMIT_MS);
                ms[i] = (System.nanoTime() - start) / 1_000_000;
                s.setSoTimeout((int)CONNECT_LIMIT_MS);
                final OutputStream out = s.getOutputStream();
                final InputStream in = s.getInputStream();
                out.write(hello);
                final byte[] back = in.readNBytes(hello.length);
                if (!Arrays.equals(hello, back))
                {
                    ms[i] = -1;
                }
            }
            catch (final IOException e)
            {
                ms[i] = -1;
            }
        }
        return ms;
    }

    private static String kernelCounters(final KernelPeerHarness h)
    {
        return h.stackSide(10_000, "sh", "-c", "nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv " +
            "TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies | " +
            "tail -n +2 | awk '{printf \"%s=%s \", $1, $2}'").stdout().trim();
    }
}
