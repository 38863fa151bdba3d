package io.pktstore.stack.tcp.algo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetransmissionTimerTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void initialRtoIsOneSecondRfc6298Section2_1()
    {
        assertEquals(S, RetransmissionTimer.rfc6298().rtoNs());
        assertEquals(S, RetransmissionTimer.linuxLike().rtoNs());
        assertFalse(RetransmissionTimer.rfc6298().hasRttSample());
    }

    @Test
    void firstSampleSetsSrttAndHalfRttvarSection2_2()
    {
        final RetransmissionTimer t = RetransmissionTimer.linuxLike();
        assertTrue(t.onRttSample(100 * MS, false, false));
        assertEquals(100 * MS, t.srttNs());
        assertEquals(50 * MS, t.rttvarNs());
        // RTO = SRTT + max(G, K*RTTVAR) = 100 + 200 ms
        assertEquals(300 * MS, t.rtoNs());
    }

    @Test
    void laterSamplesUseAlphaEighthBetaQuarterWithOldSrttSection2_3()
    {
        final RetransmissionTimer t = RetransmissionTimer.linuxLike();
        t.onRttSample(100 * MS, false, false);
        t.onRttSample(200 * MS, false, false);
        // RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5 ms (with the OLD srtt); SRTT = 7/8*100 + 1/8*200 = 112.5 ms
        assertEquals(62_500_000L, t.rttvarNs());
        assertEquals(112_500_000L, t.srttNs());
        assertEquals(112_500_000L + 4 * 62_500_000L, t.rtoNs());
    }

    @Test
    void rtoBelowOneSecondIsRoundedUpWithRfcMinimumSection2_4()
    {
        final RetransmissionTimer t = RetransmissionTimer.rfc6298();
        t.onRttSample(100 * MS, false, false);
        assertEquals(S, t.rtoNs(), "computed 300 ms, RFC minimum is 1 s");
    }

    @Test
    void clockGranularityBoundsTheVarianceTermSection2_2()
    {
        final RetransmissionTimer t = new RetransmissionTimer(S, MS, 60 * S, 5 * MS);
        for (int i = 0; i < 100; i++)
        {
            t.onRttSample(10 * MS, false, false);
        }
        // RTTVAR decayed to ~0, so max(G, 4*RTTVAR) = G = 5 ms
        assertEquals(10 * MS, t.srttNs());
        assertEquals(15 * MS, t.rtoNs());
    }

    @Test
    void backoffDoublesUpToTheMaximumSection5_5()
    {
        final RetransmissionTimer t = RetransmissionTimer.rfc6298();
        t.backoff();
        assertEquals(2 * S, t.rtoNs());
        t.backoff();
        assertEquals(4 * S, t.rtoNs());
        for (int i = 0; i < 10; i++)
        {
            t.backoff();
        }
        assertEquals(RetransmissionTimer.DEFAULT_MAX_RTO_NS, t.rtoNs());
        assertEquals(12, t.backoffCount());
        t.clearBackoff();
        assertEquals(S, t.rtoNs());
        assertEquals(0, t.backoffCount());
    }

    @Test
    void karnIgnoresSamplesFromRetransmittedSegmentsAndKeepsTheBackoff()
    {
        final RetransmissionTimer t = RetransmissionTimer.linuxLike();
        t.onRttSample(100 * MS, false, false);
        t.backoff();
        t.backoff();
        assertEquals(1200 * MS, t.rtoNs());
        assertFalse(t.onRttSample(5 * MS, true, false), "ambiguous sample must be rejected");
        assertEquals(1200 * MS, t.rtoNs(), "backed-off RTO kept until a valid sample");
        assertEquals(100 * MS, t.srttNs(), "SRTT untouched by the rejected sample");
    }

    @Test
    void timestampEchoSampleOfARetransmissionIsValidRfc7323()
    {
        final RetransmissionTimer t = RetransmissionTimer.linuxLike();
        t.onRttSample(100 * MS, false, false);
        t.backoff();
        assertTrue(t.onRttSample(100 * MS, true, true));
        // RTTVAR = 3/4*50 + 0 = 37.5 ms, SRTT 100 ms: RTO = 250 ms, backoff cleared
        assertEquals(250 * MS, t.rtoNs());
        assertEquals(0, t.backoffCount());
    }

    @Test
    void rtoIsThreeSecondsAfterASynTimeoutWithoutSampleSection5_7()
    {
        final RetransmissionTimer t = RetransmissionTimer.linuxLike();
        t.backoff();
        t.onEstablishedAfterSynTimeout();
        assertEquals(3 * S, t.rtoNs());

        final RetransmissionTimer measured = RetransmissionTimer.linuxLike();
        measured.onRttSample(100 * MS, false, false);
        measured.onEstablishedAfterSynTimeout();
        assertEquals(300 * MS, measured.rtoNs(), "a real sample wins over the 3 s rule");
    }

    @Test
    void timerStartsStopsAndExpiresOnTheInjectedClockSections5_1To5_3()
    {
        final RetransmissionTimer t = RetransmissionTimer.rfc6298();
        final long now = 7 * S;
        assertFalse(t.isRunning());
        assertFalse(t.isExpired(now + 100 * S));
        t.startIfStopped(now);
        assertEquals(now + S, t.deadlineNs());
        t.startIfStopped(now + 500 * MS);
        assertEquals(now + S, t.deadlineNs(), "5.1: a running timer is not restarted by sending more");
        assertFalse(t.isExpired(now + S - 1));
        assertTrue(t.isExpired(now + S));
        t.restart(now + 500 * MS);
        assertEquals(now + 1500 * MS, t.deadlineNs(), "5.3: restart on new ACK");
        t.stop();
        assertFalse(t.isExpired(now + 100 * S), "5.2: stopped timer never expires");
    }

    @Test
    void rejectsAMaximumBelowSixtySecondsSection2_5()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new RetransmissionTimer(S, S, 30 * S, MS));
        assertTrue(e.getMessage().contains("60 s"));
    }
}
