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
import io.pktstore.nic.testutil.MappedFrameBuffers;
import io.pktstore.nic.xdp.AfXdpDevice;
import io.pktstore.nic.xdp.XdpConfig;
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

    /** Gives each received in-place buffer straight back to its owner, as the stack does with a dropped frame. */
    private static final class ReleasingDevice extends ForwardingDevice
    {
        private final MappedFrameBuffers buffers;

        ReleasingDevice(final FrameDevice inner, final MappedFrameBuffers buffers)
        {
            super(inner, "releasing");
            this.buffers = buffers;
        }

        @Override
        public int receive(final RxBurst burst, final long nowNs)
        {
            final int n = inner.receive(burst, nowNs);
            for (int i = 0; i < n; i++)
            {
                buffers.release(buffers.bufferAt(burst.bufferAddress(i)));
            }
            return n;
        }
    }

    @Test
    void afXdpTransmitAndReceiveAllocateNothingPerFrame() throws Exception
    {
        final String stem = "/dev/shm/pks-xdp-alloc-" + ProcessHandle.current().pid();
        try (VethTopology t = VethTopology.create("198.18.11.1/24");
            MappedFrameBuffers rxBuffers = new MappedFrameBuffers(java.nio.file.Path.of(stem + "-rx"), 4096, 2048);
            MappedFrameBuffers txBuffers = new MappedFrameBuffers(java.nio.file.Path.of(stem + "-tx"), 4096, 2048);
            AfXdpDevice rx = AfXdpDevice.open(XdpConfig.builder(t.stackInterface()).build(), rxBuffers);
            AfXdpDevice tx = t.runInPeerNamespace(() -> AfXdpDevice.open(XdpConfig.builder(t.peerInterface()).build(),
                txBuffers)))
        {
            // The frame lives in one of the sender's own buffers, so transmit sends it in place (retain,
            // completion, release), the path that has the most bookkeeping.
            final long frame = txBuffers.bufferAddress(txBuffers.allocate());
            final byte[] mac = io.pktstore.nic.testutil.Packets.mac(t.stackMac());
            for (int i = 0; i < 6; i++)
            {
                org.agrona.UnsafeApi.putByte(frame + i, mac[i]);
            }
            org.agrona.UnsafeApi.putByte(frame + 12, (byte)0x88);
            org.agrona.UnsafeApi.putByte(frame + 13, (byte)0xB5);
            final TxBurst burst = new TxBurst(32, 1);
            final RxBurst rxBurst = new RxBurst(64);
            final FrameDevice receiver = new ReleasingDevice(rx, rxBuffers);
            pump(tx, receiver, 100_000, burst, rxBurst, frame);
            rx.statistics();
            final long before = allocated();
            final long got = pump(tx, receiver, 200_000, burst, rxBurst, frame);
            rx.statistics();
            final long bytes = allocated() - before;
            assertTrue(got > 0, "frames flowed");
            assertTrue(bytes < SLACK_BYTES, "allocated " + bytes + " bytes across 200k frames through AF_XDP");
        }
    }
}
