package io.pktstore.nic.xdp;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.LibC;
import org.agrona.UnsafeApi;

/**
 * The transmit side. A frame's gather pieces that lie inside one of the owner's buffers are sent
 * where they are: one TX descriptor each, with a reference held on the buffer until the completion
 * ring returns that descriptor (the kernel, or a zero-copy NIC, reads the bytes after transmit
 * returns, so the stack's one-cycle deferred release would not be enough). The pieces in front of
 * them that live elsewhere (the stack's header scratch) are copied into a copy slot, a buffer the
 * device keeps for that, which becomes the frame's first descriptor.
 * <pre>
 *   gather:  [eth+ip hdr: scratch][tcp hdr: scratch][payload: arena buffer 17][payload: buffer 40]
 *   ring:    desc(copy slot, 54 B, CONTD) desc(buf 17 + off, n, CONTD) desc(buf 40 + off, m, 0)
 * </pre>
 * A frame is copied whole into a copy slot instead when the socket has no scatter-gather, when a
 * piece outside the buffers follows one inside, when it would need more descriptors than the
 * kernel takes, or when its first descriptor would be shorter than an Ethernet header (the copy
 * path of the kernel builds the skb's linear part from the first descriptor).
 */
final class XskTransmitter
{
    /** Copy mode takes a linear part plus MAX_SKB_FRAGS (17) fragments per packet. */
    private static final int MAX_DESCRIPTORS_COPY_MODE = 18;
    private static final int ETHERNET_HEADER = 14;
    /** The kernel's copy mode sends at most 32 descriptors per sendmsg (TX_BATCH_SIZE). */
    private static final int MAX_KICKS = 256;

    private final XskRing tx;
    private final XskRing completion;
    private final UmemLayout layout;
    private final BufferLedger ledger;
    private final DeviceStatistics statistics;
    private final int fd;
    private final int maxDescriptors;
    private final int maxFrameLength;
    private final int[] freeCopySlots;
    private final boolean[] isCopySlot;
    private int freeCopySlotCount;
    private long inPlaceBytes;
    private long copiedWhole;
    private long kickErrors;
    private int lastKickErrno;
    private long strayCompletions;

    XskTransmitter(final XskSocket socket, final UmemLayout layout, final BufferLedger ledger, final int copySlots,
        final int maxFrameLength, final boolean scatterGather, final DeviceStatistics statistics)
    {
        this.tx = socket.tx();
        this.completion = socket.completion();
        this.fd = socket.fd();
        this.layout = layout;
        this.ledger = ledger;
        this.statistics = statistics;
        this.maxFrameLength = maxFrameLength;
        maxDescriptors = scatterGather ? MAX_DESCRIPTORS_COPY_MODE : 1;
        freeCopySlots = new int[copySlots];
        isCopySlot = new boolean[layout.bufferCount()];
        for (int i = 0; i < copySlots; i++)
        {
            final int buffer = ledger.allocate();
            if (buffer < 0)
            {
                throw new io.pktstore.nic.DeviceException("AF_XDP needs " + copySlots + " buffers for transmit copies " +
                    "but the buffer pool ran out after " + i);
            }
            isCopySlot[buffer] = true;
            freeCopySlots[freeCopySlotCount++] = buffer;
        }
    }

    /**
     * Queues frames on the TX ring and kicks the kernel.
     *
     * @return frames accepted (oversize frames count as accepted and dropped, as on AF_PACKET).
     */
    int transmit(final TxBurst burst)
    {
        reapCompletions();
        final int frames = burst.frameCount();
        int index = tx.producerIndex();
        int accepted = 0;
        for (; accepted < frames; accepted++)
        {
            final int length = burst.frameLength(accepted);
            if (length > maxFrameLength)
            {
                statistics.onTxOversize();
                continue;
            }
            final int segments = burst.segmentCount(accepted);
            final int firstInPlace = firstInPlace(burst, accepted, segments);
            final int descriptors = (firstInPlace > 0 ? 1 : 0) + segments - firstInPlace;
            if (tx.free() - (index - tx.producerIndex()) < descriptors || (firstInPlace > 0 && freeCopySlotCount == 0))
            {
                break;
            }
            if (firstInPlace > 0)
            {
                final int slot = freeCopySlots[--freeCopySlotCount];
                final long to = layout.bufferAddress(slot);
                int copied = 0;
                for (int s = 0; s < firstInPlace; s++)
                {
                    final int n = burst.segmentLength(accepted, s);
                    UnsafeApi.copyMemory(burst.segmentAddress(accepted, s), to + copied, n);
                    copied += n;
                }
                statistics.onTxCopied(copied);
                if (firstInPlace == segments)
                {
                    copiedWhole++;
                }
                putDescriptor(index++, layout.offsetOf(to), copied, firstInPlace < segments);
            }
            for (int s = firstInPlace; s < segments; s++)
            {
                final long address = burst.segmentAddress(accepted, s);
                final int n = burst.segmentLength(accepted, s);
                ledger.retain(layout.bufferHolding(address, n));
                inPlaceBytes += n;
                putDescriptor(index++, layout.offsetOf(address), n, s + 1 < segments);
            }
            statistics.onTx(length);
        }
        if (index != tx.producerIndex())
        {
            tx.submit(index);
        }
        if (accepted < frames)
        {
            statistics.onTxRingFull(frames - accepted);
        }
        kick();
        return accepted;
    }

    /**
     * @return the index of the first of the trailing pieces that are sent in place; {@code segments}
     *         when the whole frame is copied.
     */
    private int firstInPlace(final TxBurst burst, final int frame, final int segments)
    {
        if (maxDescriptors == 1)
        {
            return segments;
        }
        int first = segments;
        while (first > 0 && layout.bufferHolding(burst.segmentAddress(frame, first - 1),
            burst.segmentLength(frame, first - 1)) >= 0)
        {
            first--;
        }
        final int descriptors = (first > 0 ? 1 : 0) + segments - first;
        int head = 0;
        for (int s = 0; s < Math.max(first, 1); s++)
        {
            head += burst.segmentLength(frame, s);
        }
        if (descriptors > maxDescriptors || head < ETHERNET_HEADER)
        {
            return segments;
        }
        return first;
    }

    private void putDescriptor(final int index, final long umemOffset, final int length, final boolean more)
    {
        final long desc = tx.entry(index);
        UnsafeApi.putLong(desc, umemOffset);
        UnsafeApi.putInt(desc + 8, length);
        UnsafeApi.putInt(desc + 12, more ? XdpAbi.PKT_CONTD : 0);
    }

    /**
     * Gives back what the kernel has finished sending: copy slots to the free list, in-place pieces'
     * references to the owner.
     *
     * @return completions read.
     */
    int reapCompletions()
    {
        final int ready = completion.available();
        if (ready == 0)
        {
            return 0;
        }
        final int first = completion.consumerIndex();
        for (int i = 0; i < ready; i++)
        {
            final long offset = UnsafeApi.getLong(completion.entry(first + i)) & XdpAbi.UNALIGNED_ADDR_MASK;
            final int buffer = layout.bufferAtOffset(offset);
            if (buffer < 0 || ledger.held(buffer) == 0)
            {
                strayCompletions++;
            }
            else if (isCopySlot[buffer])
            {
                freeCopySlots[freeCopySlotCount++] = buffer;
            }
            else
            {
                ledger.release(buffer);
            }
        }
        completion.release(ready);
        return ready;
    }

    /**
     * Makes the kernel send what the TX ring holds. In copy mode it sends only inside sendmsg, at most
     * 32 descriptors a call, and only while the completion ring has room: so kick, reap, and kick again
     * while it makes progress. A zero-copy driver that polls the ring itself clears need_wakeup.
     */
    void kick()
    {
        for (int i = 0; i < MAX_KICKS && tx.unconsumed() > 0 && tx.needsWakeup(); i++)
        {
            final int before = tx.unconsumed();
            if (LibC.C.send(fd, 0L, 0L, LibC.MSG_DONTWAIT) < 0)
            {
                final int errno = LibC.errno();
                if (errno != LibC.EAGAIN && errno != LibC.EBUSY && errno != LibC.ENOBUFS)
                {
                    kickErrors++;
                    lastKickErrno = errno;
                    return;
                }
            }
            final int reaped = reapCompletions();
            if (tx.unconsumed() == before && reaped == 0)
            {
                return;
            }
        }
    }

    /** @return true if frames are still waiting in the TX ring. */
    boolean pending()
    {
        return tx.unconsumed() > 0;
    }

    long inPlaceBytes()
    {
        return inPlaceBytes;
    }

    long copiedWhole()
    {
        return copiedWhole;
    }

    long kickErrors()
    {
        return kickErrors;
    }

    int lastKickErrno()
    {
        return lastKickErrno;
    }

    long strayCompletions()
    {
        return strayCompletions;
    }
}
