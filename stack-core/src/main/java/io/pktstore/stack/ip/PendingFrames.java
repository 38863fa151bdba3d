package io.pktstore.stack.ip;

import io.pktstore.stack.StackCounters;
import io.pktstore.stack.wire.EthernetFrame;
import io.pktstore.stack.wire.Ipv4Header;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Datagrams waiting for their next hop's MAC (Linux's per-neighbour "unresolved queue"): without
 * it, the first segment to a new neighbour (a SYN, typically) would wait for TCP's 1 s RTO. A
 * datagram is copied here (off the hot path: only while a neighbour is unresolved) into one of a
 * fixed set of off-heap slots, at most {@link #PER_NEIGHBOUR} per neighbour; when ARP learns the
 * MAC the frames are queued for transmission, and they are dropped (counted) if they wait longer
 * than the resolution timeout.
 *
 * <p>Slot memory: {@code [Ethernet header (filled on release)][IPv4 header][payload]}. A released
 * slot is in the TX burst until the end-of-cycle flush, so it is freed only by {@link #onFlushed()}.
 */
public final class PendingFrames
{
    /** Most datagrams queued for one unresolved neighbour. */
    public static final int PER_NEIGHBOUR = 3;

    private static final int FREE = 0;
    private static final int QUEUED = 1;
    private static final int SENDING = 2;

    private final FrameTransmitter tx;
    private final StackCounters counters;
    private final long ourMac;
    private final long timeoutNs;
    private final int slotSize;
    private final long base;
    private final int[] state;
    private final int[] nextHop;
    private final int[] frameLength;
    private final long[] queuedNs;
    private final EthernetFrame frame = new EthernetFrame();
    /** Keeps the slot memory reachable so its address stays valid. */
    private final UnsafeBuffer memoryKeepAlive;
    private int queued;
    private int sending;

    /**
     * @param slots total slots.
     * @param mtu the IP MTU (a slot holds an Ethernet header plus this).
     * @param ourMac our MAC (Ethernet source of released frames).
     * @param timeoutNs how long a datagram may wait for resolution.
     * @param tx where released frames are queued.
     * @param counters where events are counted.
     */
    public PendingFrames(
        final int slots, final int mtu, final long ourMac, final long timeoutNs, final FrameTransmitter tx, final StackCounters counters)
    {
        this.tx = tx;
        this.counters = counters;
        this.ourMac = ourMac;
        this.timeoutNs = timeoutNs;
        slotSize = (EthernetFrame.HEADER_LENGTH + mtu + 63) & ~63;
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(slots * slotSize, 64));
        memoryKeepAlive = memory;
        base = memory.addressOffset();
        state = new int[slots];
        nextHop = new int[slots];
        frameLength = new int[slots];
        queuedNs = new long[slots];
    }

    /**
     * Copies a datagram (IPv4 header already written at {@code ipHeader}) to wait for {@code hop}.
     *
     * @param hop the unresolved next hop.
     * @param ipHeader address of the 20-byte IPv4 header.
     * @param payload the payload pieces (copied now).
     * @param nowNs the duty cycle's clock.
     * @return true if queued; false if this neighbour's share or all slots are in use.
     */
    public boolean enqueue(final int hop, final long ipHeader, final Gather payload, final long nowNs)
    {
        int free = -1;
        int forHop = 0;
        for (int i = 0; i < state.length; i++)
        {
            if (state[i] == QUEUED && nextHop[i] == hop)
            {
                forHop++;
            }
            else if (state[i] == FREE && free < 0)
            {
                free = i;
            }
        }
        if (free < 0 || forHop >= PER_NEIGHBOUR)
        {
            return false;
        }
        final long slot = base + (long)free * slotSize;
        long at = slot + EthernetFrame.HEADER_LENGTH;
        UnsafeApi.copyMemory(ipHeader, at, Ipv4Header.MIN_HEADER_LENGTH);
        at += Ipv4Header.MIN_HEADER_LENGTH;
        for (int i = 0, n = payload.count(); i < n; i++)
        {
            UnsafeApi.copyMemory(payload.address(i), at, payload.length(i));
            at += payload.length(i);
        }
        state[free] = QUEUED;
        nextHop[free] = hop;
        frameLength[free] = (int)(at - slot);
        queuedNs[free] = nowNs;
        queued++;
        counters.increment(StackCounters.ARP_QUEUED);
        return true;
    }

    /**
     * The neighbour's MAC is known: queue its waiting datagrams for transmission, in order.
     *
     * @param hop the neighbour.
     * @param mac its MAC.
     * @param nowNs the duty cycle's clock.
     */
    public void release(final int hop, final long mac, final long nowNs)
    {
        if (queued == 0)
        {
            return;
        }
        while (true)
        {
            int oldest = -1;
            for (int i = 0; i < state.length; i++)
            {
                if (state[i] == QUEUED && nextHop[i] == hop && (oldest < 0 || queuedNs[i] - queuedNs[oldest] < 0))
                {
                    oldest = i;
                }
            }
            if (oldest < 0)
            {
                return;
            }
            final long slot = base + (long)oldest * slotSize;
            frame.wrap(slot, EthernetFrame.HEADER_LENGTH).destination(mac).source(ourMac).etherType(EthernetFrame.TYPE_IPV4);
            tx.beginFrame(nowNs);
            tx.addSegment(slot, frameLength[oldest]);
            state[oldest] = SENDING;
            queued--;
            sending++;
            counters.increment(StackCounters.ARP_QUEUE_SENT);
        }
    }

    /**
     * Drops datagrams that waited longer than the timeout.
     *
     * @param nowNs the duty cycle's clock.
     */
    public void expire(final long nowNs)
    {
        if (queued == 0)
        {
            return;
        }
        for (int i = 0; i < state.length; i++)
        {
            if (state[i] == QUEUED && nowNs - queuedNs[i] >= timeoutNs)
            {
                state[i] = FREE;
                queued--;
                counters.increment(StackCounters.ARP_QUEUE_DROPS);
            }
        }
    }

    /** Called after the end-of-cycle TX flush: slots released this cycle are free again. */
    public void onFlushed()
    {
        if (sending == 0)
        {
            return;
        }
        for (int i = 0; i < state.length; i++)
        {
            if (state[i] == SENDING)
            {
                state[i] = FREE;
            }
        }
        sending = 0;
    }

    /** @return datagrams waiting for resolution. */
    public int queued()
    {
        return queued;
    }
}
