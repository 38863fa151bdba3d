package io.pktstore.stack.ip;

/**
 * A validated IPv4 datagram addressed to us, as handed to a {@link TransportHandler}. One instance
 * is reused by the stack for every datagram: it is valid only during
 * {@link TransportHandler#onDatagram}. All offsets are from the start of the frame in the payload
 * buffer (the buffer holds the whole Ethernet frame from offset 0).
 *
 * <p>Guarantees when delivered: {@code l4Offset + l4Length <= frameLength}; the IPv4 header was
 * checked (version, IHL, total length, header checksum, destination); for TCP the transport
 * checksum was established as {@link #checksumState()} says (see
 * {@link io.pktstore.stack.record.PacketRecord} for the states).
 */
public final class ReceivedDatagram
{
    private int bufferIndex;
    private long bufferAddress;
    private int frameLength;
    private int l3Offset;
    private int l4Offset;
    private int l4Length;
    private int srcIp;
    private int dstIp;
    private int protocol;
    private long timestampNs;
    private int checksumState;
    private boolean taken;

    /**
     * Fills the holder; called by the IPv4 layer only.
     *
     * @param bufferIndex arena payload buffer index.
     * @param bufferAddress address of the buffer (= frame start).
     * @param frameLength bytes of the frame.
     * @param l3Offset IPv4 header offset.
     * @param l4Offset transport header offset.
     * @param l4Length transport header plus data bytes (from the IPv4 total length, not the frame).
     * @param srcIp source address, host int.
     * @param dstIp destination address, host int.
     * @param protocol IP protocol number.
     * @param timestampNs receive timestamp.
     * @param checksumState how the transport checksum was established.
     * @return this.
     */
    public ReceivedDatagram set(
        final int bufferIndex,
        final long bufferAddress,
        final int frameLength,
        final int l3Offset,
        final int l4Offset,
        final int l4Length,
        final int srcIp,
        final int dstIp,
        final int protocol,
        final long timestampNs,
        final int checksumState)
    {
        this.bufferIndex = bufferIndex;
        this.bufferAddress = bufferAddress;
        this.frameLength = frameLength;
        this.l3Offset = l3Offset;
        this.l4Offset = l4Offset;
        this.l4Length = l4Length;
        this.srcIp = srcIp;
        this.dstIp = dstIp;
        this.protocol = protocol;
        this.timestampNs = timestampNs;
        this.checksumState = checksumState;
        this.taken = false;
        return this;
    }

    /**
     * The transport made the buffer its own (a packet record adopted it) and then threw: the IPv4 layer
     * must treat the buffer as taken all the same, or it would go back to the receive ring while the
     * record still points into it.
     */
    public void markTaken()
    {
        taken = true;
    }

    /** @return true if {@link #markTaken} was called since the last {@link #set}. */
    public boolean taken()
    {
        return taken;
    }

    /** @return the arena payload buffer index holding the frame. */
    public int bufferIndex()
    {
        return bufferIndex;
    }

    /** @return the address of the payload buffer, i.e. of the frame's first byte. */
    public long bufferAddress()
    {
        return bufferAddress;
    }

    /** @return bytes of the frame in the buffer (may include Ethernet padding after the datagram). */
    public int frameLength()
    {
        return frameLength;
    }

    /** @return offset of the IPv4 header in the buffer (14 for Ethernet II). */
    public int l3Offset()
    {
        return l3Offset;
    }

    /** @return offset of the transport header in the buffer (after IPv4 options). */
    public int l4Offset()
    {
        return l4Offset;
    }

    /** @return transport header plus data bytes, from the IPv4 total length (padding excluded). */
    public int l4Length()
    {
        return l4Length;
    }

    /** @return source address as a host int. */
    public int srcIp()
    {
        return srcIp;
    }

    /** @return destination address as a host int (ours). */
    public int dstIp()
    {
        return dstIp;
    }

    /** @return IP protocol number. */
    public int protocol()
    {
        return protocol;
    }

    /** @return receive timestamp in ns, from the driver. */
    public long timestampNs()
    {
        return timestampNs;
    }

    /**
     * @return how the transport checksum was established: a {@code PacketRecord.CHECKSUM_*} value
     *         (NONE for protocols the IP layer does not check).
     */
    public int checksumState()
    {
        return checksumState;
    }
}
