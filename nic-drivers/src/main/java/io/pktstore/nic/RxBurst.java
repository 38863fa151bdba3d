package io.pktstore.nic;

/**
 * A pre-sized set of receive slots. The caller places one buffer (address + capacity) in each slot;
 * a device's {@link FrameDevice#receive} copies frames into slots 0..n-1 and records per frame its
 * length, original wire length, receive timestamp and checksum status. Parallel primitive arrays,
 * so nothing is allocated after construction.
 *
 * <p>Buffers are raw addresses (e.g. payload buffers of the PM arena, or direct ByteBuffers); the
 * caller guarantees each stays valid and at least {@code capacity} bytes long while it is in a slot.
 * The burst holds only the address: if the memory is a direct ByteBuffer, keep the ByteBuffer itself
 * reachable (a field), or the GC frees it under the device's feet.
 */
public final class RxBurst
{
    private final long[] bufferAddress;
    private final int[] bufferCapacity;
    private final int[] frameLength;
    private final int[] wireLength;
    private final long[] timestampNs;
    private final int[] checksumStatus;
    private final int[] csumStart;
    private final int[] csumOffset;

    /**
     * @param capacity number of slots (the largest burst one receive call may return), at least 1.
     */
    public RxBurst(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("RxBurst capacity must be >= 1, was " + capacity);
        }
        bufferAddress = new long[capacity];
        bufferCapacity = new int[capacity];
        frameLength = new int[capacity];
        wireLength = new int[capacity];
        timestampNs = new long[capacity];
        checksumStatus = new int[capacity];
        csumStart = new int[capacity];
        csumOffset = new int[capacity];
    }

    /** @return the number of slots. */
    public int capacity()
    {
        return bufferAddress.length;
    }

    /**
     * Places a caller buffer into a slot.
     *
     * @param slot slot index, 0..capacity()-1.
     * @param address start of the buffer (non-zero).
     * @param capacity usable bytes at {@code address}; frames longer than this are dropped.
     */
    public void setBuffer(final int slot, final long address, final int capacity)
    {
        if (address == 0 || capacity < 0)
        {
            throw new IllegalArgumentException(
                "slot " + slot + ": buffer address must be non-zero and capacity >= 0 (address=" + address +
                ", capacity=" + capacity + ")");
        }
        bufferAddress[slot] = address;
        bufferCapacity[slot] = capacity;
    }

    /**
     * @param slot slot index.
     * @return the address of the buffer in the slot (0 if none set).
     */
    public long bufferAddress(final int slot)
    {
        return bufferAddress[slot];
    }

    /**
     * @param slot slot index.
     * @return the capacity of the buffer in the slot.
     */
    public int bufferCapacity(final int slot)
    {
        return bufferCapacity[slot];
    }

    /**
     * @param slot slot index.
     * @return bytes of the frame written into the slot's buffer.
     */
    public int frameLength(final int slot)
    {
        return frameLength[slot];
    }

    /**
     * @param slot slot index.
     * @return the frame's original length on the wire (larger if truncated).
     */
    public int wireLength(final int slot)
    {
        return wireLength[slot];
    }

    /**
     * @param slot slot index.
     * @return receive timestamp in ns (source: {@link DeviceCapabilities#timestampSource()}).
     */
    public long timestampNs(final int slot)
    {
        return timestampNs[slot];
    }

    /**
     * @param slot slot index.
     * @return one of {@link ChecksumStatus}'s constants.
     */
    public int checksumStatus(final int slot)
    {
        return checksumStatus[slot];
    }

    /**
     * @param slot slot index.
     * @return for {@link ChecksumStatus#PARTIAL}: offset in the frame where checksumming starts, or -1.
     */
    public int csumStart(final int slot)
    {
        return csumStart[slot];
    }

    /**
     * @param slot slot index.
     * @return for {@link ChecksumStatus#PARTIAL}: offset of the checksum field from csumStart, or -1.
     */
    public int csumOffset(final int slot)
    {
        return csumOffset[slot];
    }

    /**
     * Records the metadata of a frame a device has written into the slot's buffer.
     *
     * @param slot slot index.
     * @param length bytes written into the slot's buffer.
     * @param wireLength original length on the wire.
     * @param timestampNs receive timestamp in ns.
     * @param checksumStatus one of {@link ChecksumStatus}'s constants.
     * @param csumStart checksum start offset in the frame, -1 if unknown.
     * @param csumOffset checksum field offset from csumStart, -1 if unknown.
     */
    public void setFrame(
        final int slot,
        final int length,
        final int wireLength,
        final long timestampNs,
        final int checksumStatus,
        final int csumStart,
        final int csumOffset)
    {
        frameLength[slot] = length;
        this.wireLength[slot] = wireLength;
        this.timestampNs[slot] = timestampNs;
        this.checksumStatus[slot] = checksumStatus;
        this.csumStart[slot] = csumStart;
        this.csumOffset[slot] = csumOffset;
    }
}
