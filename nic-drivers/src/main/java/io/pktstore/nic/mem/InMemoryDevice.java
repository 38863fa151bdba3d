package io.pktstore.nic.mem;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.DeviceCapabilities;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TimestampSource;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.FrameQueue;
import io.pktstore.nic.internal.Frames;

import java.util.concurrent.locks.LockSupport;

/** One end of an {@link InMemoryLink}. */
public final class InMemoryDevice implements FrameDevice
{
    private static final int ETHERNET_HEADER = 14;

    private final String name;
    private final FrameQueue rxQueue;
    private final FrameQueue txQueue;
    private final int maxFrameSize;
    private final int checksumStatus;
    private final DeviceCapabilities capabilities;
    private final DeviceStatistics statistics = new DeviceStatistics();
    private volatile boolean closed;

    InMemoryDevice(
        final String name, final FrameQueue rxQueue, final FrameQueue txQueue, final int maxFrameSize,
        final int checksumStatus)
    {
        this.name = name;
        this.rxQueue = rxQueue;
        this.txQueue = txQueue;
        this.maxFrameSize = maxFrameSize;
        this.checksumStatus = checksumStatus;
        this.capabilities = new DeviceCapabilities(
            maxFrameSize - ETHERNET_HEADER, maxFrameSize, true, true, false, TimestampSource.SOFTWARE);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities()
    {
        return capabilities;
    }

    @Override
    public DeviceStatistics statistics()
    {
        return statistics;
    }

    /** @return frames waiting to be received at this end. */
    public int pendingFrames()
    {
        return rxQueue.size();
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        checkOpen();
        int n = 0;
        final int capacity = burst.capacity();
        while (n < capacity && !rxQueue.isEmpty())
        {
            final int length = rxQueue.headLength();
            if (length > burst.bufferCapacity(n))
            {
                statistics.onRxOversize();
            }
            else
            {
                Frames.copy(rxQueue.headAddress(), burst.bufferAddress(n), length);
                burst.setFrame(n, length, length, rxQueue.headTimestampNs(), rxQueue.headChecksumStatus(),
                    rxQueue.headCsumStart(), rxQueue.headCsumOffset());
                statistics.onRx(length);
                n++;
            }
            rxQueue.pop();
        }
        return n;
    }

    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        checkOpen();
        final int frames = burst.frameCount();
        for (int f = 0; f < frames; f++)
        {
            final int length = burst.frameLength(f);
            if (length > maxFrameSize)
            {
                // Oversize frames are refused but consumed, as a NIC would drop them: the burst goes on.
                statistics.onTxOversize();
                continue;
            }
            final long slot = txQueue.claim();
            if (slot == 0)
            {
                statistics.onTxRingFull(frames - f);
                return f;
            }
            Frames.gather(burst, f, slot);
            final int csumStart = burst.checksumStart(f);
            if (csumStart >= 0)
            {
                // Like veth: a checksum-completion request reaches the other end as CHECKSUM_PARTIAL.
                txQueue.commit(length, nowNs, ChecksumStatus.PARTIAL, csumStart, burst.checksumOffset(f));
            }
            else
            {
                txQueue.commit(length, nowNs, checksumStatus, -1, -1);
            }
            statistics.onTx(length);
        }
        return frames;
    }

    @Override
    public boolean awaitReadable(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (rxQueue.isEmpty())
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0 || closed)
            {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, 50_000L));
        }
        return true;
    }

    @Override
    public void close()
    {
        closed = true;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("device " + name + " is closed");
        }
    }
}
