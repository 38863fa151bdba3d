package io.pktstore.stack.ip;

import io.pktstore.stack.StackConfig;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.wire.IcmpEcho;
import io.pktstore.stack.wire.Ipv4Header;

/**
 * ICMP input: answers echo requests (RFC 792, RFC 1122 3.2.2.6) and counts everything else.
 *
 * <p>The reply is built without copying the echo data: the ICMP message is turned into a reply in
 * place in the received buffer (type 0, new checksum) and sent as a gather of fresh Ethernet+IPv4
 * headers in TX scratch plus that message. The received buffer is not reused for reception before
 * the TX flush at the end of the duty cycle, so the piece stays valid. The reply goes to the
 * request's Ethernet source, so no ARP resolution is needed; IP options of the request are not
 * echoed.
 */
public final class IcmpLayer
{
    private final StackConfig config;
    private final StackCounters counters;
    private final FrameTransmitter tx;
    private final Ipv4HeaderWriter headers;
    private final IcmpEcho icmp = new IcmpEcho();

    /**
     * @param config our addresses.
     * @param counters where outcomes are counted.
     * @param tx where replies are queued.
     * @param headers writes the reply's Ethernet and IPv4 headers.
     */
    public IcmpLayer(final StackConfig config, final StackCounters counters, final FrameTransmitter tx, final Ipv4HeaderWriter headers)
    {
        this.config = config;
        this.counters = counters;
        this.tx = tx;
        this.headers = headers;
    }

    /**
     * Handles one ICMP message addressed to us; every outcome is counted once.
     *
     * @param ethSource the request frame's source MAC (the reply's destination).
     * @param srcIp the request's source address.
     * @param address first byte of the ICMP message.
     * @param length message length from the IPv4 total length.
     * @param nowNs the duty cycle's clock.
     */
    public void onMessage(final long ethSource, final int srcIp, final long address, final int length, final long nowNs)
    {
        final int check = icmp.wrapChecked(address, length);
        if (check != IcmpEcho.OK)
        {
            counters.increment(check == IcmpEcho.TRUNCATED ? StackCounters.ICMP_DROP_TRUNCATED : StackCounters.ICMP_DROP_BAD_CHECKSUM);
            return;
        }
        if (icmp.type() != IcmpEcho.TYPE_ECHO_REQUEST || icmp.code() != 0)
        {
            counters.increment(StackCounters.ICMP_IGNORED);
            return;
        }
        if (Ipv4Header.MIN_HEADER_LENGTH + length > config.mtu() || tx.maxSegmentsPerFrame() < 2)
        {
            counters.increment(StackCounters.ICMP_DROP_REPLY_FAILED);
            return;
        }
        icmp.type(IcmpEcho.TYPE_ECHO_REPLY).updateChecksum();
        final long frame = tx.beginFrame(nowNs);
        headers.writeFrameHeaders(frame, ethSource, srcIp, Ipv4Header.PROTOCOL_ICMP, length);
        tx.addSegment(frame, Ipv4HeaderWriter.HEADERS_LENGTH);
        tx.addSegment(address, length);
        counters.increment(StackCounters.ICMP_ECHO_REPLIED);
    }
}
