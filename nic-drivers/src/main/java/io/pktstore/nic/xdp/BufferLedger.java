package io.pktstore.nic.xdp;

import io.pktstore.nic.FrameBuffers;

/**
 * The references the device holds on the owner's buffers, per buffer, so that {@link #releaseAll}
 * can give back every one of them at close whatever the kernel did with them: buffers lent to the
 * fill ring (the kernel may be writing into them), and buffers a frame in flight points into (the
 * kernel may still be reading them until their completion arrives). A buffer's reference leaves the
 * ledger when a received frame hands it to the caller or when its completion arrives.
 */
final class BufferLedger
{
    private final FrameBuffers buffers;
    private final int[] held;
    private int lent;

    BufferLedger(final FrameBuffers buffers)
    {
        this.buffers = buffers;
        held = new int[buffers.bufferCount()];
    }

    /** @return a newly allocated buffer the device now holds, or -1 if the owner has none free. */
    int allocate()
    {
        final int index = buffers.allocate();
        if (index >= 0)
        {
            held[index]++;
            lent++;
        }
        return index;
    }

    /** Takes an extra reference on a buffer the caller owns (a frame being sent points into it). */
    void retain(final int index)
    {
        buffers.retain(index);
        held[index]++;
        lent++;
    }

    /** Forgets one held reference without releasing it: it passed to the caller with a received frame. */
    void handOver(final int index)
    {
        held[index]--;
        lent--;
    }

    /** Releases one held reference to the owner. */
    void release(final int index)
    {
        held[index]--;
        lent--;
        buffers.release(index);
    }

    /** @return references held now. */
    int held()
    {
        return lent;
    }

    /** @return references held on one buffer. */
    int held(final int index)
    {
        return held[index];
    }

    /** Releases every reference still held (after the socket is closed: the kernel touches nothing any more). */
    void releaseAll()
    {
        for (int i = 0; i < held.length && lent > 0; i++)
        {
            while (held[i] > 0)
            {
                release(i);
            }
        }
    }
}
