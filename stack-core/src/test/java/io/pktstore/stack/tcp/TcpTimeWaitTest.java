package io.pktstore.stack.tcp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.FIN;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new SYN for a 4-tuple we hold in TIME_WAIT (we closed first): RFC 6191 / RFC 9293 3.10.7.4, as
 * Linux's tcp_timewait_state_process. A SYN that cannot belong to the old incarnation (a newer timestamp,
 * or without timestamps a sequence number above RCV.NXT) starts a new connection at once; any other SYN
 * gets the challenge ACK as in every synchronized state.
 */
@Timeout(30)
class TcpTimeWaitTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    private TcpTestbed tb;
    private int iss;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig().timeWaitNs(60_000 * MS));
        tb.layer.listen(TcpTestbed.LOCAL_PORT, tb.handler);
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    /** Handshake (timestamps if {@code ts}), 10 bytes in, we close first, the peer closes: TIME_WAIT. */
    private TcpConnection intoTimeWait(final boolean ts)
    {
        final Seg syn = peer(SYN, PEER_ISS, 0).mss(1460);
        tb.inject(ts ? syn.ts(1000, 0) : syn);
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        iss = synAck.seq;
        final int ecr = ts ? synAck.tsVal : 0;
        tb.inject(withTs(peer(ACK, PEER_ISS + 1, iss + 1), ts, 1001, ecr));
        tb.inject(withTs(peer(ACK, PEER_ISS + 1, iss + 1).payload(10, 1), ts, 1002, ecr));
        // A small segment the application drained, with nothing of ours to carry the ACK: acknowledged at once.
        tb.expect(ACK, iss + 1, PEER_ISS + 11);
        final TcpConnection c = tb.handler.last;
        c.close(tb.now);
        tb.expect(ACK | FIN, iss + 1, PEER_ISS + 11);
        tb.inject(withTs(peer(ACK | FIN, PEER_ISS + 11, iss + 2), ts, 1003, ecr));
        tb.expect(ACK, iss + 2, PEER_ISS + 12);
        assertEquals(TcpState.TIME_WAIT, c.state());
        tb.advance(1000 * MS);
        tb.discardOutput();
        tb.handler.events.clear();
        return c;
    }

    private static Seg withTs(final Seg s, final boolean ts, final int val, final int ecr)
    {
        return ts ? s.ts(val, ecr) : s;
    }

    @Test
    void synWithNewerTimestampStartsANewIncarnation()
    {
        intoTimeWait(true);
        // The peer reuses its port with a lower ISN: only the newer timestamp tells it apart.
        final int newIss = PEER_ISS - 50_000;
        tb.inject(peer(SYN, newIss, 0).mss(1400).ts(2000, 0));
        final Seg synAck = tb.expectAnySeq(SYN | ACK, newIss + 1);
        assertEquals(2000, synAck.tsEcr);
        assertTrue(tb.handler.events.contains("closed:" + TcpCloseReason.name(TcpCloseReason.NORMAL)),
            "the TIME_WAIT connection ended: " + tb.handler.events);
        assertEquals(0, tb.layer.counters().challengeAcks);
        assertEquals(1, tb.layer.counters().timeWaitRecycled);
        tb.inject(peer(ACK, newIss + 1, synAck.seq + 1).ts(2001, synAck.tsVal));
        final TcpConnection fresh = tb.handler.last;
        assertEquals(TcpState.ESTABLISHED, fresh.state());
        assertEquals(newIss + 1, fresh.rcv.nxt);
        assertTrue(tb.handler.events.contains("connected"));
        assertEquals(1, tb.layer.connectionCount());
        // The new incarnation's sequence space starts above everything the old one sent.
        assertTrue(synAck.seq - (iss + 2) > 0, "new ISS " + synAck.seq + " above old SND.NXT " + (iss + 2));
    }

    @Test
    void synWithOlderTimestampIsAnsweredWithAnAckAndTimeWaitGoesOn()
    {
        final TcpConnection c = intoTimeWait(true);
        // Above RCV.NXT but an older timestamp: may be an old duplicate (PAWS), so not a new incarnation.
        tb.inject(peer(SYN, PEER_ISS + 1_000, 0).mss(1400).ts(1002, 0));
        tb.expect(ACK, iss + 2, PEER_ISS + 12);
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertEquals(1, tb.layer.counters().dropPaws);
        assertEquals(0, tb.layer.counters().timeWaitRecycled);
        tb.expectNothing();
    }

    @Test
    void synWithEqualTimestampDecidesBySequenceNumber()
    {
        final TcpConnection c = intoTimeWait(true);
        // Equal timestamp (a fast peer within one clock tick) at RCV.NXT: could be old, challenge it.
        tb.inject(peer(SYN, PEER_ISS + 12, 0).mss(1400).ts(1003, 0));
        tb.expect(ACK, iss + 2, PEER_ISS + 12);
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertEquals(1, tb.layer.counters().challengeAcks);
        // Equal timestamp above RCV.NXT: a new incarnation (as Linux).
        tb.inject(peer(SYN, PEER_ISS + 1_000, 0).mss(1400).ts(1003, 0));
        tb.expectAnySeq(SYN | ACK, PEER_ISS + 1_001);
        assertEquals(1, tb.layer.counters().timeWaitRecycled);
        assertEquals(1, tb.layer.connectionCount());
    }

    @Test
    void withoutTimestampsASynAboveRcvNxtStartsANewIncarnation()
    {
        intoTimeWait(false);
        tb.inject(peer(SYN, PEER_ISS + 100_000, 0).mss(1400));
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 100_001);
        tb.inject(peer(ACK, PEER_ISS + 100_001, synAck.seq + 1));
        assertEquals(TcpState.ESTABLISHED, tb.handler.last.state());
        assertEquals(0, tb.layer.counters().challengeAcks);
        assertEquals(1, tb.layer.connectionCount());
    }

    @Test
    void withoutTimestampsASynAtOrBelowRcvNxtGetsAChallengeAck()
    {
        final TcpConnection c = intoTimeWait(false);
        tb.inject(peer(SYN, PEER_ISS + 5, 0).mss(1400));
        tb.expect(ACK, iss + 2, PEER_ISS + 12);
        assertEquals(TcpState.TIME_WAIT, c.state());
        tb.inject(peer(SYN, PEER_ISS + 12, 0).mss(1400));
        tb.expect(ACK, iss + 2, PEER_ISS + 12);
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertEquals(1, tb.layer.counters().challengeAcks, "the one at RCV.NXT is in the window");
        assertEquals(1, tb.layer.connectionCount());
        tb.expectNothing();
    }
}
