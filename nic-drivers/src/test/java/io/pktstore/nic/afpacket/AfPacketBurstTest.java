package io.pktstore.nic.afpacket;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A paced burst of 100,000 frames over veth: a second AF_PACKET device on the peer end (opened in
 * the peer namespace) sends numbered frames, never more than a window ahead of what the receiver has
 * taken, so no queue on the way (veth backlog, RX ring) can overflow; the device under test must
 * deliver every one, in order, byte-exact, and its counters must agree with PACKET_STATISTICS.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfPacketBurstTest
{
    private static final int FRAMES = 100_000;
    private static final int FRAME_LENGTH = 64;
    private static final int WINDOW = 256;
    /** IEEE 802 local experimental ethertype: no kernel protocol handler looks at it. */
    private static final int ETHERTYPE = 0x88B5;
    private static final int SEQ_OFFSET = 14;

    private static VethTopology topology;

    @BeforeAll
    static void createHosts()
    {
        topology = VethTopology.create("198.18.1.1/24");
    }

    @AfterAll
    static void removeHosts()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    /** Frame {@code seq}: dst, src, ethertype, then seq (big-endian int) and bytes derived from seq. */
    private static void writeFrame(final long address, final int seq, final byte[] dst, final byte[] src)
    {
        for (int i = 0; i < 6; i++)
        {
            UnsafeApi.putByte(address + i, dst[i]);
            UnsafeApi.putByte(address + 6 + i, src[i]);
        }
        UnsafeApi.putByte(address + 12, (byte)(ETHERTYPE >>> 8));
        UnsafeApi.putByte(address + 13, (byte)ETHERTYPE);
        UnsafeApi.putInt(address + SEQ_OFFSET, Integer.reverseBytes(seq));
        for (int i = SEQ_OFFSET + 4; i < FRAME_LENGTH; i++)
        {
            UnsafeApi.putByte(address + i, (byte)(seq * 31 + i));
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void pacedBurstOf100kFramesArrivesCompleteAndStatisticsAgreeWithKernel(final TpacketVersion version) throws Exception
    {
        final byte[] dst = io.pktstore.nic.testutil.Packets.mac(topology.stackMac());
        final byte[] src = io.pktstore.nic.testutil.Packets.mac(topology.peerMac());
        final AtomicLong received = new AtomicLong();
        final AtomicReference<Throwable> senderError = new AtomicReference<>();
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (AfPacketDevice rx = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                .version(version).v3RetireBlockTimeoutMs(1).build());
            AfPacketDevice tx = topology.runInPeerNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(topology.peerInterface()).qdiscBypass(true).build())))
        {
            final Thread sender = new Thread(() ->
            {
                try
                {
                    final int batch = 32;
                    final ByteBuffer memory = NativeFrames.allocate(batch * FRAME_LENGTH);
                    final long base = NativeFrames.address(memory);
                    final TxBurst burst = new TxBurst(batch, 1);
                    int seq = 0;
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (seq < FRAMES && System.nanoTime() < deadline && !stop.get())
                    {
                        if (seq - received.get() >= WINDOW)
                        {
                            Thread.onSpinWait();
                            continue;
                        }
                        final int count = Math.min(batch, FRAMES - seq);
                        burst.clear();
                        for (int i = 0; i < count; i++)
                        {
                            writeFrame(base + (long)i * FRAME_LENGTH, seq + i, dst, src);
                            burst.beginFrame();
                            burst.addSegment(base + (long)i * FRAME_LENGTH, FRAME_LENGTH);
                        }
                        seq += tx.transmit(burst, System.nanoTime());
                    }
                }
                catch (final Throwable t)
                {
                    senderError.set(t);
                }
            }, "burst-sender");
            sender.start();
            try
            {
                receiveAll(rx, tx, received, senderError, dst, src);
            }
            finally
            {
                // The sender must be gone before the devices close: it writes into the TX ring mapping.
                stop.set(true);
                sender.join();
            }
        }
    }

    private static void receiveAll(
        final AfPacketDevice rx, final AfPacketDevice tx, final AtomicLong received,
        final AtomicReference<Throwable> senderError, final byte[] dst, final byte[] src)
    {
        {

            final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
            final RxBurst burst = mem.burst;
            int expected = 0;
            long others = 0;
            final byte[] got = new byte[FRAME_LENGTH];
            final ByteBuffer reference = NativeFrames.allocate(FRAME_LENGTH);
            final byte[] want = new byte[FRAME_LENGTH];
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (expected < FRAMES && System.nanoTime() < deadline && senderError.get() == null)
            {
                final int n = rx.receive(burst, System.nanoTime());
                if (n == 0)
                {
                    rx.awaitReadable(TimeUnit.MILLISECONDS.toNanos(5));
                    continue;
                }
                for (int i = 0; i < n; i++)
                {
                    final long address = burst.bufferAddress(i);
                    final int type = ((UnsafeApi.getByte(address + 12) & 0xFF) << 8) | (UnsafeApi.getByte(address + 13) & 0xFF);
                    if (type != ETHERTYPE)
                    {
                        others++;
                        continue;
                    }
                    assertEquals(FRAME_LENGTH, burst.frameLength(i));
                    final int seq = Integer.reverseBytes(UnsafeApi.getInt(address + SEQ_OFFSET));
                    assertEquals(expected, seq, "frames must arrive complete and in order");
                    io.pktstore.nic.internal.Frames.copyToArray(address, got, FRAME_LENGTH);
                    writeFrame(NativeFrames.address(reference), seq, dst, src);
                    io.pktstore.nic.internal.Frames.copyToArray(NativeFrames.address(reference), want, FRAME_LENGTH);
                    assertArrayEquals(want, got, "bytes of frame " + seq);
                    expected++;
                }
                received.set(expected);
            }
            final long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tx.statistics().txFrames() < FRAMES && System.nanoTime() < joinDeadline && senderError.get() == null)
            {
                Thread.onSpinWait();
            }
            assertNull(senderError.get(), () -> "sender failed: " + senderError.get());
            assertEquals(FRAMES, expected, "frames received in order");

            final DeviceStatistics stats = rx.statistics();
            assertEquals(FRAMES + others, stats.rxFrames(), "driver's rxFrames");
            assertEquals(stats.rxFrames(), stats.kernelPackets(), "kernel tp_packets = frames the driver delivered");
            assertEquals(0, stats.kernelDrops(), "kernel tp_drops");
            assertEquals(0, stats.rxDropsOversize());
            assertEquals(0, stats.kernelFreezeQueueCount());
            assertEquals(FRAMES, tx.statistics().txFrames(), "sender's txFrames");
        }
    }
}
