package io.pktstore.stack.ip;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.UnsafeApi;

/**
 * Establishes the checksum of a received TCP segment exactly once, before TCP sees it (DESIGN.md
 * rule 7: one checksum pass per byte), according to what the driver reported:
 * <ul>
 *   <li>{@link ChecksumStatus#VERIFIED}: trusted, {@link PacketRecord#CHECKSUM_HARDWARE_VERIFIED}.</li>
 *   <li>{@link ChecksumStatus#UNKNOWN}: verified in software over pseudo-header + segment;
 *       {@link PacketRecord#CHECKSUM_SOFTWARE_VERIFIED} or {@link #FAILED}.</li>
 *   <li>{@link ChecksumStatus#PARTIAL} (CHECKSUM_PARTIAL from a local kernel with TX offload): the
 *       checksum field holds only the folded pseudo-header sum, so summing the segment from its
 *       first byte (field included) gives pseudo-header + data; the complement of that is written
 *       into the frame's checksum field, so the stored bytes verify later (recovery, scrub), and
 *       the state is {@link PacketRecord#CHECKSUM_SOFTWARE_COMPLETED}.</li>
 * </ul>
 */
public final class TcpChecksumEstablisher
{
    /** Result: the checksum does not verify; drop the segment. */
    public static final int FAILED = -1;
    /** Result: a PARTIAL frame whose csum_start/csum_offset do not designate the TCP checksum. */
    public static final int BAD_PARTIAL = -2;

    /** Shortest TCP header; the IP layer drops shorter TCP datagrams before calling {@link #establish}. */
    public static final int TCP_MIN_HEADER_LENGTH = TcpHeader.MIN_HEADER_LENGTH;

    /** Offset of the checksum field in the TCP header (RFC 9293 section 3.1). */
    public static final int TCP_CHECKSUM_FIELD_OFFSET = TcpHeader.CHECKSUM_OFFSET;

    private TcpChecksumEstablisher()
    {
    }

    /**
     * @param frameAddress first byte of the frame.
     * @param l4Offset TCP header offset in the frame.
     * @param l4Length TCP header + data bytes (at least 20, checked by the caller).
     * @param srcIp source address.
     * @param dstIp destination address.
     * @param driverStatus the driver's {@link ChecksumStatus}.
     * @param csumStart for PARTIAL: where the driver says checksumming starts, or -1 if unknown.
     * @param csumOffset for PARTIAL: the field's offset from csumStart, or -1 if unknown.
     * @return a {@code PacketRecord.CHECKSUM_*} state, {@link #FAILED} or {@link #BAD_PARTIAL}.
     */
    public static int establish(
        final long frameAddress,
        final int l4Offset,
        final int l4Length,
        final int srcIp,
        final int dstIp,
        final int driverStatus,
        final int csumStart,
        final int csumOffset)
    {
        final long segment = frameAddress + l4Offset;
        switch (driverStatus)
        {
            case ChecksumStatus.VERIFIED:
                return PacketRecord.CHECKSUM_HARDWARE_VERIFIED;

            case ChecksumStatus.PARTIAL:
            {
                if ((csumStart >= 0 && csumStart != l4Offset) ||
                    (csumOffset >= 0 && csumOffset != TCP_CHECKSUM_FIELD_OFFSET))
                {
                    return BAD_PARTIAL;
                }
                final short checksum = InternetChecksum.fold(InternetChecksum.sum(segment, l4Length, 0));
                // Big-endian on the wire, whatever the machine's order.
                UnsafeApi.putByte(segment + TCP_CHECKSUM_FIELD_OFFSET, (byte)(checksum >>> 8));
                UnsafeApi.putByte(segment + TCP_CHECKSUM_FIELD_OFFSET + 1, (byte)checksum);
                return PacketRecord.CHECKSUM_SOFTWARE_COMPLETED;
            }

            default:
            {
                final int pseudo = InternetChecksum.pseudoHeaderIpv4(srcIp, dstIp, 6, l4Length);
                return InternetChecksum.verifies(InternetChecksum.sum(segment, l4Length, pseudo)) ?
                    PacketRecord.CHECKSUM_SOFTWARE_VERIFIED : FAILED;
            }
        }
    }
}
