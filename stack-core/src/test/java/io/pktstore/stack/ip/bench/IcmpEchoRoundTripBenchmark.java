package io.pktstore.stack.ip.bench;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.StackRunner;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;
import java.util.SplittableRandom;

/**
 * ICMP echo round trip on one veth, side by side in one run: the user-space stack (AF_PACKET V2,
 * busy-spin agent) answering at 198.18.x.2 versus the Linux kernel answering at 198.18.x.3 on the
 * SAME interface (the stack end lives in a namespace of its own, where the kernel holds .3 only).
 * The client is a python3 raw ICMP socket in the peer namespace that alternates between the two
 * targets, so both see the same client overhead and machine noise; it reports median and p99 in
 * microseconds per run. This is the networking-only floor below TCP. Not a test; run as root:
 * {@code scripts/bench stack-core io.pktstore.stack.ip.bench.IcmpEchoRoundTripBenchmark [pingsPerRun] [runs] [BUSY_SPIN|BACKOFF|DEVICE_WAIT] [gapUs]}.
 * A gap between pings (e.g. 2000 us) shows what an idle strategy costs the first message after a pause.
 */
public final class IcmpEchoRoundTripBenchmark
{
    private static final String CLIENT = String.join("\n",
        "import socket, struct, sys, time",
        "stack, kernel, n, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1e6",
        "def csum(b):",
        "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
        "    while s >> 16: s = (s & 0xffff) + (s >> 16)",
        "    return ~s & 0xffff",
        "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
        "s.settimeout(1)",
        "payload = bytes(56)",
        "rtt = {stack: [], kernel: []}",
        "lost = 0",
        "for i in range(2 * n + 200):",
        "    ip = stack if i % 2 == 0 else kernel",
        "    seq = i & 0xffff",
        "    if gap > 0: time.sleep(gap)",
        "    h = struct.pack('!BBHHH', 8, 0, 0, 0x4242, seq)",
        "    pkt = struct.pack('!BBHHH', 8, 0, csum(h + payload), 0x4242, seq) + payload",
        "    t0 = time.perf_counter_ns()",
        "    s.sendto(pkt, (ip, 0))",
        "    try:",
        "        while True:",
        "            data, addr = s.recvfrom(2048)",
        "            icmp = data[(data[0] & 15) * 4:]",
        "            if icmp[0] == 0 and struct.unpack('!HH', icmp[4:8]) == (0x4242, seq) and addr[0] == ip:",
        "                break",
        "    except socket.timeout:",
        "        lost += 1",
        "        continue",
        "    if i >= 200:",
        "        rtt[ip].append((time.perf_counter_ns() - t0) / 1000.0)",
        "def q(v, p):",
        "    v = sorted(v)",
        "    return v[min(len(v) - 1, int(p * len(v)))]",
        "print('%.1f %.1f %.1f %.1f %d' % (q(rtt[stack], 0.5), q(rtt[stack], 0.99), q(rtt[kernel], 0.5), q(rtt[kernel], 0.99), lost))");

    private IcmpEchoRoundTripBenchmark()
    {
    }

    /**
     * @param args optional: pings per target per run (default 3000), runs (default 5).
     * @throws Exception if the host cannot be set up.
     */
    public static void main(final String[] args) throws Exception
    {
        final int pings = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final StackConfig.IdleMode idle = args.length > 2 ? StackConfig.IdleMode.valueOf(args[2]) : StackConfig.IdleMode.BUSY_SPIN;
        final int gapUs = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        final int subnet = 1 + new SplittableRandom().nextInt(250);
        try (VethTopology topo = VethTopology.create("198.18." + subnet + ".1/24", true, 0))
        {
            final String stackIp = "198.18." + subnet + ".2";
            final String kernelIp = "198.18." + subnet + ".3";
            topo.runInStackNamespace(() -> exec(List.of("ip", "addr", "add", kernelIp + "/24", "dev", topo.stackInterface())));
            final ArenaGeometry geometry = ArenaGeometry.of(4096, 2048, ArenaGeometry.DEFAULT_BUFFER_SIZE, 0);
            final Arena arena = Arena.format(SimulatedPmRegion.create((geometry.requiredBytes() + 63) / 64 * 64), geometry);
            final StackConfig config = StackConfig.builder().mac(MacAddress.parse(topo.stackMac()))
                .ip(Ipv4Address.parse(stackIp), 24).idleMode(idle).build();
            try (AfPacketDevice device = topo.runInStackNamespace(
                () -> AfPacketDevice.open(AfPacketConfig.builder(topo.stackInterface()).build())))
            {
                final NetworkStack stack = new NetworkStack(config, device, new PacketRecordPool(arena), new SystemNanoClock());
                final AgentRunner runner = StackRunner.startOnThread(stack, Throwable::printStackTrace);
                Thread.sleep(100); // the runner's thread reference is set once it runs
                final long cpuStart = cpuNs(runner);
                try
                {
                    System.out.printf("IcmpEchoRoundTripBenchmark: idle %s, %d pings per target per run, %d runs, %d cores (shared), %s %s%n",
                        idle, pings, runs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                        System.getProperty("java.version"));
                    System.out.println("client: python3 raw ICMP socket in the peer namespace, alternating targets; 56-byte payload; " +
                        gapUs + " us pause before each ping");
                    System.out.printf("%-4s %14s %14s %14s %14s %6s%n", "run", "stack p50 us", "stack p99 us", "kernel p50 us",
                        "kernel p99 us", "lost");
                    final double[][] results = new double[runs][];
                    for (int run = 0; run < runs; run++)
                    {
                        final CommandResult r = topo.exec(List.of("python3", "-c", CLIENT, stackIp, kernelIp, Integer.toString(pings), Integer.toString(gapUs)));
                        if (!r.ok())
                        {
                            throw new IllegalStateException("client failed: " + r.stdout() + r.stderr());
                        }
                        final String[] f = r.stdout().trim().split(" ");
                        results[run] = new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                            Double.parseDouble(f[3]), Double.parseDouble(f[4])};
                        System.out.printf("%-4d %14s %14s %14s %14s %6s%n", run, f[0], f[1], f[2], f[3], f[4]);
                    }
                    final double stackP50 = median(results, 0);
                    final double stackP99 = median(results, 1);
                    final double kernelP50 = median(results, 2);
                    final double kernelP99 = median(results, 3);
                    System.out.printf("median of runs: stack p50 %.1f us, p99 %.1f us; kernel p50 %.1f us, p99 %.1f us; " +
                        "stack/kernel p50 ratio %.2f, p99 ratio %.2f%n", stackP50, stackP99, kernelP50, kernelP99,
                        stackP50 / kernelP50, stackP99 / kernelP99);
                    System.out.println("stack echo replies: " + stack.counters().get(StackCounters.ICMP_ECHO_REPLIED) +
                        ", stack thread CPU " + (cpuNs(runner) - cpuStart) / 1_000_000 + " ms");
                }
                finally
                {
                    runner.close();
                }
            }
        }
    }

    private static long cpuNs(final AgentRunner runner)
    {
        final Thread t = runner.thread();
        return t == null ? 0 : java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
    }

    private static Object exec(final List<String> command) throws Exception
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0)
        {
            throw new IllegalStateException(command + " failed: " + out);
        }
        return null;
    }

    private static double median(final double[][] results, final int column)
    {
        final double[] v = new double[results.length];
        for (int i = 0; i < v.length; i++)
        {
            v[i] = results[i][column];
        }
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }
}
