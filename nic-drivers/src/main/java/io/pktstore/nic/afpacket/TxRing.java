package io.pktstore.nic.afpacket;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.Frames;
import io.pktstore.nic.internal.LibC;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.afpacket.TpacketLayout.*;

/**
 * The mapped TX ring: frame slots we fill (data at a fixed offset after the slot's tpacket header,
 * preceded by a virtio_net_hdr when PACKET_VNET_HDR is on, which carries a checksum-completion
 * request if the frame has one ({@link TxBurst#requestChecksum})), mark SEND_REQUEST, and kick with
 * a non-blocking {@code sendto}. A slot is reusable once the kernel set it back to AVAILABLE; one
 * that is still SEND_REQUEST/SENDING means the ring is full. Layout: {@link TpacketLayout}.
 */
final class TxRing
{
    private final int fd;
    private final long[] slotAddress;
    private final int statusOffset;
    private final int lengthOffset;
    private final int dataOffset;
    private final int maxFrameLength;
    private final boolean vnetHdr;
    private final DeviceStatistics statistics;
    private int next;
    private long wrongFormat;
    private long kickErrors;
    private int lastKickErrno;

    TxRing(
        final int fd, final long base, final int blockSize, final int blockCount, final int frameSize,
        final TpacketVersion version, final boolean vnetHdr, final DeviceStatistics statistics)
    {
        this.fd = fd;
        this.vnetHdr = vnetHdr;
        this.statistics = statistics;
        final boolean v3 = version == TpacketVersion.V3;
        statusOffset = v3 ? TP3_STATUS_OFFSET : TP2_STATUS_OFFSET;
        lengthOffset = v3 ? TP3_LEN_OFFSET : TP2_LEN_OFFSET;
        dataOffset = v3 ? TX_DATA_OFFSET_V3 : TX_DATA_OFFSET_V2;
        maxFrameLength = frameSize - dataOffset - (vnetHdr ? VNET_HDR_LENGTH : 0);
        slotAddress = slotAddresses(base, blockSize, blockCount, frameSize);
    }

    /** @return the largest frame a slot takes. */
    int maxFrameLength()
    {
        return maxFrameLength;
    }

    /** @return slots the kernel refused as malformed (TP_STATUS_WRONG_FORMAT), seen when reused. */
    long wrongFormat()
    {
        return wrongFormat;
    }

    /** @return send kicks that failed with something other than EAGAIN/ENOBUFS. */
    long kickErrors()
    {
        return kickErrors;
    }

    /** @return errno of the last failed kick, 0 if none. */
    int lastKickErrno()
    {
        return lastKickErrno;
    }

    int transmit(final TxBurst burst)
    {
        final int frames = burst.frameCount();
        int accepted = 0;
        for (; accepted < frames; accepted++)
        {
            final int length = burst.frameLength(accepted);
            if (length > maxFrameLength)
            {
                statistics.onTxOversize();
                continue;
            }
            final long slot = slotAddress[next];
            final int status = UnsafeApi.getIntAcquire(null, slot + statusOffset);
            if (status != TP_STATUS_AVAILABLE)
            {
                if ((status & TP_STATUS_WRONG_FORMAT) == 0)
                {
                    break;
                }
                wrongFormat++;
            }
            long data = slot + dataOffset;
            int wireLength = length;
            if (vnetHdr)
            {
                // gso_type NONE always; NEEDS_CSUM + start/offset only when the caller asked for completion.
                UnsafeApi.putLong(data, 0L);
                UnsafeApi.putShort(data + 8, (short)0);
                final int csumStart = burst.checksumStart(accepted);
                if (csumStart >= 0)
                {
                    UnsafeApi.putByte(data + VNET_FLAGS_OFFSET, (byte)VNET_F_NEEDS_CSUM);
                    UnsafeApi.putShort(data + VNET_CSUM_START_OFFSET, (short)csumStart);
                    UnsafeApi.putShort(data + VNET_CSUM_OFFSET_OFFSET, (short)burst.checksumOffset(accepted));
                }
                data += VNET_HDR_LENGTH;
                wireLength += VNET_HDR_LENGTH;
            }
            Frames.gather(burst, accepted, data);
            statistics.onTxCopied(length);
            UnsafeApi.putInt(slot + lengthOffset, wireLength);
            UnsafeApi.putIntRelease(null, slot + statusOffset, TP_STATUS_SEND_REQUEST);
            statistics.onTx(length);
            next = next + 1 == slotAddress.length ? 0 : next + 1;
        }
        if (accepted < frames)
        {
            statistics.onTxRingFull(frames - accepted);
        }
        if (accepted > 0)
        {
            kick();
        }
        return accepted;
    }

    /** Asks the kernel to send every SEND_REQUEST slot without waiting for completion. */
    void kick()
    {
        if (LibC.C.send(fd, 0L, 0L, LibC.MSG_DONTWAIT) < 0)
        {
            final int errno = LibC.errno();
            if (errno != LibC.EAGAIN && errno != LibC.ENOBUFS)
            {
                kickErrors++;
                lastKickErrno = errno;
            }
        }
    }
}
