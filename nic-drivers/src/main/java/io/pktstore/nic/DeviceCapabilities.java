package io.pktstore.nic;

/**
 * What a device can do and reports, fixed when it is opened. Immutable.
 */
public final class DeviceCapabilities
{
    private final int mtu;
    private final int maxFrameSize;
    private final boolean checksumStatusReported;
    private final boolean txChecksumOffload;
    private final boolean gsoReported;
    private final TimestampSource timestampSource;
    private final boolean receivesInPlace;

    /**
     * @param mtu the link MTU (IP packet bytes, no Ethernet header).
     * @param maxFrameSize the largest frame receive can deliver / transmit accepts, with Ethernet header.
     * @param checksumStatusReported true if received frames carry a meaningful checksum status
     *        (otherwise always {@link ChecksumStatus#UNKNOWN}).
     * @param txChecksumOffload true if the device completes transport checksums of transmitted frames.
     * @param gsoReported true if received frames may be larger than the MTU because of GSO/GRO.
     * @param timestampSource where receive timestamps come from.
     */
    public DeviceCapabilities(
        final int mtu,
        final int maxFrameSize,
        final boolean checksumStatusReported,
        final boolean txChecksumOffload,
        final boolean gsoReported,
        final TimestampSource timestampSource)
    {
        this(mtu, maxFrameSize, checksumStatusReported, txChecksumOffload, gsoReported, timestampSource, false);
    }

    /**
     * @param mtu the link MTU (IP packet bytes, no Ethernet header).
     * @param maxFrameSize the largest frame receive can deliver / transmit accepts, with Ethernet header.
     * @param checksumStatusReported true if received frames carry a meaningful checksum status.
     * @param txChecksumOffload true if the device completes transport checksums of transmitted frames.
     * @param gsoReported true if received frames may be larger than the MTU because of GSO/GRO.
     * @param timestampSource where receive timestamps come from.
     * @param receivesInPlace true if receive hands over the buffers the frames were written into
     *        (see {@link #receivesInPlace()}) instead of copying into the caller's.
     */
    public DeviceCapabilities(
        final int mtu,
        final int maxFrameSize,
        final boolean checksumStatusReported,
        final boolean txChecksumOffload,
        final boolean gsoReported,
        final TimestampSource timestampSource,
        final boolean receivesInPlace)
    {
        this.receivesInPlace = receivesInPlace;
        this.mtu = mtu;
        this.maxFrameSize = maxFrameSize;
        this.checksumStatusReported = checksumStatusReported;
        this.txChecksumOffload = txChecksumOffload;
        this.gsoReported = gsoReported;
        this.timestampSource = timestampSource;
    }

    /** @return the link MTU in bytes (IP packet, no Ethernet header). */
    public int mtu()
    {
        return mtu;
    }

    /** @return the largest frame in bytes, Ethernet header included. */
    public int maxFrameSize()
    {
        return maxFrameSize;
    }

    /** @return true if received frames carry a checksum status other than UNKNOWN. */
    public boolean checksumStatusReported()
    {
        return checksumStatusReported;
    }

    /** @return true if the device completes transport checksums on transmit. */
    public boolean txChecksumOffload()
    {
        return txChecksumOffload;
    }

    /** @return true if received frames may exceed the MTU (GSO/GRO super-frames). */
    public boolean gsoReported()
    {
        return gsoReported;
    }

    /**
     * @return true if {@link FrameDevice#receive} ignores the buffers the caller placed in the slots and
     *         instead sets each delivered slot's buffer to the {@link FrameBuffers} buffer the frame was
     *         written into (the frame starts at the buffer's first byte), passing that buffer's
     *         reference to the caller (AF_XDP); false if it copies into the caller's buffers.
     */
    public boolean receivesInPlace()
    {
        return receivesInPlace;
    }

    /** @return where receive timestamps come from. */
    public TimestampSource timestampSource()
    {
        return timestampSource;
    }

    /**
     * @param source the new timestamp source.
     * @return a copy with another timestamp source (for wrapping devices).
     */
    public DeviceCapabilities withTimestampSource(final TimestampSource source)
    {
        return new DeviceCapabilities(mtu, maxFrameSize, checksumStatusReported, txChecksumOffload, gsoReported, source,
            receivesInPlace);
    }

    @Override
    public String toString()
    {
        return "DeviceCapabilities{mtu=" + mtu + ", maxFrameSize=" + maxFrameSize + ", checksumStatusReported=" +
            checksumStatusReported + ", txChecksumOffload=" + txChecksumOffload + ", gsoReported=" + gsoReported +
            ", timestampSource=" + timestampSource + ", receivesInPlace=" + receivesInPlace + '}';
    }
}
