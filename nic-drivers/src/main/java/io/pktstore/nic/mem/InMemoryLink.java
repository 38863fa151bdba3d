package io.pktstore.nic.mem;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.internal.FrameQueue;

/**
 * Two {@link io.pktstore.nic.FrameDevice}s joined back to back in one process: what end A transmits,
 * end B receives and vice versa. Frames are copied into a bounded queue per direction; a transmit
 * into a full queue is refused and counted as ring-full on the sender, exactly as a full TX ring
 * would be. Each direction is a single-producer single-consumer queue, so the two ends may be driven
 * by the same thread or by two threads.
 *
 * <p>A received frame's timestamp is the {@code nowNs} the sender passed to transmit (the link has
 * no clock of its own), and its checksum status is the link's configured status (UNKNOWN by
 * default: the stack verifies in software, as on a device that reports nothing) - except for frames
 * sent with {@link io.pktstore.nic.TxBurst#requestChecksum}, which arrive as
 * {@link ChecksumStatus#PARTIAL} with their checksum start/offset, as over veth.
 */
public final class InMemoryLink
{
    /** Default frames each direction can hold. */
    public static final int DEFAULT_QUEUE_FRAMES = 1024;
    /** Default largest frame: a 1500-byte MTU plus a 14-byte Ethernet header. */
    public static final int DEFAULT_MAX_FRAME = 1514;

    private final InMemoryDevice a;
    private final InMemoryDevice b;

    private InMemoryLink(final int queueFrames, final int maxFrameSize, final int checksumStatus)
    {
        if (queueFrames < 1 || maxFrameSize < 60)
        {
            throw new IllegalArgumentException("queueFrames must be >= 1 and maxFrameSize >= 60, was " +
                queueFrames + ", " + maxFrameSize);
        }
        if (checksumStatus < ChecksumStatus.UNKNOWN || checksumStatus > ChecksumStatus.PARTIAL)
        {
            throw new IllegalArgumentException("unknown checksum status " + checksumStatus);
        }
        final FrameQueue aToB = new FrameQueue(queueFrames, maxFrameSize);
        final FrameQueue bToA = new FrameQueue(queueFrames, maxFrameSize);
        a = new InMemoryDevice("mem-a", bToA, aToB, maxFrameSize, checksumStatus);
        b = new InMemoryDevice("mem-b", aToB, bToA, maxFrameSize, checksumStatus);
    }

    /** @return a link with {@link #DEFAULT_QUEUE_FRAMES} frames per direction and 1514-byte frames. */
    public static InMemoryLink pair()
    {
        return new InMemoryLink(DEFAULT_QUEUE_FRAMES, DEFAULT_MAX_FRAME, ChecksumStatus.UNKNOWN);
    }

    /**
     * @param queueFrames frames each direction holds (rounded up to a power of two).
     * @param maxFrameSize the largest frame in bytes, Ethernet header included.
     * @param checksumStatus the {@link ChecksumStatus} every received frame reports.
     * @return a new link.
     */
    public static InMemoryLink pair(final int queueFrames, final int maxFrameSize, final int checksumStatus)
    {
        return new InMemoryLink(queueFrames, maxFrameSize, checksumStatus);
    }

    /** @return end A. */
    public InMemoryDevice a()
    {
        return a;
    }

    /** @return end B. */
    public InMemoryDevice b()
    {
        return b;
    }
}
