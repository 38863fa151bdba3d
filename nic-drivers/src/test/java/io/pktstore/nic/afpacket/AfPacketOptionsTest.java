package io.pktstore.nic.afpacket;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.*;

/** Socket options and ring behaviour of the AF_PACKET driver over veth. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketOptionsTest
{
    private static VethTopology topology;

    @BeforeAll
    static void createHosts()
    {
        topology = VethTopology.create("198.18.11.1/24");
    }

    @AfterAll
    static void removeHosts()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    /** A 64-byte frame with a private ethertype and a marker byte, to the given MAC. */
    private static ByteBuffer frame(final String dstMac, final int marker)
    {
        final ByteBuffer f = NativeFrames.allocate(64);
        final byte[] mac = Packets.mac(dstMac);
        for (int i = 0; i < 6; i++)
        {
            f.put(i, mac[i]);
        }
        f.put(12, (byte)0x88).put(13, (byte)0xB5).put(14, (byte)marker);
        return f;
    }

    private static int countMarked(final AfPacketDevice device, final int marker, final long waitMs)
    {
        final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
        int count = 0;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (System.nanoTime() < deadline)
        {
            device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(10));
            final int n = device.receive(mem.burst, System.nanoTime());
            for (int i = 0; i < n; i++)
            {
                final byte[] f = NativeFrames.frame(mem.burst, i);
                if (f.length >= 15 && Packets.u16(f, 12) == 0x88B5 && f[14] == (byte)marker)
                {
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Counts marked frames until {@code expected} arrived (then keeps reading a short grace period, so
     * surplus copies are still counted) or {@code maxWaitMs} passed: a loaded CI machine may deliver
     * late, and a fixed short window would then under-count.
     */
    private static int countMarkedUntil(final AfPacketDevice device, final int marker, final int expected,
        final long maxWaitMs)
    {
        int count = 0;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        while (count < expected && System.nanoTime() < deadline)
        {
            count += countMarked(device, marker, 10);
        }
        return count + countMarked(device, marker, GRACE_MS);
    }

    /** How long to keep reading after the expected frames arrived, to catch surplus ones. */
    private static final long GRACE_MS = 50;
    /** Upper bound on waiting for frames that must arrive; only reached when something is wrong. */
    private static final long ARRIVAL_DEADLINE_MS = 10_000;

    private static void send(final AfPacketDevice device, final ByteBuffer frame, final int copies)
    {
        final TxBurst burst = new TxBurst(copies, 1);
        for (int i = 0; i < copies; i++)
        {
            burst.beginFrame();
            burst.addSegment(NativeFrames.address(frame), 64);
        }
        assertEquals(copies, device.transmit(burst, System.nanoTime()));
    }

    @Test
    void ignoreOutgoingHidesOurOwnFramesFromOurReceiveRing()
    {
        try (AfPacketDevice quiet = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface()).build());
            AfPacketDevice echoing = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .ignoreOutgoing(false).build()))
        {
            send(quiet, frame(topology.peerMac(), 0x51), 3);
            send(echoing, frame(topology.peerMac(), 0x52), 3);
            // Without IGNORE_OUTGOING a socket sees every frame leaving the interface: its own and the other's.
            assertEquals(3, countMarkedUntil(echoing, 0x51, 3, ARRIVAL_DEADLINE_MS));
            // With it, the socket sees none of the outgoing frames, its own or the other socket's.
            assertEquals(0, countMarked(quiet, 0x52, 50));
            assertEquals(0, countMarked(quiet, 0x51, 50));
        }
    }

    /** An ARP request (broadcast) asking for {@code targetIp}, marked in the sender hardware address. */
    private static ByteBuffer arpRequest(final int targetIp, final int marker)
    {
        final ByteBuffer f = NativeFrames.allocate(64);
        for (int i = 0; i < 6; i++)
        {
            f.put(i, (byte)0xFF);
        }
        f.put(6, (byte)0x02).put(11, (byte)marker);
        f.put(12, (byte)0x08).put(13, (byte)0x06);
        f.putShort(14, (short)1).putShort(16, (short)0x0800).put(18, (byte)6).put(19, (byte)4).putShort(20, (short)1);
        f.put(22, (byte)0x02).put(27, (byte)marker);
        f.putInt(38, targetIp);
        return f;
    }

    private static int countArpMarked(final AfPacketDevice device, final int marker, final long waitMs)
    {
        final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
        int count = 0;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (System.nanoTime() < deadline)
        {
            device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(10));
            final int n = device.receive(mem.burst, System.nanoTime());
            for (int i = 0; i < n; i++)
            {
                final byte[] f = NativeFrames.frame(mem.burst, i);
                if (f.length >= 28 && Packets.u16(f, 12) == 0x0806 && f[27] == (byte)marker)
                {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    void aStationFilterLetsInOnlyItsOwnFramesAndArpForItsAddress() throws Exception
    {
        final long stationMac = 0x02_AA_BB_CC_DD_01L;
        final int stationIp = 0xC6120B07;   // 198.18.11.7
        try (AfPacketDevice station = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .stationFilter(stationMac, stationIp).build());
            AfPacketDevice open = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface()).build());
            AfPacketDevice tx = topology.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(topology.peerInterface()).build())))
        {
            countMarked(station, 0, 20);
            send(tx, frame("02:aa:bb:cc:dd:01", 0x81), 4);        // to the station
            send(tx, frame("02:aa:bb:cc:dd:02", 0x82), 4);        // to another station
            assertEquals(4, countMarkedUntil(station, 0x81, 4, ARRIVAL_DEADLINE_MS));
            assertEquals(0, countMarked(station, 0x82, 50), "frames to another MAC are filtered in the kernel");
            assertEquals(4, countMarkedUntil(open, 0x82, 4, ARRIVAL_DEADLINE_MS), "an unfiltered socket sees them");
            // (reading drains the ring of everything: the ARP requests go out only now)
            send(tx, arpRequest(stationIp, 0x83), 2);             // who has the station's address
            send(tx, arpRequest(stationIp + 1, 0x84), 2);         // who has another address
            final int arps = countArpMarked(station, 0x83, 300);
            assertEquals(2, arps, "ARP requests for the station's address pass");
            assertEquals(0, countArpMarked(station, 0x84, 100), "ARP for other addresses does not");
        }
    }

    @Test
    void promiscuousMembershipRaisesTheInterfacePromiscuityUntilClose()
    {
        assertEquals(0, promiscuity());
        try (AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
            .promiscuous(true).build()))
        {
            assertEquals(1, promiscuity(), "PACKET_MR_PROMISC membership");
            assertTrue(device.interfaceIndex() > 0);
        }
        assertEquals(0, promiscuity(), "membership dropped with the socket");
    }

    private static int promiscuity()
    {
        final String out = Commands.check("ip", "-d", "link", "show", "dev", topology.stackInterface()).stdout();
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("promiscuity (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Integer.parseInt(m.group(1));
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void aFullReceiveRingMakesTheKernelDropAndTheStatisticsSaySo(final TpacketVersion version) throws Exception
    {
        // The smallest ring: V2 one 4 KiB block of two 2 KiB frames; V3 two 4 KiB blocks (~55 64-byte frames each).
        final AfPacketConfig.Builder b = AfPacketConfig.builder(topology.stackInterface()).version(version);
        final int sent = 300;
        try (AfPacketDevice rx = AfPacketDevice.open(version == TpacketVersion.V2 ?
                b.rxRing(4096, 1, 2048).build() : b.rxRing(4096, 2, 2048).v3RetireBlockTimeoutMs(1).build());
            AfPacketDevice tx = topology.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(topology.peerInterface()).build())))
        {
            final ByteBuffer f = frame(topology.stackMac(), 0x61);
            for (int i = 0; i < sent / 30; i++)
            {
                send(tx, f, 30); // 30 at a time: well under the veth backlog of 1000
                Thread.sleep(2);
            }
            // Wait until the kernel has offered every frame to the ring (delivered or dropped), not a
            // fixed time: on a loaded machine the receive softirq may run late. Reading accumulates.
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARRIVAL_DEADLINE_MS);
            while (rx.statistics().kernelPackets() < sent && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            final int got = countMarked(rx, 0x61, 100);
            final DeviceStatistics stats = rx.statistics();
            assertTrue(got > 0 && got < sent, "ring holds only part of the burst: " + got);
            assertEquals(got, stats.rxFrames());
            assertEquals(sent, stats.kernelPackets(), "tp_packets counts every frame offered (delivered + dropped)");
            assertEquals(sent - got, stats.kernelDrops(), "tp_drops = frames that found the ring full");
            if (version == TpacketVersion.V3)
            {
                assertTrue(stats.kernelFreezeQueueCount() > 0, "V3 froze its queue when no block was free");
            }
        }
    }

    @Test
    void awaitReadableTimesOutWhenIdleAndReturnsTrueWhenAFrameWaits() throws Exception
    {
        try (AfPacketDevice rx = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .busyPollSpins(1000).build());
            AfPacketDevice tx = topology.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(topology.peerInterface()).build())))
        {
            countMarked(rx, 0, 20); // drain anything stray
            assertFalse(rx.awaitReadable(TimeUnit.MILLISECONDS.toNanos(20)), "nothing to read");
            send(tx, frame(topology.stackMac(), 0x71), 1);
            assertTrue(rx.awaitReadable(TimeUnit.SECONDS.toNanos(5)), "a frame arrived");
            assertEquals(1, countMarked(rx, 0x71, 20));
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void aFrameLargerThanTheV2SlotArrivesTruncatedWithItsWireLengthAndWholeThroughV3(final TpacketVersion version) throws Exception
    {
        // 512-byte ring frames leave about 430 bytes for the frame after the kernel's headers.
        try (AfPacketDevice rx = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface()).version(version)
                .rxRing(65536, 4, 512).v3RetireBlockTimeoutMs(1).build());
            AfPacketDevice tx = topology.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(topology.peerInterface()).build())))
        {
            final ByteBuffer big = NativeFrames.allocate(1200);
            final ByteBuffer head = frame(topology.stackMac(), 0x81);
            for (int i = 0; i < 64; i++)
            {
                big.put(i, head.get(i));
            }
            for (int i = 64; i < 1200; i++)
            {
                big.put(i, (byte)i);
            }
            final TxBurst burst = new TxBurst(1, 1);
            burst.beginFrame();
            burst.addSegment(NativeFrames.address(big), 1200);
            assertEquals(1, tx.transmit(burst, System.nanoTime()));
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline)
            {
                rx.awaitReadable(TimeUnit.MILLISECONDS.toNanos(10));
                final int n = rx.receive(mem.burst, System.nanoTime());
                for (int i = 0; i < n; i++)
                {
                    final byte[] f = NativeFrames.frame(mem.burst, i);
                    if (f.length >= 15 && Packets.u16(f, 12) == 0x88B5 && f[14] == (byte)0x81)
                    {
                        assertEquals(1200, mem.burst.wireLength(i), "original length");
                        if (version == TpacketVersion.V2)
                        {
                            assertTrue(f.length < 512 && f.length > 256, "truncated to the slot: " + f.length);
                        }
                        else
                        {
                            // V3 packs variable-sized packets into blocks: frame size is no limit there.
                            assertEquals(1200, f.length, "V3 delivers the whole frame");
                        }
                        for (int b = 64; b < f.length; b++)
                        {
                            assertEquals((byte)b, f[b], "byte " + b + " of the truncated frame");
                        }
                        return;
                    }
                }
            }
            fail("the 1200-byte frame did not arrive");
        }
    }

    @Test
    void fanoutGroupSplitsFlowsBetweenMembersKeepingEachFlowOnOne() throws Exception
    {
        final int group = 1000 + new java.util.Random().nextInt(60_000);
        topology.addPeerNeighbor("198.18.11.2", topology.stackMac());
        try (AfPacketDevice first = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .fanoutGroup(group).build());
            AfPacketDevice second = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .fanoutGroup(group).build()))
        {
            final int flows = 16;
            final int perFlow = 10;
            topology.runInPeerNamespace(() ->
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    try (java.net.DatagramSocket s = new java.net.DatagramSocket(
                        new java.net.InetSocketAddress("198.18.11.1", 43000 + flow)))
                    {
                        for (int i = 0; i < perFlow; i++)
                        {
                            s.send(new java.net.DatagramPacket(new byte[16], 16,
                                new java.net.InetSocketAddress("198.18.11.2", 5000)));
                        }
                    }
                }
                return null;
            });
            // Outgoing frames of a member stay hidden from the whole group (fanout's own ignore-outgoing flag).
            send(first, frame(topology.peerMac(), 0x91), 5);

            final int[] owner = new int[flows];
            java.util.Arrays.fill(owner, -1);
            final int[] perDevice = new int[2];
            final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
            // Until all arrived (bounded), then a short grace period so a duplicate would still be seen.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARRIVAL_DEADLINE_MS);
            boolean grace = false;
            int total = 0;
            while (System.nanoTime() < deadline)
            {
                if (!grace && total >= flows * perFlow)
                {
                    grace = true;
                    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
                }
                for (int d = 0; d < 2; d++)
                {
                    final AfPacketDevice device = d == 0 ? first : second;
                    final int n = device.receive(mem.burst, System.nanoTime());
                    for (int i = 0; i < n; i++)
                    {
                        final byte[] f = NativeFrames.frame(mem.burst, i);
                        assertFalse(f.length >= 15 && Packets.u16(f, 12) == 0x88B5, "an outgoing frame came back");
                        if (f.length >= 42 && Packets.u16(f, 12) == 0x0800 && Packets.u16(f, 36) == 5000)
                        {
                            final int flow = Packets.u16(f, 34) - 43000;
                            assertTrue(owner[flow] == -1 || owner[flow] == d, "flow " + flow + " split across members");
                            owner[flow] = d;
                            perDevice[d]++;
                            total++;
                        }
                    }
                }
                Thread.sleep(1);
            }
            assertEquals(flows * perFlow, total, "every datagram reached exactly one member");
            assertTrue(perDevice[0] > 0 && perDevice[1] > 0,
                "16 flows hashed onto both members: " + java.util.Arrays.toString(perDevice));
        }
    }
}
