package io.pktstore.stack.ip;

import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.TxBurst;
import io.pktstore.stack.StackCounters;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The stack's TX side: a pre-sized {@link TxBurst} plus, per frame slot, {@link #SCRATCH_SIZE} bytes
 * of off-heap scratch memory where headers (or whole small frames such as ARP) are built, so
 * sending allocates nothing. Frames are gathered (scratch header + payload pieces that live
 * elsewhere) and handed to the device by {@link #flush}, normally once at the end of a duty cycle;
 * when the burst is full, {@link #beginFrame} flushes early, which only sends sooner.
 */
public final class FrameTransmitter
{
    /** Scratch bytes per frame slot: room for Ethernet + IPv4 headers or a padded 60-byte frame. */
    public static final int SCRATCH_SIZE = 64;

    private final FrameDevice device;
    private final TxBurst burst;
    private final StackCounters counters;
    private final UnsafeBuffer scratch;
    private final long scratchAddress;

    /**
     * @param device the device frames go to.
     * @param maxFrames frames per burst.
     * @param maxSegmentsPerFrame gather pieces per frame (scratch header included).
     * @param counters where TX events are counted.
     */
    public FrameTransmitter(
        final FrameDevice device, final int maxFrames, final int maxSegmentsPerFrame, final StackCounters counters)
    {
        this.device = device;
        this.burst = new TxBurst(maxFrames, maxSegmentsPerFrame);
        this.counters = counters;
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(maxFrames * SCRATCH_SIZE, SCRATCH_SIZE);
        scratch = new UnsafeBuffer(memory);
        scratchAddress = scratch.addressOffset();
    }

    /**
     * Starts a frame and returns its zeroed scratch memory ({@link #SCRATCH_SIZE} bytes), which stays
     * valid until the frame is flushed. The caller must add at least one segment.
     *
     * @param nowNs the duty cycle's clock (for an early flush).
     * @return the address of this frame's scratch memory.
     */
    public long beginFrame(final long nowNs)
    {
        if (burst.isFull())
        {
            counters.increment(StackCounters.TX_EARLY_FLUSHES);
            flush(nowNs);
        }
        final int frame = burst.beginFrame();
        final int offset = frame * SCRATCH_SIZE;
        scratch.setMemory(offset, SCRATCH_SIZE, (byte)0);
        return scratchAddress + offset;
    }

    /**
     * Appends a gather piece to the frame begun last.
     *
     * @param address first byte; must stay valid until {@link #flush}.
     * @param length bytes, at least 1.
     */
    public void addSegment(final long address, final int length)
    {
        burst.addSegment(address, length);
    }

    /** @return the most gather pieces one frame may have (scratch header included). */
    public int maxSegmentsPerFrame()
    {
        return burst.maxSegmentsPerFrame();
    }

    /** @return frames queued and not yet flushed. */
    public int pendingFrames()
    {
        return burst.frameCount();
    }

    /**
     * Hands the queued frames to the device; frames it does not accept are counted as dropped
     * (TCP retransmits; ARP and ICMP are best effort).
     *
     * @param nowNs the duty cycle's clock.
     * @return the number of frames that were queued.
     */
    public int flush(final long nowNs)
    {
        final int count = burst.frameCount();
        if (count == 0)
        {
            return 0;
        }
        counters.increment(StackCounters.TX_FLUSHES);
        final int accepted = device.transmit(burst, nowNs);
        counters.add(StackCounters.TX_FRAMES, accepted);
        counters.add(StackCounters.TX_DROP_DEVICE_FULL, count - accepted);
        burst.clear();
        return count;
    }
}
