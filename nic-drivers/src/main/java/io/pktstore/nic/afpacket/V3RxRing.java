package io.pktstore.nic.afpacket;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.RxBurst;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.afpacket.TpacketLayout.*;

/**
 * TPACKET_V3 RX ring: the kernel fills a block with packets (each a tpacket3_hdr followed by the
 * frame, chained by tp_next_offset) and hands the whole block over (block_status USER) when it is
 * full or its retire timer fires. We walk it, possibly across several receive calls when a burst
 * fills up mid-block, and give it back (block_status KERNEL) once every packet was read.
 * Layout: {@link TpacketLayout}.
 */
final class V3RxRing extends RxRing
{
    private final int blockSize;
    private final int blockCount;
    private int block;
    /** Packets of the current block already read; -1 when the current block has not been opened. */
    private int packetIndex = -1;
    private int packetCount;
    private long packetAddress;

    V3RxRing(
        final long base, final int blockSize, final int blockCount, final boolean vnetHdr,
        final DeviceStatistics statistics)
    {
        super(base, vnetHdr, statistics);
        this.blockSize = blockSize;
        this.blockCount = blockCount;
    }

    private long blockAddress()
    {
        return base + (long)block * blockSize;
    }

    @Override
    public boolean hasFrame()
    {
        return packetIndex >= 0 || (getIntAcquire(blockAddress() + BLOCK_STATUS_OFFSET) & TP_STATUS_USER) != 0;
    }

    @Override
    int receive(final RxBurst burst)
    {
        int n = 0;
        final int capacity = burst.capacity();
        while (n < capacity)
        {
            final long blockStart = blockAddress();
            final long blockEnd = blockStart + blockSize;
            if (packetIndex < 0)
            {
                if ((getIntAcquire(blockStart + BLOCK_STATUS_OFFSET) & TP_STATUS_USER) == 0)
                {
                    break;
                }
                packetCount = UnsafeApi.getInt(blockStart + BLOCK_NUM_PKTS_OFFSET);
                final int first = UnsafeApi.getInt(blockStart + BLOCK_FIRST_PKT_OFFSET);
                packetAddress = blockStart + Integer.toUnsignedLong(first);
                packetIndex = 0;
            }
            if (packetIndex < packetCount && packetAddress + TP3_HDR_LENGTH <= blockEnd)
            {
                final long header = packetAddress;
                final int snaplen = UnsafeApi.getInt(header + TP3_SNAPLEN_OFFSET);
                final int wireLength = UnsafeApi.getInt(header + TP3_LEN_OFFSET);
                final int status = UnsafeApi.getInt(header + TP3_STATUS_OFFSET);
                final int mac = UnsafeApi.getShort(header + TP3_MAC_OFFSET) & 0xFFFF;
                final long sec = Integer.toUnsignedLong(UnsafeApi.getInt(header + TP3_SEC_OFFSET));
                final long nsec = Integer.toUnsignedLong(UnsafeApi.getInt(header + TP3_NSEC_OFFSET));
                if (deliver(burst, n, header, mac, snaplen, wireLength, status, sec, nsec, blockEnd - header))
                {
                    n++;
                }
                packetIndex++;
                packetAddress = header + Integer.toUnsignedLong(UnsafeApi.getInt(header + TP3_NEXT_OFFSET_OFFSET));
                if (packetIndex < packetCount)
                {
                    continue;
                }
            }
            // Block done (or its chain ran out of bounds): give it back and move on.
            putIntRelease(blockStart + BLOCK_STATUS_OFFSET, TP_STATUS_KERNEL);
            packetIndex = -1;
            block = block + 1 == blockCount ? 0 : block + 1;
        }
        return n;
    }
}
