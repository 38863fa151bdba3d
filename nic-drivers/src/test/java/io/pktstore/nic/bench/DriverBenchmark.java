package io.pktstore.nic.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.MappedFrameBuffers;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.xdp.AfXdpDevice;
import io.pktstore.nic.xdp.XdpConfig;

/**
 * AF_XDP against AF_PACKET V2 and V3 on the same veth pair, in one process: receive and transmit
 * frames per second (64 B and 1514 B frames) and the round trip of a 1 KB frame, with the bytes each
 * driver copies in user space per frame. Every configuration runs once per round, rounds repeat
 * {@code runs} times (alternating), and the report gives medians.
 *
 * <p>AF_XDP runs twice: as the node uses it (payload pieces sent in place with XDP_USE_SG) and as
 * AF_XDP_TXCOPY (no scatter-gather: every frame copied whole into a copy slot), to show what sending
 * in place costs or saves. The device under test always works as the stack does: its receive buffers and its transmit
 * payloads live in a /dev/shm file mapping (the arena's kind of memory; for AF_XDP that mapping is
 * the UMEM), a received buffer is given back after each burst, and a transmitted frame is a gather
 * list of a 54-byte header built outside that memory followed by the payload inside it.
 * <ul>
 *   <li>RX: an AF_PACKET V2 device with qdisc bypass on the peer end (own thread, peer namespace)
 *       sends as fast as it can; the device under test receives in a busy loop.</li>
 *   <li>TX: the device under test transmits bursts of 32; an AF_PACKET V3 device on the peer end counts.</li>
 *   <li>RTT: the device under test sends one 1024-byte frame, a V2 echo device on the peer end (busy
 *       polling, own thread) sends it back, the device under test busy-polls for it.</li>
 * </ul>
 *
 * usage: java ... io.pktstore.nic.bench.DriverBenchmark [seconds-per-run] [runs] [roundTrips]
 */
public final class DriverBenchmark
{
    private static final int HEADER = 54;
    private static final int RTT_FRAME = 1024;
    /** AF_XDP rings as deep as the AF_PACKET V2 default RX ring (8192 frames). */
    private static final int XDP_RING = Integer.getInteger("xdp.ring", 8192);
    /** AF_XDP_TXCOPY: AF_XDP without scatter-gather, every transmitted frame copied whole into a copy slot. */
    private static final String[] DRIVERS = {"AFPACKET_V2", "AFPACKET_V3", "AF_XDP", "AF_XDP_TXCOPY"};

    private DriverBenchmark()
    {
    }

    /** The device under test with its arena-like memory. */
    private static final class Dut implements AutoCloseable
    {
        final MappedFrameBuffers memory;
        final FrameDevice device;
        final boolean inPlace;
        final RxBurst burst = new RxBurst(64);
        final int payloadBuffer;

        Dut(final VethTopology t, final String driver)
        {
            memory = new MappedFrameBuffers(Path.of("/dev/shm/pks-bench-" + ProcessHandle.current().pid()), 16384, 2048);
            FrameDevice opened = null;
            try
            {
                opened = driver.startsWith("AF_XDP")
                    ? AfXdpDevice.open(XdpConfig.builder(t.stackInterface()).ringSize(XDP_RING)
                        .scatterGather(!driver.endsWith("TXCOPY")).build(), memory)
                    : AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface())
                        .version("AFPACKET_V2".equals(driver) ? TpacketVersion.V2 : TpacketVersion.V3).build());
            }
            finally
            {
                if (opened == null)
                {
                    memory.close();
                }
            }
            device = opened;
            inPlace = device.capabilities().receivesInPlace();
            if (!inPlace)
            {
                // The copying drivers receive into the same kind of memory, 64 buffers reused.
                for (int i = 0; i < burst.capacity(); i++)
                {
                    burst.setBuffer(i, memory.bufferAddress(memory.allocate()), 2048);
                }
            }
            payloadBuffer = memory.allocate();
        }

        int receive()
        {
            final int n = device.receive(burst, 0);
            if (inPlace)
            {
                for (int i = 0; i < n; i++)
                {
                    memory.release(memory.bufferAt(burst.bufferAddress(i)));
                }
            }
            return n;
        }

        /** A burst of {@code frames} gather frames: header outside the memory, payload in it. */
        TxBurst gatherBurst(final ByteBuffer header, final int size, final int frames)
        {
            final TxBurst tx = new TxBurst(frames, 2);
            for (int i = 0; i < frames; i++)
            {
                tx.beginFrame();
                tx.addSegment(NativeFrames.address(header), HEADER);
                tx.addSegment(memory.bufferAddress(payloadBuffer), size - HEADER);
            }
            return tx;
        }

        @Override
        public void close()
        {
            device.close();
            memory.close();
        }
    }

    /** @param args seconds per run (default 1), runs (default 5), round trips per run (default 2000). @throws Exception on setup failure. */
    public static void main(final String[] args) throws Exception
    {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int trips = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        final long windowNs = (long)(seconds * 1e9);
        System.out.println("machine: " + BenchSupport.machine());
        System.out.println("window " + seconds + " s per run, " + runs + " runs per configuration, alternating; " +
            trips + " round trips per RTT run");
        final Map<String, List<double[]>> results = new LinkedHashMap<>();
        try (VethTopology t = VethTopology.create("198.18.22.1/24"))
        {
            for (int run = 0; run < runs; run++)
            {
                for (final String driver : DRIVERS)
                {
                    for (final int size : new int[] {64, 1514})
                    {
                        results.computeIfAbsent("RX " + driver + " " + size + "B", k -> new ArrayList<>())
                            .add(rx(t, driver, size, windowNs));
                        results.computeIfAbsent("TX " + driver + " " + size + "B", k -> new ArrayList<>())
                            .add(tx(t, driver, size, windowNs));
                    }
                    results.computeIfAbsent("RTT " + driver + " " + RTT_FRAME + "B", k -> new ArrayList<>())
                        .add(rtt(t, driver, trips));
                }
            }
        }
        report(results);
    }

    private static void report(final Map<String, List<double[]>> results)
    {
        System.out.println();
        System.out.printf("%-22s %12s %12s %12s  %-22s %s%n", "config", "median", "min", "max", "copied B/frame",
            "other side (medians)");
        for (final Map.Entry<String, List<double[]>> e : results.entrySet())
        {
            final double[] v = column(e.getValue(), 0);
            final boolean rtt = e.getKey().startsWith("RTT");
            final String unit = rtt ? " us" : " fps";
            System.out.printf("%-22s %12.1f %12.1f %12.1f  %-22s %s%n", e.getKey(), BenchSupport.median(v),
                Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0),
                String.format("rx %.0f, tx %.0f", BenchSupport.median(column(e.getValue(), 2)),
                    BenchSupport.median(column(e.getValue(), 3))),
                rtt ? String.format("p99 %.1f us", BenchSupport.median(column(e.getValue(), 1))) + unit.substring(0, 0)
                    : e.getKey().startsWith("RX")
                    ? String.format("peer sent %.0f fps, kernel drops %.0f/s", BenchSupport.median(column(e.getValue(), 1)),
                        BenchSupport.median(column(e.getValue(), 4)))
                    : String.format("peer received %.0f fps", BenchSupport.median(column(e.getValue(), 1))));
        }
        System.out.println();
        for (final String kind : new String[] {"RX", "TX"})
        {
            for (final int size : new int[] {64, 1514})
            {
                final double v2 = BenchSupport.median(column(results.get(kind + " AFPACKET_V2 " + size + "B"), 0));
                final double v3 = BenchSupport.median(column(results.get(kind + " AFPACKET_V3 " + size + "B"), 0));
                final double xdp = BenchSupport.median(column(results.get(kind + " AF_XDP " + size + "B"), 0));
                final double copy = BenchSupport.median(column(results.get(kind + " AF_XDP_TXCOPY " + size + "B"), 0));
                System.out.printf("%s %5dB  AF_XDP/V2 = %.2f  AF_XDP/V3 = %.2f  AF_XDP_TXCOPY/V2 = %.2f%n", kind, size,
                    xdp / v2, xdp / v3, copy / v2);
            }
        }
        final double v2 = BenchSupport.median(column(results.get("RTT AFPACKET_V2 " + RTT_FRAME + "B"), 0));
        final double xdp = BenchSupport.median(column(results.get("RTT AF_XDP " + RTT_FRAME + "B"), 0));
        final double copy = BenchSupport.median(column(results.get("RTT AF_XDP_TXCOPY " + RTT_FRAME + "B"), 0));
        System.out.printf("RTT %dB  AF_XDP/V2 = %.2f  AF_XDP_TXCOPY/V2 = %.2f%n", RTT_FRAME, xdp / v2, copy / v2);
    }

    private static double[] column(final List<double[]> rows, final int i)
    {
        return rows.stream().mapToDouble(r -> r[i]).toArray();
    }

    private static double copiedPerFrame(final long bytes, final long frames)
    {
        return frames == 0 ? 0 : (double)bytes / frames;
    }

    /** @return {received fps, peer's sent fps, rx copied B/frame, tx copied B/frame, kernel drops/s}. */
    private static double[] rx(final VethTopology t, final String driver, final int size, final long windowNs)
        throws Exception
    {
        try (Dut dut = new Dut(t, driver);
            AfPacketDevice peer = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).qdiscBypass(true).build())))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong sent = new AtomicLong();
            final Thread sender = BenchSupport.blaster(peer, BenchSupport.frame(t.stackMac(), size), size, stop, sent);
            final long warmEnd = System.nanoTime() + windowNs / 4;
            while (System.nanoTime() < warmEnd)
            {
                dut.receive();
            }
            final DeviceStatistics stats = dut.device.statistics();
            final long dropsBefore = stats.kernelDrops();
            final long framesBefore = stats.rxFrames();
            final long copiedBefore = stats.rxBytesCopied();
            long received = 0;
            final long sentBefore = sent.get();
            final long start = System.nanoTime();
            final long end = start + windowNs;
            while (System.nanoTime() < end)
            {
                received += dut.receive();
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            final long sentInWindow = sent.get() - sentBefore;
            stop.set(true);
            sender.join();
            dut.device.statistics();
            if (dut.device instanceof AfXdpDevice && Boolean.getBoolean("xdp.counters"))
            {
                System.out.println("  " + driver + " " + size + "B XDP_STATISTICS " +
                    Arrays.toString(((AfXdpDevice)dut.device).kernelCounters()));
            }
            return new double[] {received / elapsed, sentInWindow / elapsed,
                copiedPerFrame(stats.rxBytesCopied() - copiedBefore, stats.rxFrames() - framesBefore), 0,
                (stats.kernelDrops() - dropsBefore) / elapsed};
        }
    }

    /** @return {accepted fps, peer's received fps, rx copied B/frame, tx copied B/frame, 0}. */
    private static double[] tx(final VethTopology t, final String driver, final int size, final long windowNs)
        throws Exception
    {
        try (Dut dut = new Dut(t, driver);
            AfPacketDevice peer = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).version(TpacketVersion.V3).build())))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong received = new AtomicLong();
            final Thread receiver = BenchSupport.counter(peer, stop, received);
            final TxBurst burst = dut.gatherBurst(BenchSupport.frame(t.peerMac(), HEADER), size, BenchSupport.BURST);
            final long warmEnd = System.nanoTime() + windowNs / 4;
            while (System.nanoTime() < warmEnd)
            {
                dut.device.transmit(burst, 0);
            }
            final DeviceStatistics stats = dut.device.statistics();
            final long framesBefore = stats.txFrames();
            final long copiedBefore = stats.txBytesCopied();
            long accepted = 0;
            final long receivedBefore = received.get();
            final long start = System.nanoTime();
            final long end = start + windowNs;
            while (System.nanoTime() < end)
            {
                accepted += dut.device.transmit(burst, 0);
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            final long peerGot = received.get() - receivedBefore;
            stop.set(true);
            receiver.join();
            return new double[] {accepted / elapsed, peerGot / elapsed, 0,
                copiedPerFrame(stats.txBytesCopied() - copiedBefore, stats.txFrames() - framesBefore), 0};
        }
    }

    /** @return {median RTT us, p99 RTT us, rx copied B/frame, tx copied B/frame, 0}. */
    private static double[] rtt(final VethTopology t, final String driver, final int trips) throws Exception
    {
        try (Dut dut = new Dut(t, driver);
            AfPacketDevice echo = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).build())))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread echoer = BenchSupport.echo(echo, t.stackMac(), stop);
            final TxBurst tx = dut.gatherBurst(BenchSupport.frame(t.peerMac(), HEADER), RTT_FRAME, 1);
            final long[] rtt = new long[trips];
            final DeviceStatistics stats = dut.device.statistics();
            for (int i = -trips / 10; i < trips; i++)
            {
                final long start = System.nanoTime();
                dut.device.transmit(tx, start);
                final long giveUp = start + 100_000_000L;
                int got = 0;
                while (got == 0 && System.nanoTime() < giveUp)
                {
                    got = dut.receive();
                }
                if (i >= 0)
                {
                    rtt[i] = System.nanoTime() - start;
                }
            }
            stop.set(true);
            echoer.join();
            Arrays.sort(rtt);
            return new double[] {rtt[trips / 2] / 1000.0, rtt[(int)(trips * 0.99)] / 1000.0,
                copiedPerFrame(stats.rxBytesCopied(), stats.rxFrames()), copiedPerFrame(stats.txBytesCopied(), stats.txFrames()), 0};
        }
    }
}
