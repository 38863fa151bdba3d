package io.pktstore.nic.fault;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import io.pktstore.nic.internal.Frames;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

/**
 * The fault logic for one direction: frames are staged in a fixed pool of native slots, each with a
 * release time on the nowNs clock; {@link #nextDue(long)} hands them out in (release time, arrival)
 * order. A reordered frame has no release time: it waits until a frame that arrived after it has
 * been handed out (then it follows that frame, and counts as reordered) or until
 * {@code reorderMaxHoldNs} passes (then it leaves in order and does not count).
 */
final class FaultStage
{
    private static final long HELD = Long.MAX_VALUE;

    private final FaultConfig config;
    private final SplittableRandom random;
    private final FaultCounters counters;
    private final int slotSize;
    private final long base;
    @SuppressWarnings("unused") // keeps the native slots reachable
    private final ByteBuffer memory;

    private final int[] freeSlots;
    private int freeCount;

    // Pending frames, unordered; parallel arrays indexed 0..pendingCount-1.
    private final int[] pendingSlot;
    private final int[] pendingLength;
    private final long[] pendingRelease;
    private final long[] pendingHeldSince;
    private final long[] pendingSeq;
    private final long[] pendingTimestamp;
    private final int[] pendingChecksum;
    private final int[] pendingCsumStart;
    private final int[] pendingCsumOffset;
    private int pendingCount;
    private long nextSeq;

    // The frame last handed out by nextDue, valid until the next call.
    private int outSlot = -1;
    private int outLength;
    private long outTimestamp;
    private int outChecksum;
    private int outCsumStart;
    private int outCsumOffset;

    FaultStage(final FaultConfig config, final SplittableRandom random, final FaultCounters counters)
    {
        this.config = config;
        this.random = random;
        this.counters = counters;
        final int n = config.holdFrames();
        slotSize = config.maxFrameSize();
        memory = ByteBuffer.allocateDirect(Math.multiplyExact(n, slotSize));
        base = BufferUtil.address(memory);
        freeSlots = new int[n];
        for (int i = 0; i < n; i++)
        {
            freeSlots[i] = n - 1 - i;
        }
        freeCount = n;
        pendingSlot = new int[n];
        pendingLength = new int[n];
        pendingRelease = new long[n];
        pendingHeldSince = new long[n];
        pendingSeq = new long[n];
        pendingTimestamp = new long[n];
        pendingChecksum = new int[n];
        pendingCsumStart = new int[n];
        pendingCsumOffset = new int[n];
    }

    int slotSize()
    {
        return slotSize;
    }

    /** @return free slots; callers staging a burst take at most this many frames. */
    int freeSlots()
    {
        return freeCount;
    }

    /** @return a free slot index (caller checked freeSlots() > 0). */
    int takeSlot()
    {
        return freeSlots[--freeCount];
    }

    long slotAddress(final int slot)
    {
        return base + (long)slot * slotSize;
    }

    /** Returns a slot taken with {@link #takeSlot()} but not offered. */
    void giveBack(final int slot)
    {
        releaseSlot(slot);
    }

    private void releaseSlot(final int slot)
    {
        freeSlots[freeCount++] = slot;
    }

    /**
     * Applies the faults to a frame already written into {@code slot} and queues what survives.
     * Decisions are drawn in a fixed order so a seed replays the same faults.
     */
    void offer(
        final int slot, final int length, final long timestampNs, final int checksumStatus, final int csumStart,
        final int csumOffset, final long nowNs)
    {
        counters.seen++;
        final boolean drop = random.nextDouble() < config.dropRate();
        final boolean corrupt = random.nextDouble() < config.corruptRate();
        final boolean duplicate = random.nextDouble() < config.duplicateRate();
        final boolean delay = random.nextDouble() < config.delayRate();
        final boolean reorder = random.nextDouble() < config.reorderRate();
        if (drop)
        {
            counters.dropped++;
            releaseSlot(slot);
            return;
        }
        if (corrupt && length > 0)
        {
            final int bit = random.nextInt(length * 8);
            final long address = slotAddress(slot) + (bit >>> 3);
            UnsafeApi.putByte(address, (byte)(UnsafeApi.getByte(address) ^ (1 << (bit & 7))));
            counters.corrupted++;
        }
        final long release;
        if (delay)
        {
            counters.delayed++;
            release = nowNs + config.delayNs();
        }
        else
        {
            release = nowNs;
        }
        enqueue(slot, length, reorder ? HELD : release, nowNs, timestampNs, checksumStatus, csumStart, csumOffset);
        if (duplicate)
        {
            if (freeCount == 0)
            {
                counters.holdOverflow++;
            }
            else
            {
                final int copy = takeSlot();
                Frames.copy(slotAddress(slot), slotAddress(copy), length);
                enqueue(copy, length, release, nowNs, timestampNs, checksumStatus, csumStart, csumOffset);
                counters.duplicated++;
            }
        }
    }

    private void enqueue(
        final int slot, final int length, final long release, final long nowNs, final long timestampNs,
        final int checksumStatus, final int csumStart, final int csumOffset)
    {
        final int i = pendingCount++;
        pendingSlot[i] = slot;
        pendingLength[i] = length;
        pendingRelease[i] = release;
        pendingHeldSince[i] = nowNs;
        pendingSeq[i] = nextSeq++;
        pendingTimestamp[i] = timestampNs;
        pendingChecksum[i] = checksumStatus;
        pendingCsumStart[i] = csumStart;
        pendingCsumOffset[i] = csumOffset;
    }

    /**
     * Hands out the next frame due at {@code nowNs}; its bytes are at {@link #outAddress()} until the
     * next call. The previous frame's slot is recycled.
     *
     * @return true if a frame is due.
     */
    boolean nextDue(final long nowNs)
    {
        recycleOut();
        // Reordered frames whose wait ran out leave in their original order.
        for (int i = 0; i < pendingCount; i++)
        {
            if (pendingRelease[i] == HELD && nowNs - pendingHeldSince[i] >= config.reorderMaxHoldNs())
            {
                pendingRelease[i] = pendingHeldSince[i];
            }
        }
        int best = -1;
        for (int i = 0; i < pendingCount; i++)
        {
            final long release = pendingRelease[i];
            if (release != HELD && release <= nowNs &&
                (best < 0 || release < pendingRelease[best] ||
                (release == pendingRelease[best] && pendingSeq[i] < pendingSeq[best])))
            {
                best = i;
            }
        }
        if (best < 0)
        {
            return false;
        }
        final long seq = pendingSeq[best];
        outSlot = pendingSlot[best];
        outLength = pendingLength[best];
        // A held-back frame arrives later than the kernel said: shift its timestamp by the hold time.
        outTimestamp = pendingTimestamp[best] + (nowNs - pendingHeldSince[best]);
        outChecksum = pendingChecksum[best];
        outCsumStart = pendingCsumStart[best];
        outCsumOffset = pendingCsumOffset[best];
        removePending(best);
        // Every held frame that arrived before this one has now been overtaken: it goes next.
        for (int i = 0; i < pendingCount; i++)
        {
            if (pendingRelease[i] == HELD && pendingSeq[i] < seq)
            {
                pendingRelease[i] = nowNs;
                counters.reordered++;
            }
        }
        return true;
    }

    private void removePending(final int i)
    {
        final int last = --pendingCount;
        pendingSlot[i] = pendingSlot[last];
        pendingLength[i] = pendingLength[last];
        pendingRelease[i] = pendingRelease[last];
        pendingHeldSince[i] = pendingHeldSince[last];
        pendingSeq[i] = pendingSeq[last];
        pendingTimestamp[i] = pendingTimestamp[last];
        pendingChecksum[i] = pendingChecksum[last];
        pendingCsumStart[i] = pendingCsumStart[last];
        pendingCsumOffset[i] = pendingCsumOffset[last];
    }

    /**
     * Puts the frame last handed out back at the front, e.g. because the caller had no room for it.
     */
    void unreadOut(final long nowNs)
    {
        if (outSlot >= 0)
        {
            final int i = pendingCount++;
            pendingSlot[i] = outSlot;
            pendingLength[i] = outLength;
            pendingRelease[i] = Long.MIN_VALUE;
            pendingHeldSince[i] = nowNs;
            pendingSeq[i] = -1;
            pendingTimestamp[i] = outTimestamp;
            pendingChecksum[i] = outChecksum;
            pendingCsumStart[i] = outCsumStart;
            pendingCsumOffset[i] = outCsumOffset;
            outSlot = -1;
        }
    }

    void recycleOut()
    {
        if (outSlot >= 0)
        {
            releaseSlot(outSlot);
            outSlot = -1;
        }
    }

    long outAddress()
    {
        return slotAddress(outSlot);
    }

    int outLength()
    {
        return outLength;
    }

    long outTimestamp()
    {
        return outTimestamp;
    }

    int outChecksum()
    {
        return outChecksum;
    }

    int outCsumStart()
    {
        return outCsumStart;
    }

    int outCsumOffset()
    {
        return outCsumOffset;
    }

    int pendingCount()
    {
        return pendingCount;
    }
}
