package io.pktstore.nic.xdp;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.internal.LibC;
import io.pktstore.nic.internal.ReadableWait;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;

/**
 * The receive side: keeps the fill ring full of the owner's buffers and turns RX descriptors into
 * burst slots that point at those same buffers. Nothing is copied: the kernel wrote the frame into
 * the buffer, the slot names the buffer, and the buffer's reference passes to the caller.
 *
 * <p>A frame the kernel had to split over several descriptors (larger than a buffer's chunk, only
 * possible with XDP_USE_SG) is dropped whole and its buffers released.
 */
final class XskReceiver implements ReadableWait.Ring
{
    private final XskRing fill;
    private final XskRing rx;
    private final UmemLayout layout;
    private final BufferLedger ledger;
    private final DeviceStatistics statistics;
    private final ReadableWait wait;
    /** clock_gettime's timespec; the ByteBuffer keeps the memory alive. */
    private final ByteBuffer scratchMemory = BufferUtil.allocateDirectAligned(16, 8);
    private final long scratch = BufferUtil.address(scratchMemory);
    /** True while the rest of a split frame is being skipped. */
    private boolean skippingSplitFrame;
    private long fillEmpty;
    private long misplaced;

    XskReceiver(final XskSocket socket, final UmemLayout layout, final BufferLedger ledger,
        final DeviceStatistics statistics)
    {
        this.fill = socket.fill();
        this.rx = socket.rx();
        this.wait = new ReadableWait(socket.fd());
        this.layout = layout;
        this.ledger = ledger;
        this.statistics = statistics;
    }

    /**
     * Moves up to burst.capacity() received frames into the burst (slot buffer = the frame's buffer),
     * then refills the fill ring.
     *
     * @return frames delivered.
     */
    int receive(final RxBurst burst)
    {
        final int ready = Math.min(rx.available(), burst.capacity());
        int delivered = 0;
        if (ready > 0)
        {
            final long timestampNs = realtimeNs();
            final int first = rx.consumerIndex();
            for (int i = 0; i < ready; i++)
            {
                final long desc = rx.entry(first + i);
                final long frame = layout.rxFrameAddress(UnsafeApi.getLong(desc));
                final int length = UnsafeApi.getInt(desc + 8);
                final boolean more = (UnsafeApi.getInt(desc + 12) & XdpAbi.PKT_CONTD) != 0;
                final int buffer = layout.bufferHolding(frame, Math.max(1, length));
                if (buffer < 0 || layout.bufferAddress(buffer) != frame)
                {
                    // Never seen: the kernel put a frame where we did not ask for one.
                    misplaced++;
                    statistics.onRxNoBuffer();
                    if (buffer >= 0 && ledger.held(buffer) > 0)
                    {
                        ledger.release(buffer);
                    }
                    continue;
                }
                if (skippingSplitFrame || more)
                {
                    if (!skippingSplitFrame)
                    {
                        statistics.onRxOversize();
                    }
                    skippingSplitFrame = more;
                    ledger.release(buffer);
                    continue;
                }
                burst.setBuffer(delivered, frame, layout.bufferSize());
                burst.setFrame(delivered, length, length, timestampNs, ChecksumStatus.UNKNOWN, -1, -1);
                ledger.handOver(buffer);
                statistics.onRx(length);
                delivered++;
            }
            rx.release(ready);
        }
        refill();
        return delivered;
    }

    /** @return true if a frame is waiting in the RX ring. */
    @Override
    public boolean hasFrame()
    {
        return rx.available() > 0;
    }

    /**
     * Lends free buffers to the kernel until the fill ring is full or the owner has none; pokes the
     * kernel if it asked for it (need_wakeup: a zero-copy driver sleeping on an empty fill ring).
     */
    void refill()
    {
        final int room = fill.free();
        final int first = fill.producerIndex();
        int added = 0;
        while (added < room)
        {
            final int buffer = ledger.allocate();
            if (buffer < 0)
            {
                fillEmpty++;
                break;
            }
            UnsafeApi.putLong(fill.entry(first + added), layout.fillEntry(buffer));
            added++;
        }
        if (added > 0)
        {
            fill.submit(first + added);
        }
        if (fill.needsWakeup())
        {
            wait.poll(0);
        }
    }

    /** @return the idle wait on this socket. */
    ReadableWait readableWait()
    {
        return wait;
    }

    /** @return refills that found the owner out of free buffers (the kernel drops frames meanwhile). */
    long fillEmpty()
    {
        return fillEmpty;
    }

    /** @return descriptors that named memory outside the lent buffers (expected 0). */
    long misplaced()
    {
        return misplaced;
    }

    private long realtimeNs()
    {
        LibC.C.clock_gettime(LibC.CLOCK_REALTIME, scratch);
        return UnsafeApi.getLong(scratch) * 1_000_000_000L + UnsafeApi.getLong(scratch + 8);
    }
}
