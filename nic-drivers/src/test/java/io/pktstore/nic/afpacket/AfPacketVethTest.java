package io.pktstore.nic.afpacket;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static io.pktstore.nic.testutil.Packets.ETH;
import static io.pktstore.nic.testutil.Packets.u16;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The AF_PACKET driver over a real veth pair: the stack end in the root namespace (no address), the
 * peer end in a namespace of the test's own with 198.18.0.1/24, whose kernel sends and receives.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfPacketVethTest
{
    private static final String PEER_IP = "198.18.0.1";
    private static final String STACK_IP = "198.18.0.2";
    private static VethTopology topology;

    @BeforeAll
    static void createHosts()
    {
        topology = VethTopology.create(PEER_IP + "/24");
        // The stack answers ARP itself in production; here a static entry lets the kernel send straight away.
        topology.addPeerNeighbor(STACK_IP, topology.stackMac());
    }

    @AfterAll
    static void removeHosts()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    private static AfPacketDevice open(final TpacketVersion version)
    {
        return AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface()).version(version)
            .v3RetireBlockTimeoutMs(2).build());
    }

    private static long realtimeNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @ParameterizedTest(name = "{0}, peer tx checksum offload {1}")
    @CsvSource({"V2,true", "V2,false", "V3,true", "V3,false"})
    void kernelUdpAndTcpSynArriveExactWithTimestampAndChecksumStatus(final TpacketVersion version, final boolean csumOffload)
        throws Exception
    {
        topology.setPeerOffloads(csumOffload, false, false);
        final byte[] payload = ("pktstore udp " + version + " " + csumOffload).getBytes(StandardCharsets.US_ASCII);
        try (AfPacketDevice device = open(version))
        {
            final long before = realtimeNs();
            topology.runInPeerNamespace(() ->
            {
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(PEER_IP, 40000)))
                {
                    udp.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(STACK_IP, 9999)));
                }
                // A non-blocking connect sends one SYN; closing in SYN_SENT sends nothing more.
                try (SocketChannel tcp = SocketChannel.open())
                {
                    tcp.configureBlocking(false);
                    tcp.bind(new InetSocketAddress(PEER_IP, 40001));
                    tcp.connect(new InetSocketAddress(STACK_IP, 7777));
                    Thread.sleep(20);
                }
                return null;
            });
            final long after = realtimeNs();

            final NativeFrames.BurstMemory mem = NativeFrames.burst(16, 2048);
            final RxBurst burst = mem.burst;
            byte[] udpFrame = null;
            byte[] synFrame = null;
            int udpStatus = -1;
            int synStatus = -1;
            int udpCsumStart = -2;
            long udpTs = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((udpFrame == null || synFrame == null) && System.nanoTime() < deadline)
            {
                device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(50));
                final int n = device.receive(burst, System.nanoTime());
                for (int i = 0; i < n; i++)
                {
                    final byte[] f = NativeFrames.frame(burst, i);
                    assertEquals(burst.frameLength(i), burst.wireLength(i), "nothing here is truncated");
                    if (f.length < ETH + 20 + 8 || u16(f, 12) != 0x0800)
                    {
                        continue;
                    }
                    final int proto = f[ETH + 9] & 0xFF;
                    if (proto == Packets.PROTO_UDP && u16(f, ETH + 22) == 9999)
                    {
                        udpFrame = f;
                        udpStatus = burst.checksumStatus(i);
                        udpCsumStart = burst.csumStart(i);
                        udpTs = burst.timestampNs(i);
                    }
                    else if (proto == Packets.PROTO_TCP && u16(f, ETH + 22) == 7777)
                    {
                        synFrame = f;
                        synStatus = burst.checksumStatus(i);
                    }
                }
            }
            assertNotNull(udpFrame, "UDP datagram from the peer kernel did not arrive");
            assertNotNull(synFrame, "TCP SYN from the peer kernel did not arrive");

            // Exact bytes: everything the kernel had no freedom over must match what we built.
            final byte[] expected = Packets.udp(topology.stackMac(), topology.peerMac(), PEER_IP, STACK_IP, 40000, 9999,
                payload);
            assertEquals(expected.length, udpFrame.length, "frame length");
            final byte[] masked = udpFrame.clone();
            // The kernel picks the IP id (and so the IP checksum), TTL is 64 on Linux too; the UDP checksum is checked below.
            for (final int off : new int[] {ETH + 4, ETH + 5, ETH + 10, ETH + 11, ETH + 26, ETH + 27})
            {
                masked[off] = expected[off];
            }
            assertArrayEquals(expected, masked, "UDP frame bytes");
            assertTrue(Packets.ipChecksumValid(udpFrame), "IP header checksum");
            assertTrue(udpTs >= before - 1_000_000 && udpTs <= after + 1_000_000,
                "receive timestamp " + udpTs + " outside [" + before + ", " + after + "] (CLOCK_REALTIME)");

            assertEquals(0x02, synFrame[ETH + 20 + 13] & 0x3F, "TCP flags: SYN only");
            assertEquals(40001, u16(synFrame, ETH + 20));
            if (csumOffload)
            {
                assertEquals(ChecksumStatus.PARTIAL, udpStatus, "UDP status with peer tx offload on");
                assertEquals(ChecksumStatus.PARTIAL, synStatus, "TCP status with peer tx offload on");
                assertEquals(-1, udpCsumStart, "no VNET header: csumStart unknown");
                assertTrue(Packets.holdsPseudoHeaderSum(udpFrame, ETH + 26), "UDP field holds only the pseudo-header sum");
                final int tcpHdr = ETH + 20;
                assertTrue(Packets.holdsPseudoHeaderSum(synFrame, tcpHdr + 16), "TCP field holds only the pseudo-header sum");
                assertFalse(Packets.transportChecksumValid(synFrame), "a partial checksum must not verify as complete");
            }
            else
            {
                assertEquals(ChecksumStatus.UNKNOWN, udpStatus, "UDP status with peer tx offload off");
                assertEquals(ChecksumStatus.UNKNOWN, synStatus, "TCP status with peer tx offload off");
                assertTrue(Packets.transportChecksumValid(udpFrame), "complete UDP checksum verifies");
                assertTrue(Packets.transportChecksumValid(synFrame), "complete TCP checksum verifies");
            }
        }
        finally
        {
            topology.setPeerOffloads(true, false, false);
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void vnetHeaderReportsChecksumStartAndOffset(final TpacketVersion version) throws Exception
    {
        topology.setPeerOffloads(true, false, false);
        try (AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
            .version(version).vnetHdr(true).v3RetireBlockTimeoutMs(2).build()))
        {
            final byte[] payload = "vnet".getBytes(StandardCharsets.US_ASCII);
            topology.runInPeerNamespace(() ->
            {
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(PEER_IP, 40002)))
                {
                    udp.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(STACK_IP, 9998)));
                }
                return null;
            });
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline)
            {
                device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(50));
                final int n = device.receive(mem.burst, System.nanoTime());
                for (int i = 0; i < n; i++)
                {
                    final byte[] f = NativeFrames.frame(mem.burst, i);
                    if (f.length >= ETH + 28 && u16(f, 12) == 0x0800 && u16(f, ETH + 22) == 9998)
                    {
                        assertEquals(ChecksumStatus.PARTIAL, mem.burst.checksumStatus(i));
                        assertEquals(ETH + 20, mem.burst.csumStart(i), "csum_start = start of the UDP header");
                        assertEquals(6, mem.burst.csumOffset(i), "csum_offset = UDP checksum field");
                        assertEquals(0x45, f[ETH] & 0xFF, "frame starts at the Ethernet header, after the vnet header");
                        return;
                    }
                }
            }
            fail("UDP datagram did not arrive with VNET header on " + version);
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void driverTransmitsGatheredUdpReadByKernelSocket(final TpacketVersion version) throws Exception
    {
        final byte[] payload = ("from the driver via " + version).getBytes(StandardCharsets.US_ASCII);
        final byte[] frame = Packets.udp(topology.peerMac(), topology.stackMac(), STACK_IP, PEER_IP, 41000, 5555, payload);
        // Two gather pieces: headers, then payload, as the stack sends headers + arena payload.
        final ByteBuffer headers = NativeFrames.direct(Arrays.copyOfRange(frame, 0, ETH + 28));
        final ByteBuffer body = NativeFrames.direct(Arrays.copyOfRange(frame, ETH + 28, frame.length));
        try (DatagramSocket socket = topology.runInPeerNamespace(() -> new DatagramSocket(new InetSocketAddress(PEER_IP, 5555)));
            AfPacketDevice device = open(version))
        {
            socket.setSoTimeout(5000);
            final TxBurst tx = new TxBurst(4, 2);
            tx.beginFrame();
            tx.addSegment(NativeFrames.address(headers), headers.remaining());
            tx.addSegment(NativeFrames.address(body), body.remaining());
            assertEquals(1, device.transmit(tx, System.nanoTime()));
            final DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
            socket.receive(got);
            assertArrayEquals(payload, Arrays.copyOf(got.getData(), got.getLength()), "payload read by the kernel socket");
            assertEquals(new InetSocketAddress(STACK_IP, 41000), got.getSocketAddress());
            final DeviceStatistics stats = device.statistics();
            assertEquals(1, stats.txFrames());
            assertEquals(frame.length, stats.txBytes());
            assertEquals(0, device.txKickErrors());
            assertEquals(0, device.txWrongFormat());
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void framesLargerThanTheCallersBufferAreDroppedAndCounted(final TpacketVersion version) throws Exception
    {
        try (AfPacketDevice device = open(version))
        {
            final byte[] payload = new byte[600];
            topology.runInPeerNamespace(() ->
            {
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(PEER_IP, 40003)))
                {
                    udp.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(STACK_IP, 9997)));
                }
                return null;
            });
            // Slot buffers of 100 bytes with a canary after each: the 642-byte frame must not be written.
            final ByteBuffer memory = NativeFrames.allocate(4 * 200);
            for (int i = 0; i < memory.capacity(); i++)
            {
                memory.put(i, (byte)0x5A);
            }
            final RxBurst burst = new RxBurst(4);
            for (int i = 0; i < 4; i++)
            {
                burst.setBuffer(i, NativeFrames.address(memory) + i * 200L, 100);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (device.statistics().rxDropsOversize() == 0 && System.nanoTime() < deadline)
            {
                device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(50));
                device.receive(burst, System.nanoTime());
            }
            assertEquals(1, device.statistics().rxDropsOversize());
            for (int slot = 0; slot < 4; slot++)
            {
                for (int i = 100; i < 200; i++)
                {
                    assertEquals((byte)0x5A, memory.get(slot * 200 + i), "byte past slot " + slot + "'s buffer was written");
                }
            }
        }
    }

    /** Receives on the peer end (AF_PACKET with VNET header, in the peer namespace) the UDP frame to port 6666. */
    private static byte[] receiveOnPeer(final AfPacketDevice peer, final int[] statusStartOffset)
    {
        final NativeFrames.BurstMemory mem = NativeFrames.burst(16, 2048);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline)
        {
            peer.awaitReadable(TimeUnit.MILLISECONDS.toNanos(20));
            final int n = peer.receive(mem.burst, System.nanoTime());
            for (int i = 0; i < n; i++)
            {
                final byte[] f = NativeFrames.frame(mem.burst, i);
                if (f.length >= ETH + 28 && u16(f, 12) == 0x0800 && u16(f, ETH + 22) == 6666)
                {
                    statusStartOffset[0] = mem.burst.checksumStatus(i);
                    statusStartOffset[1] = mem.burst.csumStart(i);
                    statusStartOffset[2] = mem.burst.csumOffset(i);
                    return f;
                }
            }
        }
        return fail("UDP frame to port 6666 did not reach the peer end");
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void txChecksumRequestTravelsInTheVnetHeaderAndTheKernelCompletesIt(final TpacketVersion version) throws Exception
    {
        final byte[] payload = ("offload " + version).getBytes(StandardCharsets.US_ASCII);
        final byte[] complete = Packets.udp(topology.peerMac(), topology.stackMac(), STACK_IP, PEER_IP, 41001, 6666,
            payload);
        // What a stack using the offload sends: the UDP checksum field holds only the pseudo-header sum.
        final byte[] partial = complete.clone();
        final int pseudo = Packets.fold(Packets.pseudoHeaderSum(partial, Packets.PROTO_UDP, 8 + payload.length));
        partial[ETH + 26] = (byte)(pseudo >>> 8);
        partial[ETH + 27] = (byte)pseudo;
        final ByteBuffer bytes = NativeFrames.direct(partial);
        final TxBurst tx = new TxBurst(1, 1);
        final int[] meta = new int[3];
        try (AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .version(version).vnetHdr(true).build());
            AfPacketDevice peer = topology.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(topology.peerInterface()).vnetHdr(true).build())))
        {
            assertTrue(device.capabilities().txChecksumOffload());

            // Stack end with TX checksum offload (veth default): the request crosses as CHECKSUM_PARTIAL.
            tx.clear();
            tx.beginFrame();
            tx.addSegment(NativeFrames.address(bytes), partial.length);
            tx.requestChecksum(ETH + 20, 6);
            assertEquals(1, device.transmit(tx, System.nanoTime()));
            assertArrayEquals(partial, receiveOnPeer(peer, meta));
            assertEquals(ChecksumStatus.PARTIAL, meta[0]);
            assertEquals(ETH + 20, meta[1]);
            assertEquals(6, meta[2]);

            // Stack end without TX checksum offload: the kernel must complete the checksum we asked for.
            Commands.check("ethtool", "-K", topology.stackInterface(), "tx", "off");
            assertEquals(1, device.transmit(tx, System.nanoTime()));
            final byte[] completed = receiveOnPeer(peer, meta);
            assertArrayEquals(complete, completed, "kernel completed the UDP checksum");
            assertEquals(ChecksumStatus.UNKNOWN, meta[0]);

            // Control: the same bytes without the request leave untouched, so the completion above was ours.
            tx.clear();
            tx.beginFrame();
            tx.addSegment(NativeFrames.address(bytes), partial.length);
            assertEquals(1, device.transmit(tx, System.nanoTime()));
            assertArrayEquals(partial, receiveOnPeer(peer, meta));
            assertFalse(Packets.transportChecksumValid(partial));
        }
        finally
        {
            Commands.check("ethtool", "-K", topology.stackInterface(), "tx", "on");
        }
    }
}
