package io.pktstore.stack.ip;

import io.pktstore.stack.StackConfig;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.wire.ArpPacket;
import io.pktstore.stack.wire.EthernetFrame;
import io.pktstore.stack.wire.MacAddress;

/**
 * ARP for our one address (RFC 826, with RFC 5227's announcement):
 * <ul>
 *   <li>answers requests for our IP, learning ("gleaning") the requester;</li>
 *   <li>merges senders already in the cache from any ARP packet (RFC 826's merge flag);</li>
 *   <li>resolves neighbours on demand: {@link #resolve} sends a broadcast request at most once per
 *       retry interval; after {@code arpMaxRequests} unanswered ones it counts a failure and starts
 *       over. A learned MAC is used for the neighbour TTL; after that it is still used while a
 *       re-confirming request is outstanding (as Linux's STALE/PROBE), so a busy TCP flow is not
 *       stalled every TTL, and forgotten if nobody answers;</li>
 *   <li>announces our address once at start (gratuitous request, sender = target = our IP).</li>
 * </ul>
 */
public final class ArpLayer
{
    private final StackConfig config;
    private final StackCounters counters;
    private final FrameTransmitter tx;
    private final NeighbourCache cache;
    private final PendingFrames pending;
    private final ArpPacket arp = new ArpPacket();
    private final ArpPacket out = new ArpPacket();
    private final EthernetFrame outFrame = new EthernetFrame();

    /**
     * @param config our addresses and ARP timing.
     * @param counters where events are counted.
     * @param tx where ARP frames are queued.
     * @param cache the neighbour table.
     * @param pending datagrams waiting for a neighbour, released when its MAC is learned.
     */
    public ArpLayer(
        final StackConfig config,
        final StackCounters counters,
        final FrameTransmitter tx,
        final NeighbourCache cache,
        final PendingFrames pending)
    {
        this.config = config;
        this.counters = counters;
        this.tx = tx;
        this.cache = cache;
        this.pending = pending;
    }

    /** @return the neighbour table. */
    public NeighbourCache cache()
    {
        return cache;
    }

    /**
     * Processes a received ARP packet. Every outcome is counted exactly once.
     *
     * @param ethSource the Ethernet source MAC of the frame.
     * @param address first byte of the ARP packet.
     * @param length bytes from there to the end of the frame.
     * @param nowNs the duty cycle's clock.
     */
    public void onPacket(final long ethSource, final long address, final int length, final long nowNs)
    {
        final int check = arp.wrapChecked(address, length);
        if (check != ArpPacket.OK)
        {
            counters.increment(check == ArpPacket.TRUNCATED ? StackCounters.ARP_DROP_TRUNCATED :
                check == ArpPacket.UNSUPPORTED ? StackCounters.ARP_DROP_UNSUPPORTED : StackCounters.ARP_DROP_BAD_OPERATION);
            return;
        }
        final long senderMac = arp.senderMac();
        final int senderIp = arp.senderIp();
        if (senderMac == MacAddress.ZERO || MacAddress.isMulticast(senderMac) || senderMac != ethSource)
        {
            counters.increment(StackCounters.ARP_DROP_BAD_SENDER);
            return;
        }
        if (senderIp == config.ip())
        {
            // Someone else uses (or probes for) our address: never learn it; RFC 5227 conflict.
            counters.increment(StackCounters.ARP_DROP_ADDRESS_CONFLICT);
            return;
        }
        final boolean forUs = arp.targetIp() == config.ip();
        // sender IP 0.0.0.0 is an RFC 5227 probe: nothing to learn.
        if (senderIp != 0)
        {
            int slot = cache.slot(senderIp);
            if (slot < 0 && forUs)
            {
                slot = cache.getOrAdd(senderIp, nowNs);
                if (cache.lastAddEvicted())
                {
                    counters.increment(StackCounters.ARP_CACHE_EVICTIONS);
                }
            }
            if (slot >= 0)
            {
                cache.confirm(slot, senderMac, nowNs);
                pending.release(senderIp, senderMac, nowNs);
            }
        }
        if (!forUs)
        {
            counters.increment(StackCounters.ARP_NOT_FOR_US);
            return;
        }
        counters.increment(StackCounters.ARP_RECEIVED_OK);
        if (arp.operation() == ArpPacket.OP_REQUEST)
        {
            send(ArpPacket.OP_REPLY, senderMac, senderMac, senderIp, nowNs);
            counters.increment(StackCounters.ARP_REPLIES_SENT);
        }
    }

    /**
     * The MAC to send to {@code nextHop}, requesting it when unknown (rate-limited).
     *
     * @param nextHop the on-link address.
     * @param nowNs the duty cycle's clock.
     * @return the MAC, or {@link NeighbourCache#NO_MAC} while resolution is pending.
     */
    public long resolve(final int nextHop, final long nowNs)
    {
        final int slot = cache.getOrAdd(nextHop, nowNs);
        if (cache.lastAddEvicted())
        {
            counters.increment(StackCounters.ARP_CACHE_EVICTIONS);
        }
        final long mac = cache.mac(slot);
        final long ttl = config.neighbourTtlNs();
        if (mac != NeighbourCache.NO_MAC && nowNs - cache.confirmedNs(slot) < ttl)
        {
            return mac;
        }
        final int requests = cache.requests(slot);
        final boolean due = requests == 0 || nowNs - cache.lastRequestNs(slot) >= config.arpRetryIntervalNs();
        if (due && requests >= config.arpMaxRequests())
        {
            // The last request went unanswered for a full interval: give up on this MAC, start over.
            counters.increment(StackCounters.ARP_RESOLVE_FAILURES);
            cache.invalidate(slot);
            request(slot, nextHop, nowNs);
            return NeighbourCache.NO_MAC;
        }
        if (due)
        {
            request(slot, nextHop, nowNs);
        }
        return mac; // a stale MAC is still used while it is being re-confirmed
    }

    /**
     * Sends the gratuitous announcement of our address (a broadcast request with sender and
     * target IP both ours), so neighbours update caches that hold an old MAC for it.
     *
     * @param nowNs the duty cycle's clock.
     */
    public void announce(final long nowNs)
    {
        send(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, MacAddress.ZERO, config.ip(), nowNs);
        counters.increment(StackCounters.ARP_ANNOUNCEMENTS_SENT);
    }

    private void request(final int slot, final int ip, final long nowNs)
    {
        send(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, MacAddress.ZERO, ip, nowNs);
        cache.requestSent(slot, nowNs);
        counters.increment(StackCounters.ARP_REQUESTS_SENT);
    }

    private void send(final int operation, final long ethDestination, final long targetMac, final int targetIp, final long nowNs)
    {
        final long frame = tx.beginFrame(nowNs);
        outFrame.wrap(frame, EthernetFrame.MIN_FRAME_LENGTH)
            .destination(ethDestination)
            .source(config.mac())
            .etherType(EthernetFrame.TYPE_ARP);
        out.wrapForWrite(frame + EthernetFrame.PAYLOAD_OFFSET, operation)
            .senderMac(config.mac())
            .senderIp(config.ip())
            .targetMac(targetMac)
            .targetIp(targetIp);
        // The scratch is zeroed by beginFrame, so the 18 bytes after the ARP packet are the padding.
        tx.addSegment(frame, EthernetFrame.MIN_FRAME_LENGTH);
    }
}
