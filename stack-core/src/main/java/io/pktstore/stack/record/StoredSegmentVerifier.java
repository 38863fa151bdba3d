package io.pktstore.stack.record;

import io.pktstore.arena.Arena;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.wire.InternetChecksum;
import io.pktstore.stack.wire.Ipv4Header;
import org.agrona.UnsafeApi;

/**
 * Re-verifies a stored packet record from the arena alone, as recovery and scrub do after a crash
 * or on a schedule (DESIGN rule 7: the TCP checksum established once on input is the integrity check
 * of everything a store keeps; no second checksum was computed on the write path). Nothing of the
 * record is trusted: every field is range-checked before it is used as an offset.
 *
 * <p>For a frame record (checksum state hardware-verified, software-verified or software-completed)
 * it checks, in this order:
 * <ol>
 *   <li>the buffer index names a buffer, the frame length fits the buffer;</li>
 *   <li>an IPv4 header at {@code l3Offset} (version 4, IHL at least 5, protocol TCP, total length
 *       inside the frame: the TCP length is taken from the IPv4 total length, never from the frame
 *       length, because Ethernet pads short frames), and {@code l4Offset == l3Offset + IHL * 4};</li>
 *   <li>a TCP header whose data offset fits the segment; the record's data range lies inside the
 *       segment's payload; its {@code tcpSeq} equals the header's sequence number plus the range's
 *       distance from the first payload byte; its {@code tcpChecksum} equals the header's field;</li>
 *   <li>the TCP checksum over the pseudo-header and the whole segment verifies.</li>
 * </ol>
 * For a {@link PacketRecord#CHECKSUM_STORE_COPY} record (bytes a store copied, no frame around
 * them) the data range must fit the buffer and its Internet checksum must equal {@code tcpChecksum};
 * for a {@link PacketRecord#CHECKSUM_STORE_CRC32C} record (the copying comparison store) its CRC32C
 * must equal link word 3.
 *
 * <p>Static, allocation-free.
 */
public final class StoredSegmentVerifier
{
    /** Everything checks out. */
    public static final int OK = 0;
    /** The buffer index does not name a buffer of the arena. */
    public static final int BAD_BUFFER_INDEX = 1;
    /** Frame length, header offsets or data range do not fit the buffer or the headers. */
    public static final int BAD_LAYOUT = 2;
    /** The checksum state is not one a stored record may have. */
    public static final int BAD_CHECKSUM_STATE = 3;
    /** The IPv4 header is not a plain TCP datagram header. */
    public static final int BAD_IP_HEADER = 4;
    /** The TCP header's data offset does not fit the segment. */
    public static final int BAD_TCP_HEADER = 5;
    /** The record's sequence number or checksum field disagrees with the header. */
    public static final int FIELD_MISMATCH = 6;
    /** The checksum does not verify over the stored bytes. */
    public static final int BAD_CHECKSUM = 7;

    private StoredSegmentVerifier()
    {
    }

    /**
     * @param arena the arena holding the record and its buffer.
     * @param record a flyweight wrapped at the record to check.
     * @return {@link #OK} or the first problem found.
     */
    public static int verify(final Arena arena, final PacketRecord record)
    {
        return verify(arena, record, true);
    }

    /**
     * As {@link #verify(Arena, PacketRecord)}, optionally without the checksum pass: a caller that
     * checks many records over one frame (clones of pipelined requests share a buffer) sums the frame
     * once with {@link #verifyChecksum} and checks each record's fields with this.
     *
     * @param arena the arena holding the record and its buffer.
     * @param record a flyweight wrapped at the record to check.
     * @param checksum true to also verify the checksum over the stored bytes.
     * @return {@link #OK} or the first problem found.
     */
    public static int verify(final Arena arena, final PacketRecord record, final boolean checksum)
    {
        final int bufferIndex = record.bufferIndex();
        if (bufferIndex < 0 || bufferIndex >= arena.geometry().bufferCount())
        {
            return BAD_BUFFER_INDEX;
        }
        final long buffer = arena.bufferAddress(bufferIndex);
        final int bufferSize = arena.bufferSize();
        final int dataOffset = record.dataOffset();
        final int dataLength = record.dataLength();
        switch (record.checksumState())
        {
            case PacketRecord.CHECKSUM_STORE_COPY:
            case PacketRecord.CHECKSUM_STORE_CRC32C:
                if (dataOffset + dataLength > bufferSize)
                {
                    return BAD_LAYOUT;
                }
                return checksum ? verifyChecksum(arena, record) : OK;

            case PacketRecord.CHECKSUM_HARDWARE_VERIFIED:
            case PacketRecord.CHECKSUM_SOFTWARE_VERIFIED:
            case PacketRecord.CHECKSUM_SOFTWARE_COMPLETED:
                return verifyFrame(buffer, bufferSize, record, dataOffset, dataLength, checksum);

            default:
                return BAD_CHECKSUM_STATE;
        }
    }

    /**
     * The checksum pass alone, for a record whose fields {@link #verify(Arena, PacketRecord, boolean)}
     * accepted: the result is the same for every record over the same frame.
     *
     * @param arena the arena.
     * @param record a record whose fields verified.
     * @return {@link #OK} or {@link #BAD_CHECKSUM}.
     */
    public static int verifyChecksum(final Arena arena, final PacketRecord record)
    {
        final long buffer = arena.bufferAddress(record.bufferIndex());
        if (record.checksumState() == PacketRecord.CHECKSUM_STORE_CRC32C)
        {
            return org.agrona.checksum.Crc32c.INSTANCE.compute(buffer + record.dataOffset(), 0, record.dataLength()) ==
                (int)record.linkWord(3) ? OK : BAD_CHECKSUM;
        }
        if (record.checksumState() == PacketRecord.CHECKSUM_STORE_COPY)
        {
            return (InternetChecksum.fold(InternetChecksum.sum(buffer + record.dataOffset(), record.dataLength(), 0)) &
                0xFFFF) == record.tcpChecksum() ? OK : BAD_CHECKSUM;
        }
        final long ip = buffer + record.l3Offset();
        final int ihl = (UnsafeApi.getByte(ip + Ipv4Header.VERSION_IHL_OFFSET) & 0xF) * 4;
        return segmentChecksum(ip, ihl, u16(ip + Ipv4Header.TOTAL_LENGTH_OFFSET) - ihl);
    }

    /** The TCP checksum over pseudo-header and segment, addresses from the IPv4 header at {@code ip}. */
    private static int segmentChecksum(final long ip, final int ihl, final int tcpLength)
    {
        final int pseudo = InternetChecksum.pseudoHeaderIpv4(
            Integer.reverseBytes(UnsafeApi.getInt(ip + Ipv4Header.SOURCE_OFFSET)),
            Integer.reverseBytes(UnsafeApi.getInt(ip + Ipv4Header.DESTINATION_OFFSET)),
            Ipv4Header.PROTOCOL_TCP, tcpLength);
        return InternetChecksum.verifies(InternetChecksum.sum(ip + ihl, tcpLength, pseudo)) ? OK : BAD_CHECKSUM;
    }

    private static int verifyFrame(
        final long buffer, final int bufferSize, final PacketRecord record, final int dataOffset, final int dataLength,
        final boolean checksum)
    {
        final int frameLength = record.frameLength();
        final int l3 = record.l3Offset();
        if (frameLength > bufferSize || l3 + Ipv4Header.MIN_HEADER_LENGTH > frameLength)
        {
            return BAD_LAYOUT;
        }
        final long ip = buffer + l3;
        final int versionIhl = UnsafeApi.getByte(ip + Ipv4Header.VERSION_IHL_OFFSET) & 0xFF;
        final int ihl = (versionIhl & 0xF) * 4;
        final int totalLength = u16(ip + Ipv4Header.TOTAL_LENGTH_OFFSET);
        if ((versionIhl >>> 4) != 4 || ihl < Ipv4Header.MIN_HEADER_LENGTH ||
            (UnsafeApi.getByte(ip + Ipv4Header.PROTOCOL_OFFSET) & 0xFF) != Ipv4Header.PROTOCOL_TCP ||
            totalLength < ihl + TcpHeader.MIN_HEADER_LENGTH || l3 + totalLength > frameLength)
        {
            return BAD_IP_HEADER;
        }
        final int l4 = record.l4Offset();
        if (l4 != l3 + ihl)
        {
            return BAD_LAYOUT;
        }
        final long tcp = buffer + l4;
        final int tcpLength = totalLength - ihl;
        final int tcpHeaderLength = ((UnsafeApi.getByte(tcp + TcpHeader.DATA_OFFSET_OFFSET) & 0xFF) >>> 4) * 4;
        if (tcpHeaderLength < TcpHeader.MIN_HEADER_LENGTH || tcpHeaderLength > tcpLength)
        {
            return BAD_TCP_HEADER;
        }
        final int payloadStart = l4 + tcpHeaderLength;
        final int payloadEnd = l3 + totalLength;
        if (dataOffset < payloadStart || dataOffset + dataLength > payloadEnd)
        {
            return BAD_LAYOUT;
        }
        final int headerSeq = UnsafeApi.getInt(tcp + TcpHeader.SEQ_OFFSET);
        if (Integer.reverseBytes(headerSeq) + (dataOffset - payloadStart) != record.tcpSeq() ||
            u16(tcp + TcpHeader.CHECKSUM_OFFSET) != record.tcpChecksum())
        {
            return FIELD_MISMATCH;
        }
        if (!checksum)
        {
            return OK;
        }
        return segmentChecksum(ip, ihl, tcpLength);
    }

    /** @return a short name for a result code, for reports. */
    public static String describe(final int result)
    {
        switch (result)
        {
            case OK: return "ok";
            case BAD_BUFFER_INDEX: return "buffer index out of range";
            case BAD_LAYOUT: return "offsets or lengths outside the frame";
            case BAD_CHECKSUM_STATE: return "impossible checksum state";
            case BAD_IP_HEADER: return "not an IPv4 TCP header";
            case BAD_TCP_HEADER: return "bad TCP header length";
            case FIELD_MISMATCH: return "sequence number or checksum field disagrees with the header";
            case BAD_CHECKSUM: return "checksum does not verify";
            default: return "unknown result " + result;
        }
    }

    private static int u16(final long address)
    {
        return ((UnsafeApi.getByte(address) & 0xFF) << 8) | (UnsafeApi.getByte(address + 1) & 0xFF);
    }
}
