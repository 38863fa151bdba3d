package io.pktstore.nic;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.fault.FaultConfig;
import io.pktstore.nic.fault.FaultInjectingDevice;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.nic.testutil.NativeFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The data path allocates nothing: the thread's allocated-bytes counter must barely move across many
 * transmit/receive calls once warmed up. The slack (16 KiB) covers one-off JIT/MXBean noise; across
 * 200,000 frames it is under 0.1 byte per frame, so any per-frame allocation fails the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HotPathAllocationTest
{
    private static final long SLACK_BYTES = 16 * 1024;

    private static long allocated()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Sends {@code frames} 64-byte frames from tx to rx in bursts of 32, receiving as it goes. */
    private static long pump(final FrameDevice tx, final FrameDevice rx, final int frames, final TxBurst burst,
        final RxBurst rxBurst, final long frameAddress)
    {
        long received = 0;
        long now = 0;
        int sent = 0;
        while (sent < frames)
        {
            burst.clear();
            for (int i = 0; i < 32; i++)
            {
                burst.beginFrame();
                burst.addSegment(frameAddress, 64);
            }
            sent += tx.transmit(burst, now);
            now += 1000;
            received += rx.receive(rxBurst, now);
        }
        for (int i = 0; i < 1000 && received < frames; i++)
        {
            now += 1_000_000;
            rx.awaitReadable(1_000_000);
            received += rx.receive(rxBurst, now);
        }
        return received;
    }

    @Test
    void inMemoryLinkAndFaultInjectorAllocateNothingPerFrame()
    {
        final InMemoryLink link = InMemoryLink.pair(4096, 1514, 0);
        final FaultInjectingDevice faulty = new FaultInjectingDevice(link.b(), FaultConfig.builder().dropRate(0.01)
            .duplicateRate(0.01).corruptRate(0.01).reorderRate(0.01).delay(0.01, 5000).build(), 1);
        final ByteBuffer frame = NativeFrames.allocate(64);
        final TxBurst tx = new TxBurst(32, 1);
        final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
        // Warm up until the JIT has compiled the loop (interpreted/compiling code may allocate once).
        pump(link.a(), faulty, 1_000_000, tx, mem.burst, NativeFrames.address(frame));
        final long before = allocated();
        final long got = pump(link.a(), faulty, 1_000_000, tx, mem.burst, NativeFrames.address(frame));
        final long bytes = allocated() - before;
        assertTrue(got > 900_000, "frames flowed: " + got);
        assertTrue(bytes < SLACK_BYTES, "allocated " + bytes + " bytes across 1M frames");
    }

    @Test
    void afPacketTransmitAndReceiveAllocateNothingPerFrame() throws Exception
    {
        try (VethTopology t = VethTopology.create("198.18.10.1/24");
            AfPacketDevice rx = AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface())
                .version(TpacketVersion.V3).build());
            AfPacketDevice tx = t.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.peerInterface()).build())))
        {
            final ByteBuffer frame = NativeFrames.allocate(64);
            // A frame to the stack end's MAC with a private ethertype, so no kernel handler cares.
            final byte[] mac = io.pktstore.nic.testutil.Packets.mac(t.stackMac());
            for (int i = 0; i < 6; i++)
            {
                frame.put(i, mac[i]);
            }
            frame.put(12, (byte)0x88).put(13, (byte)0xB5);
            final TxBurst burst = new TxBurst(32, 1);
            final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
            pump(tx, rx, 100_000, burst, mem.burst, NativeFrames.address(frame));
            rx.statistics();
            final long before = allocated();
            final long got = pump(tx, rx, 200_000, burst, mem.burst, NativeFrames.address(frame));
            rx.statistics();
            final long bytes = allocated() - before;
            assertTrue(got > 0, "frames flowed");
            assertTrue(bytes < SLACK_BYTES, "allocated " + bytes + " bytes across 200k frames through AF_PACKET");
        }
    }
}
