package io.pktstore.stack.tcp.algo;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynCookiesTest
{
    private static final int LOCAL_IP = 0xC612_0001;
    private static final int REMOTE_IP = 0xC612_0002;
    private static final int LOCAL_PORT = 7;
    private static final int REMOTE_PORT = 51234;
    private static final int PEER_ISN = 0xFFFF_FFF0; // SYN near the wrap
    private static final long NOW = 1_000 * SynCookies.PERIOD_NS + 5_000_000_000L;

    private final SynCookies cookies = new SynCookies(new SplittableRandom(2024));

    private int validate(final int cookie, final long nowNs)
    {
        return cookies.validate(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, cookie, nowNs);
    }

    @Test
    void roundTripsEveryMssTableEntry()
    {
        for (int i = 0; i < SynCookies.mssTableSize(); i++)
        {
            final int mss = SynCookies.mssAt(i);
            final int cookie = cookies.encode(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, mss, NOW);
            assertEquals(mss, validate(cookie, NOW), "mss " + mss);
        }
    }

    @Test
    void encodesTheLargestTableMssNotAboveThePeers()
    {
        assertEquals(1460, SynCookies.mssAt(SynCookies.mssIndex(1460)));
        assertEquals(1440, SynCookies.mssAt(SynCookies.mssIndex(1459)));
        assertEquals(1460, SynCookies.mssAt(SynCookies.mssIndex(8000)));
        assertEquals(8960, SynCookies.mssAt(SynCookies.mssIndex(65495)));
        assertEquals(536, SynCookies.mssAt(SynCookies.mssIndex(100)), "below the table: 536 as Linux");
        final int cookie = cookies.encode(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, 1459, NOW);
        assertEquals(1440, validate(cookie, NOW));
    }

    @Test
    void acceptsTheCurrentAndPreviousSlotOnly()
    {
        final long slotStart = (NOW / SynCookies.PERIOD_NS) * SynCookies.PERIOD_NS;
        final int cookie = cookies.encode(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, 1460, slotStart);
        assertEquals(1460, validate(cookie, slotStart + SynCookies.PERIOD_NS - 1), "same slot");
        assertEquals(1460, validate(cookie, slotStart + 2 * SynCookies.PERIOD_NS - 1), "previous slot");
        assertEquals(SynCookies.INVALID, validate(cookie, slotStart + 2 * SynCookies.PERIOD_NS), "two slots old");
        assertEquals(SynCookies.INVALID, validate(cookie, slotStart - 1), "from the future");
    }

    @Test
    void rejectsOtherTuplesAndPeerIsns()
    {
        final int cookie = cookies.encode(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, 1460, NOW);
        assertEquals(SynCookies.INVALID, cookies.validate(LOCAL_IP, LOCAL_PORT, REMOTE_IP + 1, REMOTE_PORT, PEER_ISN, cookie, NOW));
        assertEquals(SynCookies.INVALID, cookies.validate(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT + 1, PEER_ISN, cookie, NOW));
        assertEquals(SynCookies.INVALID, cookies.validate(LOCAL_IP, LOCAL_PORT + 1, REMOTE_IP, REMOTE_PORT, PEER_ISN, cookie, NOW));
        assertEquals(SynCookies.INVALID, cookies.validate(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN + 1, cookie, NOW));
        final SynCookies otherKey = new SynCookies(new SplittableRandom(2025));
        assertEquals(SynCookies.INVALID, otherKey.validate(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, cookie, NOW));
    }

    @Test
    void cookieIsNotMalleableIntoAnotherMss()
    {
        // Linux's additive encoding lets cookie+1 decode to the next MSS index; the MAC here covers it.
        final int cookie = cookies.encode(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, 1440, NOW);
        for (int delta = -7; delta <= 7; delta++)
        {
            if (delta != 0)
            {
                assertEquals(SynCookies.INVALID, validate(cookie + delta, NOW), "delta " + delta);
            }
        }
    }

    @Test
    void everySingleBitFlipIsRejected()
    {
        final int cookie = cookies.encode(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT, PEER_ISN, 1460, NOW);
        for (int bit = 0; bit < 32; bit++)
        {
            assertEquals(SynCookies.INVALID, validate(cookie ^ (1 << bit), NOW), "bit " + bit);
        }
    }

    @Test
    void randomForgeriesAlmostNeverPass()
    {
        final SplittableRandom random = new SplittableRandom(1);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++)
        {
            if (validate(random.nextInt(), NOW) != SynCookies.INVALID)
            {
                accepted++;
            }
        }
        // expected 200000 * (2 of 256 counter values) * 2^-21 MAC ~ 0.00075
        assertTrue(accepted <= 1, "forged cookies accepted: " + accepted);
    }

    @Test
    void windowScaleAndSackRideInTheTimestampLowBits()
    {
        final int tsNow = 0x1234_5678;
        final int ts = SynCookies.encodeTimestamp(tsNow, 7, true);
        assertTrue(Integer.compareUnsigned(ts, tsNow) <= 0, "never ahead of our clock");
        assertTrue(tsNow - ts < 64, "at most 63 ticks behind");
        assertEquals(7, SynCookies.decodeWindowScale(ts));
        assertTrue(SynCookies.decodeSackPermitted(ts));

        final int noWs = SynCookies.encodeTimestamp(tsNow, SynCookies.NO_WINDOW_SCALE, false);
        assertEquals(SynCookies.NO_WINDOW_SCALE, SynCookies.decodeWindowScale(noWs));
        assertFalse(SynCookies.decodeSackPermitted(noWs));

        // clock low bits smaller than the options: the value steps back one 64-tick period
        final int ts2 = SynCookies.encodeTimestamp(0x1000_0000, 14, true);
        assertEquals(0x1000_0000 - 64 + (14 | 16), ts2);
        assertEquals(14, SynCookies.decodeWindowScale(ts2));
    }
}
