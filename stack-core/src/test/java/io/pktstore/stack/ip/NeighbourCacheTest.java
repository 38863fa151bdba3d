package io.pktstore.stack.ip;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighbourCacheTest
{
    @Test
    void fullCacheEvictsTheEntryTouchedLongestAgo()
    {
        final NeighbourCache cache = new NeighbourCache(3);
        final int a = cache.getOrAdd(1, 100);
        cache.getOrAdd(2, 200);
        cache.getOrAdd(3, 300);
        cache.confirm(a, 0xAAL, 400); // touching 1 makes 2 the oldest
        assertFalse(cache.lastAddEvicted());
        cache.getOrAdd(4, 500);
        assertTrue(cache.lastAddEvicted());
        assertEquals(3, cache.size());
        assertEquals(-1, cache.slot(2));
        assertTrue(cache.slot(1) >= 0 && cache.slot(3) >= 0 && cache.slot(4) >= 0);
        assertEquals(0xAAL, cache.mac(cache.slot(1)));
        assertEquals(NeighbourCache.NO_MAC, cache.mac(cache.slot(4)), "new entries start without a MAC");
    }

    @Test
    void requestsAreCountedUntilConfirmedAndInvalidateForgetsTheMac()
    {
        final NeighbourCache cache = new NeighbourCache(4);
        final int s = cache.getOrAdd(7, 0);
        cache.requestSent(s, 10);
        cache.requestSent(s, 20);
        assertEquals(2, cache.requests(s));
        assertEquals(20, cache.lastRequestNs(s));
        cache.confirm(s, 0x0200_0000_0007L, 30);
        assertEquals(0, cache.requests(s));
        assertEquals(30, cache.confirmedNs(s));
        cache.invalidate(s);
        assertEquals(NeighbourCache.NO_MAC, cache.mac(s));
        cache.remove(7);
        assertEquals(-1, cache.slot(7));
        assertEquals(0, cache.size());
        for (int ip = 100; ip < 104; ip++)
        {
            cache.getOrAdd(ip, ip);
        }
        assertEquals(4, cache.size(), "a removed slot is reused");
        assertFalse(cache.lastAddEvicted());
    }
}
