package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.wire.TcpOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 5681 windows, RFC 6582 NewReno (duplicates without SACK blocks) and RFC 6675 SACK recovery, with
 * the send sequence space placed across the 2^32 wrap so every comparison has to be modular. (The RFC
 * 5681/6582 cases are those of the former NewRenoCongestionControl's test, in pipe terms: cwnd is no
 * longer inflated by duplicates; each duplicate takes one SMSS out of pipe instead.)
 */
class LossRecoveryTest
{
    private static final int SMSS = 1000;
    private static final int ISS = 0xFFFF_F000;

    private LossRecovery cc;
    private int sndUna;
    private int sndNxt;

    @BeforeEach
    void setUp()
    {
        cc = new LossRecovery(SMSS, false);
        cc.reset(SMSS, ISS);
        sndUna = ISS + 1;
        sndNxt = ISS + 1;
    }

    private void send(final int bytes)
    {
        sndNxt += bytes;
    }

    private int ack(final int bytes)
    {
        sndUna += bytes;
        return cc.onCumulativeAck(sndUna, bytes, sndNxt - sndUna);
    }

    /** A classic duplicate (no SACK blocks); @return true if it started recovery. */
    private boolean dupAck()
    {
        cc.onDuplicateAck(0, sndNxt - sndUna);
        return cc.enterRecoveryIfLost(sndUna, sndNxt);
    }

    /** An ACK at SND.UNA with SACK blocks (offsets from SND.UNA); @return true if it started recovery. */
    private boolean sackAck(final int... offsets)
    {
        final TcpOptions o = new TcpOptions();
        o.clear();
        for (int i = 0; i < offsets.length; i += 2)
        {
            o.addSackBlock(sndUna + offsets[i], sndUna + offsets[i + 1]);
        }
        final int newly = cc.recordSack(o, sndUna, sndNxt);
        if (newly > 0)
        {
            cc.onDuplicateAck(newly, sndNxt - sndUna);
        }
        return cc.enterRecoveryIfLost(sndUna, sndNxt);
    }

    @Test
    void initialWindowPerRfc5681Section3_1AndRfc6928()
    {
        assertEquals(4 * 536, LossRecovery.initialWindow(536, false));
        assertEquals(4 * 1095, LossRecovery.initialWindow(1095, false));
        assertEquals(3 * 1096, LossRecovery.initialWindow(1096, false));
        assertEquals(3 * 1460, LossRecovery.initialWindow(1460, false));
        assertEquals(3 * 2190, LossRecovery.initialWindow(2190, false));
        assertEquals(2 * 2191, LossRecovery.initialWindow(2191, false));
        assertEquals(14600, LossRecovery.initialWindow(1460, true));
        assertEquals(2 * 8960, LossRecovery.initialWindow(8960, true), "max(2*SMSS, 14600) caps at 2 jumbo segments");
        assertEquals(4 * SMSS, cc.cwnd());
        assertTrue(cc.inSlowStart(), "ssthresh starts arbitrarily high");
    }

    @Test
    void slowStartGrowsByAtMostOneSmssPerAck()
    {
        send(4000);
        assertEquals(LossRecovery.ACK_NORMAL, ack(1000));
        assertEquals(5000, cc.cwnd());
        assertEquals(LossRecovery.ACK_NORMAL, ack(3000));
        assertEquals(6000, cc.cwnd(), "a stretch ACK of 3 segments still adds only SMSS (RFC 5681 eq. 2)");
    }

    @Test
    void fastRetransmitOnTheThirdDuplicateAckSetsSsthreshFromFlightSize()
    {
        send(10_000);
        assertFalse(dupAck());
        assertFalse(dupAck());
        assertEquals(4000, cc.cwnd(), "first two duplicates change nothing");
        assertEquals(4000 + 2 * SMSS, cc.sendWindow(65535), "but each lets one new segment out (RFC 3042)");
        assertTrue(dupAck(), "the third starts recovery");
        assertTrue(cc.inRecovery());
        assertEquals(5000, cc.ssthresh(), "max(FlightSize/2, 2*SMSS) = max(5000, 2000)");
        assertEquals(5000, cc.cwnd(), "cwnd = ssthresh (RFC 6675 4.2: pipe, not inflation, admits segments)");
        assertEquals(sndNxt - 1, cc.recover(), "recover = highest sequence number sent (RFC 6582 3.2 step 2)");
        assertTrue(cc.takeHeadLoss(), "the first unacknowledged segment goes now (RFC 6675 4.3)");
        assertFalse(cc.takeHeadLoss(), "once");
        assertEquals(10_000 - 3 * SMSS, cc.pipe(sndUna, sndNxt), "three duplicates: three segments left the network");
        cc.resent(sndUna, sndUna + SMSS, false, sndNxt);
        assertEquals(10_000 - 3 * SMSS + SMSS, cc.pipe(sndUna, sndNxt), "the resend is in the network too");
        assertFalse(dupAck());
        assertEquals(10_000 - 4 * SMSS + SMSS, cc.pipe(sndUna, sndNxt), "each further duplicate takes one SMSS out");
    }

    @Test
    void ssthreshNeverBelowTwoSegments()
    {
        send(3000);
        dupAck();
        dupAck();
        assertTrue(dupAck());
        assertEquals(2 * SMSS, cc.ssthresh(), "max(1500, 2000)");
    }

    @Test
    void partialAcksMarkTheNextSegmentLostFirstOneRestartsTimerRfc6582Section3_2Step5()
    {
        send(10_000);
        dupAck();
        dupAck();
        dupAck();
        assertTrue(cc.takeHeadLoss());
        cc.resent(sndUna, sndUna + SMSS, false, sndNxt);
        assertEquals(LossRecovery.ACK_FIRST_PARTIAL, ack(2000));
        assertTrue(cc.inRecovery());
        assertTrue(cc.takeHeadLoss(), "the partial ACK stops at the next hole: resend it");
        cc.resent(sndUna, sndUna + SMSS, false, sndNxt);
        assertEquals(LossRecovery.ACK_PARTIAL, ack(500));
        assertFalse(cc.takeHeadLoss(), "the ACK stopped inside what was just resent: not lost again");
        assertEquals(5000, cc.cwnd(), "no growth during recovery");
    }

    @Test
    void fullAckExitsRecoveryWithBurstAvoidanceRfc6582Section3_2Step4()
    {
        send(10_000);
        dupAck();
        dupAck();
        dupAck();
        assertEquals(LossRecovery.ACK_RECOVERY_EXIT, ack(10_000));
        assertFalse(cc.inRecovery());
        assertEquals(2 * SMSS, cc.cwnd(), "min(ssthresh 5000, max(FlightSize 0, SMSS) + SMSS)");
    }

    @Test
    void fullAckWithDataStillInFlightSetsCwndToSsthresh()
    {
        send(10_000);
        dupAck();
        dupAck();
        dupAck();
        final int recoverPoint = sndNxt;
        send(8000); // new data sent during recovery as pipe allowed
        sndUna = recoverPoint;
        assertEquals(LossRecovery.ACK_RECOVERY_EXIT, cc.onCumulativeAck(sndUna, 10_000, sndNxt - sndUna));
        assertEquals(5000, cc.cwnd(), "min(5000, max(8000, 1000) + 1000)");
    }

    @Test
    void duplicatesNotCoveringRecoverDoNotStartAnotherRecoveryRfc6582Section3_2Step1()
    {
        send(10_000);
        cc.onRetransmissionTimeout(10_000, sndNxt, false);
        assertEquals(sndNxt - 1, cc.recover());
        // go-back-N: the ACKs of the old window arrive as duplicates at an ACK <= recover
        assertFalse(dupAck());
        assertFalse(dupAck());
        assertFalse(dupAck(), "ACK does not cover more than recover: no fast retransmit");
        assertFalse(cc.inRecovery());
        // once the ACK passes recover, three duplicates trigger again
        ack(10_000);
        send(5000);
        dupAck();
        dupAck();
        assertTrue(dupAck());
    }

    @Test
    void timeoutCollapsesToLossWindowAndHoldsSsthreshOnRepeatsRfc5681Section3_1()
    {
        send(20_000);
        cc.onRetransmissionTimeout(20_000, sndNxt, false);
        assertEquals(SMSS, cc.cwnd(), "loss window = 1 SMSS");
        assertEquals(10_000, cc.ssthresh());
        cc.onRetransmissionTimeout(20_000 / 4, sndNxt, true);
        assertEquals(10_000, cc.ssthresh(), "a repeated timeout for the same data keeps ssthresh");
        assertEquals(SMSS, cc.cwnd());
    }

    @Test
    void timeoutDuringFastRecoveryAbandonsIt()
    {
        send(10_000);
        dupAck();
        dupAck();
        dupAck();
        cc.onRetransmissionTimeout(10_000, sndNxt, false);
        assertFalse(cc.inRecovery());
        assertEquals(SMSS, cc.cwnd());
        assertEquals(0, cc.duplicateAcks());
        assertFalse(cc.takeHeadLoss());
    }

    @Test
    void congestionAvoidanceAddsOneSmssPerWindowOfAckedBytes()
    {
        send(20_000);
        cc.onRetransmissionTimeout(20_000, sndNxt, false); // ssthresh 10000, cwnd 1000
        sndNxt = sndUna; // go back N
        send(40_000);
        for (int i = 0; i < 9; i++)
        {
            ack(SMSS);
        }
        assertEquals(10_000, cc.cwnd(), "slow start up to ssthresh");
        assertFalse(cc.inSlowStart());
        for (int i = 0; i < 9; i++)
        {
            ack(SMSS);
            assertEquals(10_000, cc.cwnd(), "no growth before a whole cwnd is acknowledged");
        }
        ack(SMSS);
        assertEquals(11_000, cc.cwnd(), "+SMSS after cwnd bytes acknowledged (byte counting)");
    }

    @Test
    void restartAfterIdleReducesToTheInitialWindowRfc5681Section4_1()
    {
        send(8000);
        ack(1000);
        ack(1000);
        ack(1000);
        assertEquals(7000, cc.cwnd());
        cc.onIdleRestart();
        assertEquals(4000, cc.cwnd());
    }

    @Test
    void sendWindowIsTheSmallerOfCwndAndPeerWindow()
    {
        assertEquals(4000, cc.sendWindow(65535));
        assertEquals(1500, cc.sendWindow(1500));
    }

    @Test
    void rejectsNonPositiveSmss()
    {
        assertThrows(IllegalArgumentException.class, () -> new LossRecovery(0, false));
    }

    // ---------------------------------------------------------------- RFC 6675

    @Test
    void oneAckSackingThreeSegmentsAboveAHoleStartsRecoveryAtOnce()
    {
        send(10 * SMSS);
        // Segment 0 lost, 1..3 arrived: one ACK (say the others were lost) SACKs 3 segments.
        assertTrue(sackAck(SMSS, 4 * SMSS), "IsLost(HighACK + 1): more than 2 SMSS SACKed above (RFC 6675 5 step 2)");
        assertEquals(1, cc.duplicateAcks());
    }

    @Test
    void threeSackDuplicatesForSingleSegmentsStartRecovery()
    {
        send(10 * SMSS);
        assertFalse(sackAck(SMSS, 2 * SMSS));
        assertFalse(sackAck(SMSS, 3 * SMSS), "2 SMSS SACKed above: not yet lost");
        assertFalse(sackAck(SMSS, 3 * SMSS), "no new SACK information: not a duplicate (RFC 6675 2)");
        assertEquals(2, cc.duplicateAcks());
        assertTrue(sackAck(SMSS, 4 * SMSS));
    }

    @Test
    void nextSegWalksEveryLostHoleOnceThenNewDataThenTheRescue()
    {
        send(12 * SMSS);
        // Holes at segments 0, 2, 5 and 9 (the last one with too little SACKed above it to count as lost).
        assertTrue(sackAck(SMSS, 2 * SMSS, 3 * SMSS, 5 * SMSS, 6 * SMSS, 9 * SMSS, 10 * SMSS, 12 * SMSS));
        assertTrue(cc.takeHeadLoss());
        cc.resent(sndUna, cc.segmentEnd(sndUna, sndNxt), false, sndNxt);
        assertEquals(sndUna + 2 * SMSS, cc.nextLost(sndUna), "rule 1: the next lost hole above HighRxt");
        assertEquals(sndUna + 3 * SMSS, cc.segmentEnd(sndUna + 2 * SMSS, sndNxt), "up to the SACKed data");
        cc.resent(sndUna + 2 * SMSS, sndUna + 3 * SMSS, false, sndNxt);
        assertEquals(sndUna + 5 * SMSS, cc.nextLost(sndUna));
        cc.resent(sndUna + 5 * SMSS, sndUna + 6 * SMSS, false, sndNxt);
        assertEquals(LossRecovery.NONE, cc.nextLost(sndUna),
            "segment 9 has only 2 SMSS SACKed above it in one range: not lost (IsLost)");
        assertEquals(sndUna + 9 * SMSS, cc.rescue(sndUna, sndNxt), "rule 4: the highest unSACKed segment, once");
        cc.resent(sndUna + 9 * SMSS, sndUna + 10 * SMSS, true, sndNxt);
        assertEquals(LossRecovery.NONE, cc.rescue(sndUna, sndNxt));
        // pipe: 3 SACK ranges above every hole below segment 9 -> lost; segment 9 in flight; 3 resends.
        assertEquals(SMSS + 3 * SMSS, cc.pipe(sndUna, sndNxt));
    }

    @Test
    void renegingIsSeenAtTheAckAndClearsTheScoreboardAtTheTimeout()
    {
        send(6 * SMSS);
        sackAck(2 * SMSS, 4 * SMSS);
        assertFalse(cc.renegingSuspected());
        ack(SMSS);
        assertFalse(cc.renegingSuspected(), "a hole remains below the SACKed data");
        ack(SMSS);
        assertTrue(cc.renegingSuspected(), "the ACK stopped where SACKed data begins: the peer dropped it");
        assertTrue(cc.onRetransmissionTimeout(4 * SMSS, sndNxt, false), "RFC 2018 8: SACK marks cleared");
        assertTrue(cc.sacked.isEmpty());
        assertFalse(cc.onRetransmissionTimeout(4 * SMSS, sndNxt, true));
    }

    @Test
    void sackAccountingAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final TcpOptions o = new TcpOptions();
        long sink = 0;
        for (int round = 0; round < 2; round++)
        {
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 200_000; i++)
            {
                cc.reset(SMSS, i * 100_000);
                final int una = i * 100_000 + 1;
                o.clear();
                o.addSackBlock(una + SMSS, una + 2 * SMSS);
                o.addSackBlock(una + 3 * SMSS, una + 5 * SMSS);
                cc.onDuplicateAck(cc.recordSack(o, una, una + 20 * SMSS), 20 * SMSS);
                if (cc.enterRecoveryIfLost(una, una + 20 * SMSS))
                {
                    sink += cc.pipe(una, una + 20 * SMSS) + cc.nextLost(una) + cc.rescue(una, una + 20 * SMSS);
                }
                sink += cc.onCumulativeAck(una + SMSS, SMSS, 19 * SMSS);
            }
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 1)
            {
                // Anything allocated per operation would be >= 16 B x 200,000; the JIT may allocate a little.
                assertTrue(allocated < 2_000, "allocated " + allocated + " B over 200,000 ACKs (sink " + sink + ")");
            }
        }
    }
}
