package io.pktstore.nic;

/**
 * A device's counters. One instance per device, updated in place by the owning thread (plain
 * fields, no allocation); readers on other threads may see slightly stale values. Kernel counters
 * ({@code kernel*}) are what the kernel reported through PACKET_STATISTICS, accumulated since open
 * (the kernel resets them on every read); devices without a kernel leave them 0.
 */
public final class DeviceStatistics
{
    long rxFrames;
    long rxBytes;
    long txFrames;
    long txBytes;
    long rxDropsOversize;
    long rxDropsNoBuffer;
    long txRingFull;
    long txDropsOversize;
    long kernelPackets;
    long kernelDrops;
    long kernelFreezeQueueCount;
    long rxBytesCopied;
    long txBytesCopied;

    /** @return frames delivered to the caller by receive. */
    public long rxFrames()
    {
        return rxFrames;
    }

    /** @return bytes of frames delivered to the caller by receive. */
    public long rxBytes()
    {
        return rxBytes;
    }

    /** @return frames accepted by transmit. */
    public long txFrames()
    {
        return txFrames;
    }

    /** @return bytes of frames accepted by transmit. */
    public long txBytes()
    {
        return txBytes;
    }

    /** @return received frames dropped because they did not fit the caller's slot buffer. */
    public long rxDropsOversize()
    {
        return rxDropsOversize;
    }

    /** @return received frames dropped because no buffer/queue space was available (e.g. a full in-memory queue). */
    public long rxDropsNoBuffer()
    {
        return rxDropsNoBuffer;
    }

    /** @return transmit requests refused because the TX ring or queue was full (one per frame refused). */
    public long txRingFull()
    {
        return txRingFull;
    }

    /** @return frames refused by transmit because they exceed the device's maximum frame size. */
    public long txDropsOversize()
    {
        return txDropsOversize;
    }

    /** @return packets the kernel says it handed to the socket (tp_packets, accumulated). */
    public long kernelPackets()
    {
        return kernelPackets;
    }

    /** @return packets the kernel says it dropped because the ring was full (tp_drops, accumulated). */
    public long kernelDrops()
    {
        return kernelDrops;
    }

    /** @return V3 only: times the kernel froze the queue because no block was free (tp_freeze_q_cnt). */
    public long kernelFreezeQueueCount()
    {
        return kernelFreezeQueueCount;
    }

    /** @return frame bytes the driver copied in user space on receive (AF_PACKET: every byte; AF_XDP: none). */
    public long rxBytesCopied()
    {
        return rxBytesCopied;
    }

    /** @return frame bytes the driver copied in user space on transmit (AF_PACKET: every byte; AF_XDP: headers). */
    public long txBytesCopied()
    {
        return txBytesCopied;
    }

    /**
     * Counts bytes the driver copied in user space while receiving.
     * @param bytes the count.
     */
    public void onRxCopied(final int bytes)
    {
        rxBytesCopied += bytes;
    }

    /**
     * Counts bytes the driver copied in user space while transmitting.
     * @param bytes the count.
     */
    public void onTxCopied(final int bytes)
    {
        txBytesCopied += bytes;
    }

    /**
     * Counts one received frame of {@code bytes}.
     * @param bytes the frame length.
     */
    public void onRx(final int bytes)
    {
        rxFrames++;
        rxBytes += bytes;
    }

    /**
     * Counts one transmitted frame of {@code bytes}.
     * @param bytes the frame length.
     */
    public void onTx(final int bytes)
    {
        txFrames++;
        txBytes += bytes;
    }

    /** Counts a received frame larger than its slot buffer. */
    public void onRxOversize()
    {
        rxDropsOversize++;
    }

    /** Counts a received frame dropped for lack of buffer or queue space. */
    public void onRxNoBuffer()
    {
        rxDropsNoBuffer++;
    }

    /**
     * Counts frames transmit could not accept because the ring/queue was full.
     * @param frames count.
     */
    public void onTxRingFull(final int frames)
    {
        txRingFull += frames;
    }

    /** Counts a frame transmit refused because it is larger than the device allows. */
    public void onTxOversize()
    {
        txDropsOversize++;
    }

    /**
     * Adds one PACKET_STATISTICS reading (the kernel resets its counters on each read).
     *
     * @param packets tp_packets of the reading.
     * @param drops tp_drops of the reading.
     * @param freezeQueueCount tp_freeze_q_cnt of the reading (0 for V2).
     */
    public void addKernelReading(final long packets, final long drops, final long freezeQueueCount)
    {
        kernelPackets += packets;
        kernelDrops += drops;
        kernelFreezeQueueCount += freezeQueueCount;
    }

    @Override
    public String toString()
    {
        return "DeviceStatistics{rxFrames=" + rxFrames + ", rxBytes=" + rxBytes + ", txFrames=" + txFrames +
            ", txBytes=" + txBytes + ", rxDropsOversize=" + rxDropsOversize + ", rxDropsNoBuffer=" + rxDropsNoBuffer +
            ", txRingFull=" + txRingFull + ", txDropsOversize=" + txDropsOversize + ", kernelPackets=" + kernelPackets +
            ", kernelDrops=" + kernelDrops + ", kernelFreezeQueueCount=" + kernelFreezeQueueCount + ", rxBytesCopied=" + rxBytesCopied +
            ", txBytesCopied=" + txBytesCopied + '}';
    }
}
