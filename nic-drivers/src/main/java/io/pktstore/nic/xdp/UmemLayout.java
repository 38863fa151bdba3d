package io.pktstore.nic.xdp;

import io.pktstore.nic.FrameBuffers;

/**
 * Address arithmetic between the owner's buffers and the UMEM's offsets (what descriptors carry).
 * <pre>
 *   UMEM offset 0 = regionAddress            firstOffset = firstBufferAddress - regionAddress
 *   |                                        |
 *   +----------------------------------------+------------+------------+--
 *   |                                        | buffer 0   | buffer 1   |
 *   +-------------------------------+--------+------------+------------+--
 *                                   |<-256 ->|
 *                                   fill ring entry for buffer 0 = firstOffset - 256:
 *                                   the chunk's start; the kernel writes the frame 256 B
 *                                   (XDP_PACKET_HEADROOM) after it, at the buffer's first byte
 * </pre>
 */
final class UmemLayout
{
    private final long regionAddress;
    private final long firstOffset;
    private final long endOffset;
    private final int bufferSize;
    private final int bufferCount;

    UmemLayout(final FrameBuffers buffers)
    {
        regionAddress = buffers.regionAddress();
        firstOffset = buffers.firstBufferAddress() - regionAddress;
        bufferSize = buffers.bufferSize();
        bufferCount = buffers.bufferCount();
        endOffset = firstOffset + (long)bufferSize * bufferCount;
        if ((regionAddress & (XdpAbi.PAGE_SIZE - 1)) != 0 || firstOffset < XdpAbi.XDP_PACKET_HEADROOM ||
            endOffset > buffers.regionLength())
        {
            throw new IllegalArgumentException("UMEM region of " + buffers.describe() + " must start on a page, at least " +
                XdpAbi.XDP_PACKET_HEADROOM + " bytes before buffer 0, and cover every buffer (region " +
                Long.toHexString(regionAddress) + "+" + buffers.regionLength() + ", buffer 0 at offset " + firstOffset +
                ", end at " + endOffset + ")");
        }
    }

    /** @return the fill ring entry that makes the kernel write a frame at buffer {@code index}'s first byte. */
    long fillEntry(final int index)
    {
        return firstOffset + (long)index * bufferSize - XdpAbi.XDP_PACKET_HEADROOM;
    }

    /** @return the address of the frame an RX descriptor's (unaligned-mode) addr names. */
    long rxFrameAddress(final long descAddr)
    {
        return regionAddress + (descAddr & XdpAbi.UNALIGNED_ADDR_MASK) + (descAddr >>> XdpAbi.UNALIGNED_OFFSET_SHIFT);
    }

    /** @return the UMEM offset of an address inside the region (what a TX descriptor carries). */
    long offsetOf(final long address)
    {
        return address - regionAddress;
    }

    /** @return the buffer holding UMEM offset {@code offset}, or -1 if it is outside every buffer. */
    int bufferAtOffset(final long offset)
    {
        if (offset < firstOffset || offset >= endOffset)
        {
            return -1;
        }
        return (int)((offset - firstOffset) / bufferSize);
    }

    /**
     * @return the buffer that holds all of [address, address + length), or -1 if the bytes are not
     *         inside one buffer (outside the region, or spanning two).
     */
    int bufferHolding(final long address, final int length)
    {
        final int first = bufferAtOffset(address - regionAddress);
        if (first < 0 || bufferAtOffset(address - regionAddress + length - 1) != first)
        {
            return -1;
        }
        return first;
    }

    /** @return the address of buffer {@code index}. */
    long bufferAddress(final int index)
    {
        return regionAddress + firstOffset + (long)index * bufferSize;
    }

    /** @return bytes per buffer. */
    int bufferSize()
    {
        return bufferSize;
    }

    /** @return the number of buffers. */
    int bufferCount()
    {
        return bufferCount;
    }
}
