package io.pktstore.nic.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;

/**
 * Round-trip latency through the AF_PACKET driver over veth, V2 against V3 RX ring: the device under
 * test (stack end) sends a 64-byte frame, a V2 echo device on the peer end (own thread, busy
 * polling) sends it straight back, the device under test busy-polls for it. Reports median and p99
 * round trip per configuration, interleaved runs, and the V3/V2 ratio. V3 hands a block over only
 * when it fills or its retire timer fires, so at one frame in flight its latency is about the timer.
 *
 * usage: scripts/bench nic-drivers io.pktstore.nic.bench.AfPacketLatencyBenchmark [roundTrips] [runs]
 */
public final class AfPacketLatencyBenchmark
{
    private AfPacketLatencyBenchmark()
    {
    }

    /** @param args round trips per run (default 2000), runs (default 5). @throws Exception on setup failure. */
    public static void main(final String[] args) throws Exception
    {
        final int trips = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores (shared), kernel " +
            System.getProperty("os.version") + "; " + trips + " round trips x " + runs + " runs, interleaved");
        final Map<String, List<long[]>> results = new LinkedHashMap<>();
        try (VethTopology t = VethTopology.create("198.18.21.1/24"))
        {
            for (int run = 0; run < runs; run++)
            {
                for (final TpacketVersion v : TpacketVersion.values())
                {
                    for (final int tov : v == TpacketVersion.V2 ? new int[] {0} : new int[] {1, 8})
                    {
                        final String key = v == TpacketVersion.V2 ? "V2" : "V3 tov " + tov + " ms";
                        results.computeIfAbsent(key, k -> new ArrayList<>()).add(measure(t, v, Math.max(1, tov), trips));
                    }
                }
            }
        }
        System.out.printf("%-14s %14s %14s%n", "RX ring", "median RTT us", "p99 RTT us");
        double v2 = 0;
        for (final Map.Entry<String, List<long[]>> e : results.entrySet())
        {
            final long[] all = e.getValue().stream().flatMapToLong(Arrays::stream).sorted().toArray();
            final double median = all[all.length / 2] / 1000.0;
            if (e.getKey().equals("V2"))
            {
                v2 = median;
            }
            System.out.printf("%-14s %14.1f %14.1f   (x%.1f of V2)%n", e.getKey(), median,
                all[(int)(all.length * 0.99)] / 1000.0, median / v2);
        }
    }

    private static long[] measure(final VethTopology t, final TpacketVersion version, final int tovMs, final int trips)
        throws Exception
    {
        try (AfPacketDevice dut = AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface()).version(version)
                .v3RetireBlockTimeoutMs(tovMs).build());
            AfPacketDevice echo = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).build())))
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread echoer = BenchSupport.echo(echo, t.stackMac(), stop);
            final ByteBuffer frame = NativeFrames.allocate(64);
            final byte[] peerMac = Packets.mac(t.peerMac());
            for (int b = 0; b < 6; b++)
            {
                frame.put(b, peerMac[b]);
            }
            frame.put(12, (byte)0x88).put(13, (byte)0xB5);
            final TxBurst tx = new TxBurst(1, 1);
            tx.beginFrame();
            tx.addSegment(NativeFrames.address(frame), 64);
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            final RxBurst rx = mem.burst;
            final long[] rtt = new long[trips];
            for (int i = -trips / 10; i < trips; i++)
            {
                final long start = System.nanoTime();
                dut.transmit(tx, start);
                final long giveUp = start + 100_000_000L;
                int got = 0;
                while (got == 0 && System.nanoTime() < giveUp)
                {
                    got = dut.receive(rx, 0);
                }
                if (i >= 0)
                {
                    rtt[i] = System.nanoTime() - start;
                }
            }
            stop.set(true);
            echoer.join();
            return rtt;
        }
    }
}
