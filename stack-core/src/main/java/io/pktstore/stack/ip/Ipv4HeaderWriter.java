package io.pktstore.stack.ip;

import io.pktstore.stack.StackConfig;
import io.pktstore.stack.wire.EthernetFrame;
import io.pktstore.stack.wire.Ipv4Header;

/**
 * Writes the headers of every IPv4 datagram the stack sends (Ethernet II + an option-less IPv4
 * header with DF, our TTL and source, and its checksum), and hands out the identification: one
 * counter for all datagrams (with DF set its value only has to differ between neighbours in
 * flight, RFC 6864). One place, so ICMP replies, transport datagrams and datagrams waiting for ARP
 * are built alike.
 */
public final class Ipv4HeaderWriter
{
    /** Bytes of Ethernet + IPv4 headers. */
    public static final int HEADERS_LENGTH = EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH;

    private final StackConfig config;
    private final EthernetFrame ethernet = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private int nextId;

    /**
     * @param config our MAC, address and TTL.
     */
    public Ipv4HeaderWriter(final StackConfig config)
    {
        this.config = config;
    }

    /**
     * Writes Ethernet + IPv4 headers ({@link #HEADERS_LENGTH} bytes).
     *
     * @param address where the frame starts.
     * @param dstMac next hop's MAC.
     * @param dstIp destination address.
     * @param protocol IP protocol number.
     * @param payloadLength transport bytes after the IPv4 header.
     */
    public void writeFrameHeaders(final long address, final long dstMac, final int dstIp, final int protocol, final int payloadLength)
    {
        ethernet.wrap(address, EthernetFrame.HEADER_LENGTH)
            .destination(dstMac)
            .source(config.mac())
            .etherType(EthernetFrame.TYPE_IPV4);
        writeIpHeader(address + EthernetFrame.HEADER_LENGTH, dstIp, protocol, payloadLength);
    }

    /**
     * Writes the 20-byte IPv4 header only (its Ethernet header is written later).
     *
     * @param address where the IPv4 header starts.
     * @param dstIp destination address.
     * @param protocol IP protocol number.
     * @param payloadLength transport bytes after the IPv4 header.
     */
    public void writeIpHeader(final long address, final int dstIp, final int protocol, final int payloadLength)
    {
        ip.wrapForWrite(address)
            .write(Ipv4Header.MIN_HEADER_LENGTH + payloadLength, nextId++, config.ttl(), protocol, config.ip(), dstIp);
    }
}
