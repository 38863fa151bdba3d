package io.pktstore.stack.tcp.algo;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pktstore.stack.tcp.algo.NewRenoCongestionControl.FAST_RETRANSMIT;
import static io.pktstore.stack.tcp.algo.NewRenoCongestionControl.NONE;
import static io.pktstore.stack.tcp.algo.NewRenoCongestionControl.RECOVERY_EXIT;
import static io.pktstore.stack.tcp.algo.NewRenoCongestionControl.RETRANSMIT_FIRST_UNACKED;
import static io.pktstore.stack.tcp.algo.NewRenoCongestionControl.RETRANSMIT_FIRST_UNACKED_RESTART_TIMER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 5681 / RFC 6582 behaviour, with the send sequence space placed across the 2^32 wrap so
 * every comparison has to be modular.
 */
class NewRenoCongestionControlTest
{
    private static final int SMSS = 1000;
    private static final int ISS = 0xFFFF_F000;

    private NewRenoCongestionControl cc;
    private int sndUna;
    private int sndNxt;

    @BeforeEach
    void setUp()
    {
        cc = new NewRenoCongestionControl(SMSS, ISS, false);
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
        return cc.onAck(sndUna, bytes, sndNxt - sndUna);
    }

    private int dupAck()
    {
        return cc.onDuplicateAck(sndUna, sndNxt, sndNxt - sndUna);
    }

    @Test
    void initialWindowPerRfc5681Section3_1AndRfc6928()
    {
        assertEquals(4 * 536, NewRenoCongestionControl.initialWindow(536, false));
        assertEquals(4 * 1095, NewRenoCongestionControl.initialWindow(1095, false));
        assertEquals(3 * 1096, NewRenoCongestionControl.initialWindow(1096, false));
        assertEquals(3 * 1460, NewRenoCongestionControl.initialWindow(1460, false));
        assertEquals(3 * 2190, NewRenoCongestionControl.initialWindow(2190, false));
        assertEquals(2 * 2191, NewRenoCongestionControl.initialWindow(2191, false));
        assertEquals(14600, NewRenoCongestionControl.initialWindow(1460, true));
        assertEquals(2 * 8960, NewRenoCongestionControl.initialWindow(8960, true), "max(2*SMSS, 14600) caps at 2 jumbo segments");
        assertEquals(4 * SMSS, cc.cwnd());
        assertTrue(cc.inSlowStart(), "ssthresh starts arbitrarily high");
    }

    @Test
    void slowStartGrowsByAtMostOneSmssPerAck()
    {
        send(4000);
        assertEquals(NONE, ack(1000));
        assertEquals(5000, cc.cwnd());
        assertEquals(NONE, ack(3000));
        assertEquals(6000, cc.cwnd(), "a stretch ACK of 3 segments still adds only SMSS (RFC 5681 eq. 2)");
    }

    @Test
    void fastRetransmitOnTheThirdDuplicateAckSetsSsthreshFromFlightSize()
    {
        send(10_000);
        assertEquals(NONE, dupAck());
        assertEquals(NONE, dupAck());
        assertEquals(4000, cc.cwnd(), "first two duplicates change nothing");
        assertEquals(FAST_RETRANSMIT, dupAck());
        assertTrue(cc.inRecovery());
        assertEquals(5000, cc.ssthresh(), "max(FlightSize/2, 2*SMSS) = max(5000, 2000)");
        assertEquals(5000 + 3 * SMSS, cc.cwnd(), "cwnd = ssthresh + 3*SMSS (RFC 5681 3.2 step 4)");
        assertEquals(sndNxt - 1, cc.recover(), "recover = highest sequence number sent (RFC 6582 3.2 step 2)");
        assertEquals(NONE, dupAck());
        assertEquals(9000, cc.cwnd(), "each further duplicate inflates by SMSS");
    }

    @Test
    void ssthreshNeverBelowTwoSegments()
    {
        send(3000);
        dupAck();
        dupAck();
        assertEquals(FAST_RETRANSMIT, dupAck());
        assertEquals(2 * SMSS, cc.ssthresh(), "max(1500, 2000)");
    }

    @Test
    void partialAcksRetransmitAndDeflateFirstOneRestartsTimerRfc6582Section3_2Step5()
    {
        send(10_000);
        dupAck();
        dupAck();
        dupAck();
        dupAck(); // cwnd 9000
        assertEquals(RETRANSMIT_FIRST_UNACKED_RESTART_TIMER, ack(2000));
        assertEquals(9000 - 2000 + SMSS, cc.cwnd(), "deflate by 2000 acked, add back SMSS as >= SMSS was acked");
        assertTrue(cc.inRecovery());
        assertEquals(RETRANSMIT_FIRST_UNACKED, ack(500));
        assertEquals(8000 - 500, cc.cwnd(), "less than SMSS acked: no add-back");
        assertEquals(NONE, dupAck());
        assertEquals(8500, cc.cwnd(), "duplicates after a partial ACK still inflate");
    }

    @Test
    void fullAckExitsRecoveryWithBurstAvoidanceRfc6582Section3_2Step4()
    {
        send(10_000);
        dupAck();
        dupAck();
        dupAck();
        assertEquals(RECOVERY_EXIT, ack(10_000));
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
        send(8000); // new data sent during recovery thanks to inflation
        sndUna = recoverPoint;
        assertEquals(RECOVERY_EXIT, cc.onAck(sndUna, 10_000, sndNxt - sndUna));
        assertEquals(5000, cc.cwnd(), "min(5000, max(8000, 1000) + 1000)");
    }

    @Test
    void duplicatesNotCoveringRecoverDoNotStartAnotherFastRetransmitRfc6582Section3_2Step1()
    {
        send(10_000);
        cc.onRetransmissionTimeout(10_000, sndNxt, false);
        assertEquals(sndNxt - 1, cc.recover());
        // go-back-N: the ACKs of the old window arrive as duplicates at an ACK <= recover
        assertEquals(NONE, dupAck());
        assertEquals(NONE, dupAck());
        assertEquals(NONE, dupAck(), "ACK does not cover more than recover: no fast retransmit");
        assertFalse(cc.inRecovery());
        // once the ACK passes recover, three duplicates trigger again
        ack(10_000);
        send(5000);
        dupAck();
        dupAck();
        assertEquals(FAST_RETRANSMIT, dupAck());
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
        assertThrows(IllegalArgumentException.class, () -> new NewRenoCongestionControl(0, 0, false));
    }
}
