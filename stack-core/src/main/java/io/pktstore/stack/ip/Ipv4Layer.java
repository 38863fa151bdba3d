package io.pktstore.stack.ip;

import io.pktstore.stack.StackConfig;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.wire.EthernetFrame;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.Ipv4Header;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * IPv4 for a host with one address (RFC 791, RFC 1122 section 3).
 *
 * <p>Input ({@link #onPacket}) checks, in order, and counts the first failure as the drop reason:
 * header length/version/IHL/total length/header checksum ({@link Ipv4Header#wrapChecked}),
 * destination = our address, a sane source, TTL &gt; 0, not a fragment (no reassembly: we send
 * with DF and MSS-sized segments, so a fragment here is unusual and refused); options are skipped
 * by the IHL, never parsed. ICMP goes to {@link IcmpLayer}; other protocols to the registered
 * {@link TransportHandler}, TCP only after its checksum was established
 * ({@link TcpChecksumEstablisher}).
 *
 * <p>Output ({@link #send}) routes on-link or via the gateway, resolves the next hop through
 * {@link ArpLayer} and queues a gather frame: Ethernet+IPv4 headers in TX scratch, then the
 * caller's pieces. While the next hop is being resolved, a few datagrams are copied into
 * {@link PendingFrames} (reported as SENT) and go out when the ARP reply arrives.
 */
public final class Ipv4Layer implements Ipv4Output
{
    private final StackConfig config;
    private final StackCounters counters;
    private final FrameTransmitter tx;
    private final ArpLayer arp;
    private final IcmpLayer icmp;
    private final PendingFrames pending;
    private final TransportHandler[] transports = new TransportHandler[256];
    /** The registered transports, packed: what every duty cycle polls (not 256 mostly empty slots). */
    private TransportHandler[] polled = new TransportHandler[0];
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv4HeaderWriter headers;
    private final ReceivedDatagram datagram = new ReceivedDatagram();
    /**
     * Where the IPv4 header of a datagram waiting for ARP is written. The buffer is held, not only its
     * address: a direct buffer nothing references is freed by the GC's cleaner, and the header would then
     * be written into freed C-heap memory (seen as JVM crashes at thread exit, the heap holding our SYN-ACKs).
     */
    private final UnsafeBuffer pendingHeader = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final long pendingHeaderAddress = pendingHeader.addressOffset();
    private final int netmask;
    private final int subnet;
    private final int subnetBroadcast;
    private RuntimeException lastTransportError;

    /**
     * @param config our addresses.
     * @param counters where outcomes are counted.
     * @param tx where frames are queued.
     * @param arp neighbour resolution.
     * @param icmp the ICMP handler.
     * @param pending where datagrams for a neighbour being resolved wait.
     * @param headers writes the Ethernet and IPv4 headers of what we send.
     */
    public Ipv4Layer(
        final StackConfig config,
        final StackCounters counters,
        final FrameTransmitter tx,
        final ArpLayer arp,
        final IcmpLayer icmp,
        final PendingFrames pending,
        final Ipv4HeaderWriter headers)
    {
        this.pending = pending;
        this.headers = headers;
        this.config = config;
        this.counters = counters;
        this.tx = tx;
        this.arp = arp;
        this.icmp = icmp;
        netmask = Ipv4Address.netmask(config.prefixLength());
        subnet = config.ip() & netmask;
        subnetBroadcast = subnet | ~netmask;
    }

    /**
     * Registers the handler of an IP protocol.
     *
     * @param protocol 0..255, not ICMP (1, handled by the stack).
     * @param handler the handler.
     * @throws IllegalArgumentException if the protocol is out of range or ICMP, or handler is null.
     * @throws IllegalStateException if a handler is already registered for it.
     */
    public void registerTransport(final int protocol, final TransportHandler handler)
    {
        if (protocol < 0 || protocol > 255 || protocol == Ipv4Header.PROTOCOL_ICMP || handler == null)
        {
            throw new IllegalArgumentException("cannot register transport for protocol " + protocol +
                (handler == null ? " (null handler)" : protocol == 1 ? " (ICMP belongs to the stack)" : " (must be 0..255)"));
        }
        if (transports[protocol] != null)
        {
            throw new IllegalStateException("protocol " + protocol + " already has a transport: " + transports[protocol]);
        }
        transports[protocol] = handler;
        polled = java.util.Arrays.copyOf(polled, polled.length + 1);
        polled[polled.length - 1] = handler;
    }

    /**
     * @param protocol 0..255.
     * @return its handler or null.
     */
    public TransportHandler transport(final int protocol)
    {
        return transports[protocol];
    }

    /** @return the last exception a transport threw out of onDatagram, or null. */
    public RuntimeException lastTransportError()
    {
        return lastTransportError;
    }

    /**
     * Handles the IPv4 payload of one received frame; every outcome is counted once.
     *
     * @param bufferIndex arena buffer holding the frame.
     * @param frameAddress first byte of the frame.
     * @param frameLength bytes of the frame.
     * @param ethSource the frame's source MAC.
     * @param timestampNs receive timestamp.
     * @param checksumStatus the driver's checksum status.
     * @param csumStart the driver's csum_start or -1.
     * @param csumOffset the driver's csum_offset or -1.
     * @param nowNs the duty cycle's clock.
     * @return true if a transport took ownership of the buffer.
     */
    public boolean onPacket(
        final int bufferIndex,
        final long frameAddress,
        final int frameLength,
        final long ethSource,
        final long timestampNs,
        final int checksumStatus,
        final int csumStart,
        final int csumOffset,
        final long nowNs)
    {
        final int l3Offset = EthernetFrame.PAYLOAD_OFFSET;
        final int check = ip.wrapChecked(frameAddress + l3Offset, frameLength - l3Offset);
        if (check != Ipv4Header.OK)
        {
            counters.increment(dropCounterFor(check));
            return false;
        }
        final int dst = ip.destination();
        final int src = ip.source();
        if (dst != config.ip())
        {
            counters.increment(StackCounters.IP_DROP_NOT_FOR_US);
            return false;
        }
        if (Ipv4Address.isMartianSource(src) || src == config.ip() || src == subnetBroadcast)
        {
            counters.increment(StackCounters.IP_DROP_BAD_SOURCE);
            return false;
        }
        if (ip.ttl() == 0)
        {
            counters.increment(StackCounters.IP_DROP_TTL_ZERO);
            return false;
        }
        if (ip.isFragment())
        {
            counters.increment(StackCounters.IP_DROP_FRAGMENT);
            return false;
        }
        final int headerLength = ip.headerLength();
        if (headerLength > Ipv4Header.MIN_HEADER_LENGTH)
        {
            counters.increment(StackCounters.IP_OPTIONS_SKIPPED);
        }
        final int l4Offset = l3Offset + headerLength;
        final int l4Length = ip.totalLength() - headerLength;
        final int protocol = ip.protocol();
        if (protocol == Ipv4Header.PROTOCOL_ICMP)
        {
            icmp.onMessage(ethSource, src, frameAddress + l4Offset, l4Length, nowNs);
            return false;
        }
        final TransportHandler handler = transports[protocol];
        if (handler == null)
        {
            counters.increment(StackCounters.IP_DROP_UNKNOWN_PROTOCOL);
            return false;
        }
        int checksumState = PacketRecord.CHECKSUM_NONE;
        if (protocol == Ipv4Header.PROTOCOL_TCP)
        {
            if (l4Length < TcpChecksumEstablisher.TCP_MIN_HEADER_LENGTH)
            {
                counters.increment(StackCounters.TCP_DROP_TRUNCATED);
                return false;
            }
            checksumState = TcpChecksumEstablisher.establish(
                frameAddress, l4Offset, l4Length, src, dst, checksumStatus, csumStart, csumOffset);
            switch (checksumState)
            {
                case TcpChecksumEstablisher.FAILED:
                    counters.increment(StackCounters.TCP_DROP_BAD_CHECKSUM);
                    return false;
                case TcpChecksumEstablisher.BAD_PARTIAL:
                    counters.increment(StackCounters.TCP_DROP_BAD_PARTIAL);
                    return false;
                case PacketRecord.CHECKSUM_HARDWARE_VERIFIED:
                    counters.increment(StackCounters.TCP_CHECKSUM_HARDWARE);
                    break;
                case PacketRecord.CHECKSUM_SOFTWARE_VERIFIED:
                    counters.increment(StackCounters.TCP_CHECKSUM_SOFTWARE_VERIFIED);
                    break;
                default:
                    counters.increment(StackCounters.TCP_CHECKSUM_COMPLETED);
                    break;
            }
        }
        datagram.set(bufferIndex, frameAddress, frameLength, l3Offset, l4Offset, l4Length, src, dst, protocol,
            timestampNs, checksumState);
        try
        {
            final boolean taken = handler.onDatagram(datagram, nowNs);
            counters.increment(StackCounters.IP_DELIVERED);
            return taken;
        }
        catch (final RuntimeException ex)
        {
            // A transport bug must not stop the loop for every other connection; it is counted and kept.
            lastTransportError = ex;
            counters.increment(StackCounters.RX_DROP_TRANSPORT_ERROR);
            return datagram.taken();
        }
    }

    /**
     * @param nowNs the duty cycle's clock.
     * @return the earliest {@link TransportHandler#nextWakeNs} of the registered transports.
     */
    public long nextTransportWakeNs(final long nowNs)
    {
        long wake = Long.MAX_VALUE;
        for (final TransportHandler t : polled)
        {
            wake = Math.min(wake, t.nextWakeNs(nowNs));
        }
        return wake;
    }

    /** Tells every registered transport that the stack is about to wait ({@link TransportHandler#onQuiet}). */
    public void quietTransports()
    {
        for (final TransportHandler t : polled)
        {
            t.onQuiet();
        }
    }

    /**
     * Calls every registered transport's {@link TransportHandler#poll}.
     *
     * @param nowNs the duty cycle's clock.
     * @return the summed work count.
     */
    public int pollTransports(final long nowNs)
    {
        int work = 0;
        for (final TransportHandler t : polled)
        {
            try
            {
                work += t.poll(nowNs);
            }
            catch (final RuntimeException ex)
            {
                // As in onPacket: a throwing transport (or an application callback it ran from a
                // timer) must not skip the rest of the duty cycle (the TX flush) for everyone.
                lastTransportError = ex;
                counters.increment(StackCounters.TRANSPORT_POLL_ERRORS);
                work++;
            }
        }
        return work;
    }

    @Override
    public int localIp()
    {
        return config.ip();
    }

    @Override
    public int mtu()
    {
        return config.mtu();
    }

    @Override
    public int send(final int dstIp, final int protocol, final Gather payload, final long nowNs)
    {
        final int totalLength = Ipv4Header.MIN_HEADER_LENGTH + payload.totalLength();
        if (totalLength > config.mtu() || payload.count() + 1 > tx.maxSegmentsPerFrame())
        {
            counters.increment(StackCounters.TX_TOO_BIG);
            return TOO_BIG;
        }
        final int nextHop = nextHop(dstIp);
        if (nextHop == 0)
        {
            counters.increment(StackCounters.TX_NO_ROUTE);
            return NO_ROUTE;
        }
        final long mac = arp.resolve(nextHop, nowNs);
        if (mac == NeighbourCache.NO_MAC)
        {
            // Copy the datagram to wait for the ARP reply (as Linux does), so a first SYN does not
            // wait for a 1 s RTO; only when this neighbour's share is used up does the caller retry.
            headers.writeIpHeader(pendingHeaderAddress, dstIp, protocol, payload.totalLength());
            if (pending.enqueue(nextHop, pendingHeaderAddress, payload, nowNs))
            {
                return SENT;
            }
            counters.increment(StackCounters.TX_NEIGHBOUR_PENDING);
            return NEIGHBOUR_PENDING;
        }
        final long frame = tx.beginFrame(nowNs);
        headers.writeFrameHeaders(frame, mac, dstIp, protocol, payload.totalLength());
        tx.addSegment(frame, Ipv4HeaderWriter.HEADERS_LENGTH);
        for (int i = 0, n = payload.count(); i < n; i++)
        {
            tx.addSegment(payload.address(i), payload.length(i));
        }
        return SENT;
    }

    /**
     * @param dstIp a destination.
     * @return the on-link next hop for it, or 0 if it cannot be sent to (martian, ours, broadcast,
     *         off-link without a gateway).
     */
    int nextHop(final int dstIp)
    {
        if (dstIp == config.ip() || Ipv4Address.isMartianSource(dstIp) || dstIp == subnetBroadcast)
        {
            return 0;
        }
        if ((dstIp & netmask) == subnet)
        {
            return dstIp;
        }
        return config.gateway();
    }

    private static int dropCounterFor(final int check)
    {
        switch (check)
        {
            case Ipv4Header.TRUNCATED: return StackCounters.IP_DROP_TRUNCATED;
            case Ipv4Header.BAD_VERSION: return StackCounters.IP_DROP_BAD_VERSION;
            case Ipv4Header.BAD_HEADER_LENGTH: return StackCounters.IP_DROP_BAD_HEADER_LENGTH;
            case Ipv4Header.BAD_TOTAL_LENGTH: return StackCounters.IP_DROP_BAD_TOTAL_LENGTH;
            default: return StackCounters.IP_DROP_BAD_CHECKSUM;
        }
    }
}
