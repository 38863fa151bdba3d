package io.pktstore.stack.tcp;

import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds outgoing TCP segments: the header (with options) goes into a slot of an off-heap ring, the
 * payload is gathered straight from the send queue's packet records (no copy), the checksum is computed
 * once over header and pieces, and the whole is handed to {@link Ipv4Output}.
 * <p>
 * Header slots must stay valid until the stack flushes its TX burst at the end of the duty cycle
 * (the Ipv4Output contract), so they rotate through a ring far larger than any TX burst.
 */
final class SegmentWriter
{
    /** Header slots in the ring; a duty cycle never queues more frames than a TX burst holds. */
    static final int HEADER_SLOTS = 4096;
    /** Most gather pieces per segment: the header plus data pieces (IPv4 adds its own header piece; the stack default allows 8). */
    static final int MAX_PIECES = 7;
    private static final int SLOT_SIZE = TcpHeader.MAX_HEADER_LENGTH + 4;

    private final Ipv4Output ipv4;
    private final TcpCounters counters;
    private final UnsafeBuffer ring;
    private final TcpHeader header = new TcpHeader();
    private final Gather gather = new Gather(MAX_PIECES);
    private int nextSlot;
    private long slotAddress;
    private int headerLength;

    SegmentWriter(final Ipv4Output ipv4, final TcpCounters counters)
    {
        this.ipv4 = ipv4;
        this.counters = counters;
        this.ring = new UnsafeBuffer(BufferUtil.allocateDirectAligned(HEADER_SLOTS * SLOT_SIZE, 64));
    }

    /**
     * Starts a segment: reserves a header slot sized for {@code options} and makes it the first gather
     * piece. Data pieces are added to the returned gather after it, then {@link #send} fills the header.
     *
     * @param options the options the segment will carry, or null for none (must not change before send).
     * @return the gather list to add data pieces to.
     */
    Gather begin(final TcpOptions options)
    {
        slotAddress = ring.addressOffset() + (long)nextSlot * SLOT_SIZE;
        nextSlot = (nextSlot + 1) & (HEADER_SLOTS - 1);
        headerLength = TcpHeader.MIN_HEADER_LENGTH + (options == null ? 0 : options.encodedLength());
        gather.clear();
        gather.add(slotAddress, headerLength);
        return gather;
    }

    /**
     * Writes the header reserved by {@link #begin} in front of the gathered data, checksums and sends.
     *
     * @param options the same options given to {@link #begin}, or null.
     * @return an {@link Ipv4Output} result code.
     */
    int send(
        final int remoteIp,
        final int localPort,
        final int remotePort,
        final int seq,
        final int ack,
        final int flags,
        final int windowField,
        final TcpOptions options,
        final long nowNs)
    {
        header.wrap(slotAddress, headerLength)
            .srcPort(localPort)
            .dstPort(remotePort)
            .seq(seq)
            .ack(ack)
            .headerLength(headerLength)
            .flags(flags)
            .window(windowField)
            .checksum(0)
            .urgentPointer(0);
        if (headerLength > TcpHeader.MIN_HEADER_LENGTH)
        {
            options.write(header.buffer(), TcpHeader.OPTIONS_OFFSET);
        }
        final int l4Length = gather.totalLength();
        final int sum = gather.checksum(
            InternetChecksum.pseudoHeaderIpv4(ipv4.localIp(), remoteIp, TcpLayer.PROTOCOL_TCP, l4Length));
        header.checksum(InternetChecksum.fold(sum) & 0xFFFF);
        final int result = ipv4.send(remoteIp, TcpLayer.PROTOCOL_TCP, gather, nowNs);
        if (result == Ipv4Output.SENT)
        {
            counters.segmentsOut++;
        }
        else
        {
            counters.segmentsOutFailed++;
        }
        return result;
    }

    /**
     * Sends a bare RST (or RST+ACK) that belongs to no connection (RFC 9293 3.10.7.1) and counts it.
     *
     * @return an {@link Ipv4Output} result code.
     */
    int sendReset(
        final int remoteIp, final int localPort, final int remotePort, final int seq, final int ack, final int flags,
        final long nowNs)
    {
        begin(null);
        counters.rstsSent++;
        return send(remoteIp, localPort, remotePort, seq, ack, flags, 0, null, nowNs);
    }

    /** @return the local address the writer sends from. */
    int localIp()
    {
        return ipv4.localIp();
    }

    /** @return the IP MTU of the output. */
    int mtu()
    {
        return ipv4.mtu();
    }
}
