package io.pktstore.nic.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;

/**
 * Receive and transmit frames per second of the AF_PACKET driver over a veth pair, V2 against V3,
 * 64 B and 1514 B frames. All configurations run interleaved, {@code runs} times each, in one process
 * on the same veth, and the report gives medians and V3/V2 ratios.
 *
 * <ul>
 *   <li>RX: a V2 device with qdisc bypass on the peer end (own thread, peer namespace) sends as fast
 *       as it can; the device under test on the stack end receives in a busy loop. Figure: frames
 *       delivered to the caller per second; the peer's send rate and kernel ring drops are reported
 *       beside it (no drops and received = sent means the sender, not the receiver, was the limit).</li>
 *   <li>TX: the device under test on the stack end transmits bursts of 32 as fast as the TX ring
 *       takes them; a V3 device on the peer end receives (own thread). Figures: frames accepted by
 *       transmit per second, and frames the peer received per second.</li>
 * </ul>
 *
 * usage: scripts/bench nic-drivers io.pktstore.nic.bench.AfPacketBenchmark [seconds-per-run] [runs]
 */
public final class AfPacketBenchmark
{
    private static final int BURST = 32;

    private AfPacketBenchmark()
    {
    }

    /** @param args seconds per run (default 1), runs (default 5). @throws Exception on setup failure. */
    public static void main(final String[] args) throws Exception
    {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final long windowNs = (long)(seconds * 1e9);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores (shared), " +
            cpuModel() + ", kernel " + System.getProperty("os.version") + ", JDK " + System.getProperty("java.version"));
        System.out.println("window " + seconds + " s per run, " + runs + " runs per configuration, interleaved");
        final Map<String, List<double[]>> results = new LinkedHashMap<>();
        try (VethTopology t = VethTopology.create("198.18.20.1/24"))
        {
            for (int run = 0; run < runs; run++)
            {
                for (final String dir : new String[] {"RX", "TX"})
                {
                    for (final int size : new int[] {64, 1514})
                    {
                        for (final TpacketVersion v : TpacketVersion.values())
                        {
                            final double[] r = "RX".equals(dir) ? rx(t, v, size, windowNs) : tx(t, v, size, windowNs);
                            results.computeIfAbsent(dir + " " + v + " " + size + "B", k -> new ArrayList<>()).add(r);
                        }
                    }
                }
            }
        }
        System.out.println();
        System.out.printf("%-14s %14s %14s %14s %10s  %s%n", "config", "median fps", "min fps", "max fps", "Mbit/s",
            "other side (medians)");
        for (final Map.Entry<String, List<double[]>> e : results.entrySet())
        {
            final double[] fps = e.getValue().stream().mapToDouble(r -> r[0]).toArray();
            final double[] side = e.getValue().stream().mapToDouble(r -> r[1]).toArray();
            final double[] third = e.getValue().stream().mapToDouble(r -> r[2]).toArray();
            final int size = Integer.parseInt(e.getKey().replaceAll(".* (\\d+)B", "$1"));
            final double med = median(fps);
            System.out.printf("%-14s %14.0f %14.0f %14.0f %10.0f  %s%n", e.getKey(), med,
                Arrays.stream(fps).min().orElse(0), Arrays.stream(fps).max().orElse(0), med * size * 8 / 1e6,
                e.getKey().startsWith("RX") ?
                    String.format("peer sent %.0f fps, kernel ring drops %.0f/s", median(side), median(third)) :
                    String.format("peer received %.0f fps", median(side)));
        }
        System.out.println();
        for (final String dir : new String[] {"RX", "TX"})
        {
            for (final int size : new int[] {64, 1514})
            {
                final double v2 = median(results.get(dir + " V2 " + size + "B").stream().mapToDouble(r -> r[0]).toArray());
                final double v3 = median(results.get(dir + " V3 " + size + "B").stream().mapToDouble(r -> r[0]).toArray());
                System.out.printf("%s %5dB  V3/V2 = %.2f%n", dir, size, v3 / v2);
            }
        }
    }

    private static String cpuModel()
    {
        try
        {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
        }
        catch (final Exception ex)
        {
            return "unknown CPU";
        }
    }

    private static double median(final double[] values)
    {
        final double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static ByteBuffer frame(final String dstMac, final int size)
    {
        final ByteBuffer f = NativeFrames.allocate(size);
        final byte[] mac = Packets.mac(dstMac);
        for (int i = 0; i < 6; i++)
        {
            f.put(i, mac[i]);
        }
        f.put(12, (byte)0x88).put(13, (byte)0xB5);
        return f;
    }

    /** Blasts frames on {@code device} until stopped; counts accepted frames. */
    private static Thread blaster(final FrameDevice device, final ByteBuffer frame, final int size,
        final AtomicBoolean stop, final AtomicLong accepted)
    {
        final Thread thread = new Thread(() ->
        {
            final TxBurst burst = new TxBurst(BURST, 1);
            final long address = NativeFrames.address(frame);
            for (int i = 0; i < BURST; i++)
            {
                burst.beginFrame();
                burst.addSegment(address, size);
            }
            while (!stop.get())
            {
                accepted.addAndGet(device.transmit(burst, 0));
            }
        }, "blaster");
        thread.start();
        return thread;
    }

    /** Receives until stopped; counts frames. */
    private static Thread counter(final FrameDevice device, final AtomicBoolean stop, final AtomicLong received)
    {
        final Thread thread = new Thread(() ->
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
            while (!stop.get())
            {
                final int n = device.receive(mem.burst, 0);
                if (n > 0)
                {
                    received.addAndGet(n);
                }
            }
        }, "counter");
        thread.start();
        return thread;
    }

    /** @return {received fps by the device under test, kernel drops per second}. */
    private static double[] rx(final VethTopology t, final TpacketVersion version, final int size, final long windowNs)
        throws Exception
    {
        try (AfPacketDevice dut = AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface()).version(version).build());
            AfPacketDevice peer = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).qdiscBypass(true).build())))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong sent = new AtomicLong();
            final Thread sender = blaster(peer, frame(t.stackMac(), size), size, stop, sent);
            final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
            final RxBurst burst = mem.burst;
            // Warm-up, then the window.
            final long warmEnd = System.nanoTime() + windowNs / 4;
            while (System.nanoTime() < warmEnd)
            {
                dut.receive(burst, 0);
            }
            dut.statistics();
            final long dropsBefore = dut.statistics().kernelDrops();
            long received = 0;
            final long sentBefore = sent.get();
            final long start = System.nanoTime();
            final long end = start + windowNs;
            long now;
            while ((now = System.nanoTime()) < end)
            {
                received += dut.receive(burst, now);
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            final long drops = dut.statistics().kernelDrops() - dropsBefore;
            final long sentInWindow = sent.get() - sentBefore;
            stop.set(true);
            sender.join();
            return new double[] {received / elapsed, sentInWindow / elapsed, drops / elapsed};
        }
    }

    /** @return {frames accepted by transmit per second, frames the peer received per second}. */
    private static double[] tx(final VethTopology t, final TpacketVersion version, final int size, final long windowNs)
        throws Exception
    {
        try (AfPacketDevice dut = AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface()).version(version).build());
            AfPacketDevice peer = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).version(TpacketVersion.V3).build())))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong received = new AtomicLong();
            final Thread receiver = counter(peer, stop, received);
            final ByteBuffer frame = frame(t.peerMac(), size);
            final TxBurst burst = new TxBurst(BURST, 1);
            for (int i = 0; i < BURST; i++)
            {
                burst.beginFrame();
                burst.addSegment(NativeFrames.address(frame), size);
            }
            final long warmEnd = System.nanoTime() + windowNs / 4;
            while (System.nanoTime() < warmEnd)
            {
                dut.transmit(burst, 0);
            }
            long accepted = 0;
            final long receivedBefore = received.get();
            final long start = System.nanoTime();
            final long end = start + windowNs;
            long now;
            while ((now = System.nanoTime()) < end)
            {
                accepted += dut.transmit(burst, now);
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            final long peerGot = received.get() - receivedBefore;
            stop.set(true);
            receiver.join();
            return new double[] {accepted / elapsed, peerGot / elapsed, 0};
        }
    }
}
