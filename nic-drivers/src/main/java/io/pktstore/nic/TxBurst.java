package io.pktstore.nic;

/**
 * A pre-sized batch of frames to transmit. Each frame is a gather list of one or more segments
 * (address + length), e.g. a header built on the stack's scratch buffer followed by payload that
 * already lives in the PM arena. A device copies the segments, in order, into one wire frame.
 * Arrays are flat ({@code frame * maxSegmentsPerFrame + segment}) and sized at construction, so
 * building a burst allocates nothing.
 *
 * <pre>
 *   burst.clear();
 *   burst.beginFrame(); burst.addSegment(hdrAddr, 54); burst.addSegment(payloadAddr, 1024);
 *   burst.beginFrame(); burst.addSegment(frameAddr, 60);
 *   int sent = device.transmit(burst, nowNs);
 * </pre>
 */
public final class TxBurst
{
    private final int maxFrames;
    private final int maxSegmentsPerFrame;
    private final long[] segmentAddress;
    private final int[] segmentLength;
    private final int[] segmentCount;
    private final int[] frameLength;
    private final int[] checksumStart;
    private final int[] checksumOffset;
    private int frameCount;

    /**
     * @param maxFrames the largest number of frames in one burst, at least 1.
     * @param maxSegmentsPerFrame the largest gather list of one frame, at least 1.
     */
    public TxBurst(final int maxFrames, final int maxSegmentsPerFrame)
    {
        if (maxFrames < 1 || maxSegmentsPerFrame < 1)
        {
            throw new IllegalArgumentException(
                "TxBurst needs maxFrames >= 1 and maxSegmentsPerFrame >= 1, was " + maxFrames + ", " +
                maxSegmentsPerFrame);
        }
        this.maxFrames = maxFrames;
        this.maxSegmentsPerFrame = maxSegmentsPerFrame;
        segmentAddress = new long[maxFrames * maxSegmentsPerFrame];
        segmentLength = new int[maxFrames * maxSegmentsPerFrame];
        segmentCount = new int[maxFrames];
        frameLength = new int[maxFrames];
        checksumStart = new int[maxFrames];
        checksumOffset = new int[maxFrames];
    }

    /**
     * Starts a new frame; following {@link #addSegment} calls append to it.
     *
     * @return the index of the new frame.
     * @throws IllegalStateException if the burst already holds maxFrames frames.
     */
    public int beginFrame()
    {
        if (frameCount == maxFrames)
        {
            throw new IllegalStateException("TxBurst full: " + maxFrames + " frames");
        }
        final int frame = frameCount++;
        segmentCount[frame] = 0;
        frameLength[frame] = 0;
        checksumStart[frame] = -1;
        checksumOffset[frame] = -1;
        return frame;
    }

    /**
     * Asks the device to complete the transport checksum of the current frame (CHECKSUM_PARTIAL, as
     * Linux does): the one's-complement sum over the bytes from {@code csumStart} to the frame's end,
     * folded and inverted, is stored at {@code csumStart + csumOffset}. As in Linux, the checksum field
     * must already hold the folded pseudo-header sum (not inverted). Only meaningful when
     * {@link DeviceCapabilities#txChecksumOffload()} is true; AF_PACKET then passes the request to the
     * kernel in a virtio_net_hdr (the kernel or NIC completes it, or a veth peer receives it as
     * CHECKSUM_PARTIAL); the in-memory link delivers it as {@link ChecksumStatus#PARTIAL}.
     *
     * @param csumStart offset in the frame where checksumming starts (e.g. 34 for TCP/UDP over IPv4).
     * @param csumOffset offset of the checksum field from csumStart (16 for TCP, 6 for UDP).
     * @throws IllegalStateException if no frame was begun.
     */
    public void requestChecksum(final int csumStart, final int csumOffset)
    {
        if (frameCount == 0)
        {
            throw new IllegalStateException("requestChecksum before beginFrame");
        }
        if (csumStart < 0 || csumOffset < 0 || csumStart > 0xFFFF || csumOffset > 0xFFFF)
        {
            throw new IllegalArgumentException("checksum start/offset must be within 0..65535, was " + csumStart +
                ", " + csumOffset);
        }
        checksumStart[frameCount - 1] = csumStart;
        checksumOffset[frameCount - 1] = csumOffset;
    }

    /**
     * @param frame frame index.
     * @return where checksumming starts if the frame asked for checksum completion, else -1.
     */
    public int checksumStart(final int frame)
    {
        return checksumStart[frame];
    }

    /**
     * @param frame frame index.
     * @return the checksum field's offset from checksumStart if the frame asked for completion, else -1.
     */
    public int checksumOffset(final int frame)
    {
        return checksumOffset[frame];
    }

    /**
     * Appends a gather piece to the current frame.
     *
     * @param address start of the bytes (non-zero); must stay valid until transmit returns.
     * @param length number of bytes, at least 1.
     * @throws IllegalStateException if no frame was begun or the frame has maxSegmentsPerFrame pieces.
     */
    public void addSegment(final long address, final int length)
    {
        if (frameCount == 0)
        {
            throw new IllegalStateException("addSegment before beginFrame");
        }
        if (address == 0 || length < 1)
        {
            throw new IllegalArgumentException("segment needs a non-zero address and length >= 1, was " +
                address + ", " + length);
        }
        final int frame = frameCount - 1;
        final int seg = segmentCount[frame];
        if (seg == maxSegmentsPerFrame)
        {
            throw new IllegalStateException("frame " + frame + " already has " + maxSegmentsPerFrame + " segments");
        }
        final int index = frame * maxSegmentsPerFrame + seg;
        segmentAddress[index] = address;
        segmentLength[index] = length;
        segmentCount[frame] = seg + 1;
        frameLength[frame] += length;
    }

    /** @return the number of frames begun since the last {@link #clear()}. */
    public int frameCount()
    {
        return frameCount;
    }

    /** @return the largest number of frames this burst holds. */
    public int maxFrames()
    {
        return maxFrames;
    }

    /** @return the largest gather list of one frame. */
    public int maxSegmentsPerFrame()
    {
        return maxSegmentsPerFrame;
    }

    /**
     * @param frame frame index.
     * @return the number of segments of the frame.
     */
    public int segmentCount(final int frame)
    {
        return segmentCount[frame];
    }

    /**
     * @param frame frame index.
     * @param seg segment index.
     * @return the segment's start address.
     */
    public long segmentAddress(final int frame, final int seg)
    {
        return segmentAddress[frame * maxSegmentsPerFrame + seg];
    }

    /**
     * @param frame frame index.
     * @param seg segment index.
     * @return the segment's length in bytes.
     */
    public int segmentLength(final int frame, final int seg)
    {
        return segmentLength[frame * maxSegmentsPerFrame + seg];
    }

    /**
     * @param frame frame index.
     * @return the frame's total length (sum of its segments).
     */
    public int frameLength(final int frame)
    {
        return frameLength[frame];
    }

    /** Forgets all frames so the burst can be refilled. */
    public void clear()
    {
        frameCount = 0;
    }

    /** @return true when no further frame can be begun. */
    public boolean isFull()
    {
        return frameCount == maxFrames;
    }
}
