package io.pktstore.nic.xdp;

import org.agrona.UnsafeApi;

/**
 * One of an AF_XDP socket's four single-producer single-consumer rings, mapped from the socket. The
 * kernel reports where each part sits in the mapping (XDP_MMAP_OFFSETS):
 * <pre>
 *   mapping + producer : u32, free-running index of the next entry the producer will write
 *   mapping + consumer : u32, free-running index of the next entry the consumer will read
 *   mapping + flags    : u32, XDP_RING_NEED_WAKEUP
 *   mapping + desc     : size entries (16 B xdp_desc for RX/TX, 8 B addresses for fill/completion)
 * </pre>
 * Entry {@code i} lives at {@code desc + (i & mask) * entrySize}. The side we own is kept in a local
 * index and published with a release store; the other side's index is read with an acquire load.
 * We produce on the fill and TX rings and consume the RX and completion rings.
 */
final class XskRing
{
    private final long producerAddress;
    private final long consumerAddress;
    private final long flagsAddress;
    private final long entries;
    private final int entrySize;
    private final int size;
    private final int mask;
    /** Our side's index: the producer index on fill/TX, the consumer index on RX/completion. */
    private int local;

    XskRing(final long mapping, final long producerOffset, final long consumerOffset, final long flagsOffset,
        final long descOffset, final int size, final int entrySize)
    {
        producerAddress = mapping + producerOffset;
        consumerAddress = mapping + consumerOffset;
        flagsAddress = mapping + flagsOffset;
        entries = mapping + descOffset;
        this.size = size;
        this.entrySize = entrySize;
        mask = size - 1;
    }

    /** @return entries in the ring. */
    int size()
    {
        return size;
    }

    /** @return the address of entry {@code index} (any free-running index). */
    long entry(final int index)
    {
        return entries + (long)(index & mask) * entrySize;
    }

    /** @return true if the kernel asked for a syscall before it looks at this ring again. */
    boolean needsWakeup()
    {
        return (UnsafeApi.getIntVolatile(null, flagsAddress) & XdpAbi.RING_NEED_WAKEUP) != 0;
    }

    // ---- producer side (fill, TX)

    /** @return entries we may write now. */
    int free()
    {
        return size - (local - UnsafeApi.getIntAcquire(null, consumerAddress));
    }

    /** @return the index the next written entry gets. */
    int producerIndex()
    {
        return local;
    }

    /**
     * Publishes entries up to (not including) {@code index}: the kernel may read them from now on.
     *
     * @param index the new producer index.
     */
    void submit(final int index)
    {
        local = index;
        UnsafeApi.putIntRelease(null, producerAddress, index);
    }

    /** @return entries we wrote that the kernel has not taken yet. */
    int unconsumed()
    {
        return local - UnsafeApi.getIntAcquire(null, consumerAddress);
    }

    // ---- consumer side (RX, completion)

    /** @return entries ready to read. */
    int available()
    {
        return UnsafeApi.getIntAcquire(null, producerAddress) - local;
    }

    /** @return the index of the next entry to read. */
    int consumerIndex()
    {
        return local;
    }

    /**
     * Hands {@code count} read entries back to the kernel.
     *
     * @param count entries read since the last release.
     */
    void release(final int count)
    {
        local += count;
        UnsafeApi.putIntRelease(null, consumerAddress, local);
    }
}
