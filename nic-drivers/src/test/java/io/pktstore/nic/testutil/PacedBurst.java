package io.pktstore.nic.testutil;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.internal.Frames;
import org.agrona.UnsafeApi;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A paced burst of numbered frames over veth: an AF_PACKET device on the peer end (opened in the peer
 * namespace) sends them, never more than a window ahead of what the receiver has taken, so no queue
 * on the way (veth backlog, RX ring) can overflow; the device under test must deliver every one, in
 * order, byte-exact. Frame {@code seq}:
 * <pre>
 *   0     6     12     14          18
 *   +-----+-----+------+-----------+--------------------------+
 *   | dst | src |0x88B5| seq (BE)  | byte i = seq * 31 + i    |   64 bytes
 *   +-----+-----+------+-----------+--------------------------+
 * </pre>
 * (0x88B5: IEEE 802 local experimental ethertype; no kernel protocol handler looks at it.)
 */
public final class PacedBurst
{
    /** Bytes per frame. */
    public static final int FRAME_LENGTH = 64;
    private static final int WINDOW = 256;
    private static final int ETHERTYPE = 0x88B5;
    private static final int SEQ_OFFSET = 14;

    /** What a receiver does with a slot it has checked (an in-place device's buffer goes back to its owner). */
    public interface SlotDone
    {
        /**
         * @param burst the burst.
         * @param slot the slot checked.
         */
        void done(RxBurst burst, int slot);
    }

    /** The outcome. */
    public static final class Result
    {
        /** Frames of other ethertypes seen on the way (kernel chatter). */
        public final long others;
        /** The sender's device statistics: frames it sent. */
        public final long sent;

        Result(final long others, final long sent)
        {
            this.others = others;
            this.sent = sent;
        }
    }

    private PacedBurst()
    {
    }

    /**
     * Sends {@code frames} frames from the peer end and receives them on {@code rx}.
     *
     * @param topology the veth pair; {@code rx} is open on its stack end.
     * @param rx the device under test.
     * @param burst its receive burst.
     * @param frames how many.
     * @param slotDone called for each received slot after its check.
     * @return what else was seen and what was sent.
     * @throws Exception if the peer device cannot be opened.
     */
    public static Result run(final VethTopology topology, final FrameDevice rx, final RxBurst burst, final int frames,
        final SlotDone slotDone) throws Exception
    {
        final byte[] dst = Packets.mac(topology.stackMac());
        final byte[] src = Packets.mac(topology.peerMac());
        final AtomicLong received = new AtomicLong();
        final AtomicReference<Throwable> senderError = new AtomicReference<>();
        final AtomicBoolean stop = new AtomicBoolean();
        try (AfPacketDevice tx = topology.runInPeerNamespace(() -> AfPacketDevice.open(
            AfPacketConfig.builder(topology.peerInterface()).qdiscBypass(true).build())))
        {
            final Thread sender = new Thread(() -> send(tx, frames, dst, src, received, stop, senderError), "burst-sender");
            sender.start();
            final long others;
            try
            {
                others = receiveAll(rx, burst, frames, received, senderError, dst, src, slotDone);
            }
            finally
            {
                // The sender must be gone before the devices close: it writes into the TX ring mapping.
                stop.set(true);
                sender.join();
            }
            final long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tx.statistics().txFrames() < frames && System.nanoTime() < joinDeadline && senderError.get() == null)
            {
                Thread.onSpinWait();
            }
            assertNull(senderError.get(), () -> "sender failed: " + senderError.get());
            return new Result(others, tx.statistics().txFrames());
        }
    }

    private static void send(final AfPacketDevice tx, final int frames, final byte[] dst, final byte[] src,
        final AtomicLong received, final AtomicBoolean stop, final AtomicReference<Throwable> senderError)
    {
        try
        {
            final int batch = 32;
            final ByteBuffer memory = NativeFrames.allocate(batch * FRAME_LENGTH);
            final long base = NativeFrames.address(memory);
            final TxBurst burst = new TxBurst(batch, 1);
            int seq = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (seq < frames && System.nanoTime() < deadline && !stop.get())
            {
                if (seq - received.get() >= WINDOW)
                {
                    Thread.onSpinWait();
                    continue;
                }
                final int count = Math.min(batch, frames - seq);
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
    }

    private static long receiveAll(final FrameDevice rx, final RxBurst burst, final int frames, final AtomicLong received,
        final AtomicReference<Throwable> senderError, final byte[] dst, final byte[] src, final SlotDone slotDone)
    {
        int expected = 0;
        long others = 0;
        final byte[] got = new byte[FRAME_LENGTH];
        final ByteBuffer reference = NativeFrames.allocate(FRAME_LENGTH);
        final byte[] want = new byte[FRAME_LENGTH];
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (expected < frames && System.nanoTime() < deadline && senderError.get() == null)
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
                    slotDone.done(burst, i);
                    continue;
                }
                assertEquals(FRAME_LENGTH, burst.frameLength(i));
                final int seq = Integer.reverseBytes(UnsafeApi.getInt(address + SEQ_OFFSET));
                assertEquals(expected, seq, "frames must arrive complete and in order");
                Frames.copyToArray(address, got, FRAME_LENGTH);
                writeFrame(NativeFrames.address(reference), seq, dst, src);
                Frames.copyToArray(NativeFrames.address(reference), want, FRAME_LENGTH);
                assertArrayEquals(want, got, "bytes of frame " + seq);
                slotDone.done(burst, i);
                expected++;
            }
            received.set(expected);
        }
        assertNull(senderError.get(), () -> "sender failed: " + senderError.get());
        assertEquals(frames, expected, "frames received in order");
        return others;
    }

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
}
