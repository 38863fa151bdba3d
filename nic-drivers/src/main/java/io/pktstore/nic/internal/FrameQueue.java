package io.pktstore.nic.internal;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

/**
 * A bounded single-producer single-consumer queue of whole frames held in one pre-allocated native
 * block: {@code capacity} slots of {@code slotSize} bytes plus per-slot length, timestamp and
 * checksum metadata in primitive arrays. The producer and consumer may be different threads: the
 * tail is published with a release store after the slot is written, and the head with a release
 * store after the slot is read. Nothing is allocated after construction.
 */
public final class FrameQueue
{
    private final ByteBuffer memory;
    private final long base;
    private final int slotSize;
    private final int capacity;
    private final int mask;
    private final int[] length;
    private final long[] timestampNs;
    private final int[] checksumStatus;
    private final int[] csumStart;
    private final int[] csumOffset;
    private final long[] sequence = new long[2];

    private static final int HEAD = 0;
    private static final int TAIL = 1;
    private static final long SEQ_BASE = UnsafeApi.arrayBaseOffset(long[].class);
    private static final long SEQ_SCALE = UnsafeApi.arrayIndexScale(long[].class);

    /**
     * @param capacity slots, rounded up to a power of two.
     * @param slotSize the largest frame in bytes.
     */
    public FrameQueue(final int capacity, final int slotSize)
    {
        int c = 1;
        while (c < capacity)
        {
            c <<= 1;
        }
        this.capacity = c;
        this.mask = c - 1;
        this.slotSize = slotSize;
        memory = ByteBuffer.allocateDirect(Math.multiplyExact(c, slotSize));
        base = BufferUtil.address(memory);
        length = new int[c];
        timestampNs = new long[c];
        checksumStatus = new int[c];
        csumStart = new int[c];
        csumOffset = new int[c];
    }

    /** @return the number of slots. */
    public int capacity()
    {
        return capacity;
    }

    /** @return the largest frame a slot holds. */
    public int slotSize()
    {
        return slotSize;
    }

    private long seq(final int which)
    {
        return UnsafeApi.getLongAcquire(sequence, SEQ_BASE + which * SEQ_SCALE);
    }

    private void publish(final int which, final long value)
    {
        UnsafeApi.putLongRelease(sequence, SEQ_BASE + which * SEQ_SCALE, value);
    }

    /** @return frames currently queued (approximate if called by a third thread). */
    public int size()
    {
        return (int)(seq(TAIL) - seq(HEAD));
    }

    /**
     * Producer: reserves the next slot.
     *
     * @return the slot's address, or 0 if the queue is full.
     */
    public long claim()
    {
        final long tail = seq(TAIL);
        if (tail - seq(HEAD) >= capacity)
        {
            return 0;
        }
        return base + (long)(int)(tail & mask) * slotSize;
    }

    /**
     * Producer: publishes the slot returned by the last {@link #claim()}.
     *
     * @param frameLength bytes written.
     * @param ts timestamp in ns.
     * @param csumStatus checksum status.
     * @param start checksum start for PARTIAL frames, else -1.
     * @param offset checksum field offset from start for PARTIAL frames, else -1.
     */
    public void commit(final int frameLength, final long ts, final int csumStatus, final int start, final int offset)
    {
        final long tail = seq(TAIL);
        final int i = (int)(tail & mask);
        length[i] = frameLength;
        timestampNs[i] = ts;
        checksumStatus[i] = csumStatus;
        csumStart[i] = start;
        csumOffset[i] = offset;
        publish(TAIL, tail + 1);
    }

    /** @return true if the consumer has nothing to read. */
    public boolean isEmpty()
    {
        return seq(HEAD) == seq(TAIL);
    }

    /**
     * Consumer:
     * @return address of the oldest frame; only valid if not empty.
     */
    public long headAddress()
    {
        return base + (long)(int)(seq(HEAD) & mask) * slotSize;
    }

    /**
     * Consumer:
     * @return length of the oldest frame.
     */
    public int headLength()
    {
        return length[(int)(seq(HEAD) & mask)];
    }

    /**
     * Consumer:
     * @return timestamp of the oldest frame.
     */
    public long headTimestampNs()
    {
        return timestampNs[(int)(seq(HEAD) & mask)];
    }

    /**
     * Consumer:
     * @return checksum status of the oldest frame.
     */
    public int headChecksumStatus()
    {
        return checksumStatus[(int)(seq(HEAD) & mask)];
    }

    /**
     * Consumer.
     *
     * @return checksum start of the oldest frame, -1 if none.
     */
    public int headCsumStart()
    {
        return csumStart[(int)(seq(HEAD) & mask)];
    }

    /**
     * Consumer.
     *
     * @return checksum field offset of the oldest frame, -1 if none.
     */
    public int headCsumOffset()
    {
        return csumOffset[(int)(seq(HEAD) & mask)];
    }

    /** Consumer: releases the oldest frame. */
    public void pop()
    {
        publish(HEAD, seq(HEAD) + 1);
    }
}
