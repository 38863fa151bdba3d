package io.pktstore.nic.afpacket;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.RxBurst;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.afpacket.TpacketLayout.*;

/**
 * TPACKET_V2 RX ring: fixed frame slots, each handed to user space on its own (tp_status USER) and
 * returned with tp_status KERNEL. Slots: {@link TpacketLayout#slotAddresses}; layout: {@link TpacketLayout}.
 */
final class V2RxRing extends RxRing
{
    private final long[] slotAddress;
    private final int frameSize;
    private int next;

    V2RxRing(
        final long base, final int blockSize, final int blockCount, final int frameSize, final boolean vnetHdr,
        final DeviceStatistics statistics)
    {
        super(base, vnetHdr, statistics);
        this.frameSize = frameSize;
        slotAddress = slotAddresses(base, blockSize, blockCount, frameSize);
    }

    @Override
    public boolean hasFrame()
    {
        return (getIntAcquire(slotAddress[next] + TP2_STATUS_OFFSET) & TP_STATUS_USER) != 0;
    }

    @Override
    int receive(final RxBurst burst)
    {
        int n = 0;
        final int capacity = burst.capacity();
        while (n < capacity)
        {
            final long slot = slotAddress[next];
            final int status = getIntAcquire(slot + TP2_STATUS_OFFSET);
            if ((status & TP_STATUS_USER) == 0)
            {
                break;
            }
            final int wireLength = UnsafeApi.getInt(slot + TP2_LEN_OFFSET);
            final int snaplen = UnsafeApi.getInt(slot + TP2_SNAPLEN_OFFSET);
            final int mac = UnsafeApi.getShort(slot + TP2_MAC_OFFSET) & 0xFFFF;
            final long sec = Integer.toUnsignedLong(UnsafeApi.getInt(slot + TP2_SEC_OFFSET));
            final long nsec = Integer.toUnsignedLong(UnsafeApi.getInt(slot + TP2_NSEC_OFFSET));
            if (deliver(burst, n, slot, mac, snaplen, wireLength, status, sec, nsec, frameSize))
            {
                n++;
            }
            putIntRelease(slot + TP2_STATUS_OFFSET, TP_STATUS_KERNEL);
            next = next + 1 == slotAddress.length ? 0 : next + 1;
        }
        return n;
    }
}
