package io.pktstore.stack.ip;

import org.agrona.collections.Int2IntHashMap;

/**
 * The ARP neighbour table: IPv4 address -&gt; MAC with timing, in pre-sized primitive arrays (no
 * allocation after construction, no boxing). Time is injected: every method takes {@code nowNs}.
 *
 * <p>An entry is either RESOLVED (MAC known, confirmed at {@code confirmedNs}) or INCOMPLETE (a
 * request is outstanding). The ARP layer decides when to request; this class only stores. When
 * full, adding evicts the entry touched longest ago.
 */
public final class NeighbourCache
{
    /** {@link #mac} result for an address with no usable MAC. */
    public static final long NO_MAC = -1L;

    private final Int2IntHashMap slotByIp;
    private final int[] ips;
    private final long[] macs;
    private final long[] confirmedNs;
    private final long[] lastRequestNs;
    private final int[] requests;
    private final long[] touchedNs;
    private final int[] freeSlots;
    private int freeCount;
    private boolean lastAddEvicted;

    /**
     * @param capacity most entries held.
     */
    public NeighbourCache(final int capacity)
    {
        slotByIp = new Int2IntHashMap(capacity * 2, 0.65f, -1);
        ips = new int[capacity];
        macs = new long[capacity];
        confirmedNs = new long[capacity];
        lastRequestNs = new long[capacity];
        requests = new int[capacity];
        touchedNs = new long[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** @return entries held. */
    public int size()
    {
        return ips.length - freeCount;
    }

    /** @return the capacity. */
    public int capacity()
    {
        return ips.length;
    }

    /**
     * @param ip an address.
     * @return its slot, or -1 if absent.
     */
    public int slot(final int ip)
    {
        return slotByIp.get(ip);
    }

    /**
     * Finds or creates the entry for {@code ip} (created INCOMPLETE, no requests yet).
     *
     * @param ip the address.
     * @param nowNs the clock.
     * @return its slot; {@link #lastAddEvicted()} says whether another entry had to make room.
     */
    public int getOrAdd(final int ip, final long nowNs)
    {
        int slot = slotByIp.get(ip);
        if (slot >= 0)
        {
            touchedNs[slot] = nowNs;
            return slot;
        }
        lastAddEvicted = false;
        if (freeCount == 0)
        {
            evictOldest();
            lastAddEvicted = true;
        }
        slot = freeSlots[--freeCount];
        ips[slot] = ip;
        macs[slot] = NO_MAC;
        confirmedNs[slot] = 0;
        lastRequestNs[slot] = 0;
        requests[slot] = 0;
        touchedNs[slot] = nowNs;
        slotByIp.put(ip, slot);
        return slot;
    }

    /** @return true if the last {@link #getOrAdd} that created an entry had to evict another. */
    public boolean lastAddEvicted()
    {
        return lastAddEvicted;
    }

    /**
     * Records a confirmed MAC for an existing slot (clears the request count).
     *
     * @param slot a slot.
     * @param mac the MAC.
     * @param nowNs the clock.
     */
    public void confirm(final int slot, final long mac, final long nowNs)
    {
        macs[slot] = mac;
        confirmedNs[slot] = nowNs;
        touchedNs[slot] = nowNs;
        requests[slot] = 0;
    }

    /**
     * Notes that a request was sent for a slot.
     *
     * @param slot a slot.
     * @param nowNs the clock.
     */
    public void requestSent(final int slot, final long nowNs)
    {
        lastRequestNs[slot] = nowNs;
        requests[slot]++;
    }

    /**
     * Forgets a slot's MAC and request history (after giving up); the entry stays INCOMPLETE.
     *
     * @param slot a slot.
     */
    public void invalidate(final int slot)
    {
        macs[slot] = NO_MAC;
        requests[slot] = 0;
    }

    /**
     * Removes the entry for {@code ip} if present.
     *
     * @param ip the address.
     */
    public void remove(final int ip)
    {
        final int slot = slotByIp.remove(ip);
        if (slot >= 0)
        {
            freeSlots[freeCount++] = slot;
        }
    }

    /**
     * @param slot a slot.
     * @return its MAC or {@link #NO_MAC}.
     */
    public long mac(final int slot)
    {
        return macs[slot];
    }

    /**
     * @param slot a slot.
     * @return when its MAC was last confirmed.
     */
    public long confirmedNs(final int slot)
    {
        return confirmedNs[slot];
    }

    /**
     * @param slot a slot.
     * @return when the last request for it was sent.
     */
    public long lastRequestNs(final int slot)
    {
        return lastRequestNs[slot];
    }

    /**
     * @param slot a slot.
     * @return requests sent since the last confirmation.
     */
    public int requests(final int slot)
    {
        return requests[slot];
    }

    /**
     * @param slot a slot.
     * @return its address.
     */
    public int ip(final int slot)
    {
        return ips[slot];
    }

    private void evictOldest()
    {
        int oldest = -1;
        long oldestNs = Long.MAX_VALUE;
        for (int i = 0; i < ips.length; i++)
        {
            if (slotByIp.get(ips[i]) == i && (oldest < 0 || touchedNs[i] < oldestNs))
            {
                oldestNs = touchedNs[i];
                oldest = i;
            }
        }
        remove(ips[oldest]);
    }
}
