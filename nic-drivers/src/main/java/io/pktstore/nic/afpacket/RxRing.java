package io.pktstore.nic.afpacket;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.internal.Frames;
import io.pktstore.nic.internal.ReadableWait;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.afpacket.TpacketLayout.*;

/**
 * The mapped RX ring of one socket, read in place. Subclasses walk the V2 (per frame) or V3 (per
 * block) format; this class holds what both share: copying one kernel frame into a caller slot.
 */
abstract class RxRing implements ReadableWait.Ring
{
    protected final long base;
    protected final boolean vnetHdr;
    protected final DeviceStatistics statistics;

    RxRing(final long base, final boolean vnetHdr, final DeviceStatistics statistics)
    {
        this.base = base;
        this.vnetHdr = vnetHdr;
        this.statistics = statistics;
    }

    /**
     * Copies ready frames into burst slots starting at 0; never blocks.
     * @return frames delivered.
     */
    abstract int receive(RxBurst burst);

    /** @return true if the next frame or block is owned by user space. */
    @Override
    public abstract boolean hasFrame();

    static int getIntAcquire(final long address)
    {
        return UnsafeApi.getIntAcquire(null, address);
    }

    static void putIntRelease(final long address, final int value)
    {
        UnsafeApi.putIntRelease(null, address, value);
    }

    /**
     * Copies one kernel frame into slot {@code n} of the burst, or counts it as oversize.
     *
     * @param headerLimit bytes from {@code header} that belong to this frame's slot/block (bounds the kernel's offsets).
     * @return true if the slot was filled.
     */
    protected final boolean deliver(
        final RxBurst burst, final int n, final long header, final int mac, final int snaplen, final int wireLength,
        final int tpStatus, final long sec, final long nsec, final long headerLimit)
    {
        if (snaplen < 0 || mac < 0 || (long)mac + snaplen > headerLimit || (vnetHdr && mac < VNET_HDR_LENGTH))
        {
            // The kernel wrote this; a mismatch means our geometry assumptions are wrong. Never read past the slot.
            statistics.onRxNoBuffer();
            return false;
        }
        if (snaplen > burst.bufferCapacity(n))
        {
            statistics.onRxOversize();
            return false;
        }
        final long frame = header + mac;
        Frames.copy(frame, burst.bufferAddress(n), snaplen);
        statistics.onRxCopied(snaplen);
        int checksum = ChecksumStatus.UNKNOWN;
        int csumStart = -1;
        int csumOffset = -1;
        if ((tpStatus & TP_STATUS_CSUMNOTREADY) != 0)
        {
            checksum = ChecksumStatus.PARTIAL;
        }
        else if ((tpStatus & TP_STATUS_CSUM_VALID) != 0)
        {
            checksum = ChecksumStatus.VERIFIED;
        }
        if (vnetHdr)
        {
            final long vnet = frame - VNET_HDR_LENGTH;
            final int flags = UnsafeApi.getByte(vnet + VNET_FLAGS_OFFSET) & 0xFF;
            if ((flags & VNET_F_NEEDS_CSUM) != 0)
            {
                checksum = ChecksumStatus.PARTIAL;
                csumStart = UnsafeApi.getShort(vnet + VNET_CSUM_START_OFFSET) & 0xFFFF;
                csumOffset = UnsafeApi.getShort(vnet + VNET_CSUM_OFFSET_OFFSET) & 0xFFFF;
            }
            else if ((flags & VNET_F_DATA_VALID) != 0)
            {
                checksum = ChecksumStatus.VERIFIED;
            }
        }
        burst.setFrame(n, snaplen, wireLength, sec * 1_000_000_000L + nsec, checksum, csumStart, csumOffset);
        statistics.onRx(snaplen);
        return true;
    }
}
