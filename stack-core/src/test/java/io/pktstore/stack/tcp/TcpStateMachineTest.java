package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.algo.RetransmissionTimer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.PEER_IP;
import static io.pktstore.stack.tcp.TcpTestbed.PEER_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.FIN;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.RST;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Send/expect tests of the connection state machine, one RFC behaviour each: inject what the peer
 * sends, expect exactly the segments (flags, seq, ack, window, options, payload) the layer answers.
 */
@Timeout(30)
class TcpStateMachineTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    private TcpTestbed tb;
    private int iss;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig());
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    /** Passive open without timestamps; the peer's window is 512 << 7 = 64 KiB. Returns our ISS. */
    private TcpConnection establish()
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460).windowScale(7).sackPermitted());
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        iss = synAck.seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512));
        tb.expectNothing();
        assertEquals("connected", tb.handler.events.get(0));
        final TcpConnection c = tb.handler.last;
        assertEquals(TcpState.ESTABLISHED, c.state());
        return c;
    }

    private static UnsafeBuffer bytes(final int length, final int fill)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(fill + i);
        }
        return new UnsafeBuffer(b);
    }

    @Test
    void passiveOpenAnnouncesOptionsAndExchangesData()
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1400).windowScale(7).sackPermitted());
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        assertEquals(1460, synAck.mss, "our MSS = MTU 1500 - 40");
        assertEquals(7, synAck.windowScale, "we answer the peer's window scale with ours");
        assertTrue(synAck.sackPermitted);
        assertNull(synAck.tsVal, "no timestamps: the peer did not offer them");
        assertEquals(65535, synAck.window, "a SYN's window is never scaled (RFC 7323 2.2)");
        iss = synAck.seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512));
        final TcpConnection c = tb.handler.last;
        assertNotNull(c);
        assertEquals(1400, c.mss(), "send MSS is the smaller of ours and the peer's");
        assertEquals(512 << 7, c.peerWindow(), "peer window scaled by its shift");

        // 100 bytes in, not yet consumed by the application: delivered as a record, the ACK is delayed
        // (40 ms), then sent.
        tb.handler.autoConsume = false;
        final byte[] data = new byte[100];
        Arrays.fill(data, (byte)7);
        assertTrue(tb.inject(peer(ACK | PSH, PEER_ISS + 1, iss + 1).window(512).payload(data)),
            "data segment becomes a packet record (buffer taken)");
        assertArrayEquals(data, tb.handler.received.toByteArray());
        assertEquals(PEER_ISS + 1, (int)tb.handler.deliveredSeqs.get(0), "record carries tcpSeq");
        tb.expectNothing();
        tb.advance(39 * MS);
        tb.expectNothing();
        tb.advance(3 * MS);
        final Seg ack = tb.expect(ACK, iss + 1, PEER_ISS + 101);
        assertEquals((256 * 1024 - 100) >> 7, ack.window, "our window less the 100 unconsumed bytes, scaled by our shift 7");
        c.consumed(100, tb.now);

        // We send 10 bytes: one PSH|ACK segment carrying them.
        assertEquals(10, c.send(bytes(10, 1), 0, 10, tb.now));
        final Seg out = tb.expect(ACK | PSH, iss + 1, PEER_ISS + 101);
        assertArrayEquals(bytes(10, 1).byteArray(), out.payload);
    }

    @Test
    void heldSendsWaitForTheReleaseWhileAcksFlowAndTheFinFollowsThem()
    {
        final TcpConnection c = establish();
        c.holdSends();
        assertEquals(10, c.send(bytes(10, 1), 0, 10, tb.now));
        assertEquals(10, c.heldBytes());
        tb.expectNothing();
        // Data from the peer is still acknowledged while our reply is held.
        tb.inject(peer(ACK | PSH, PEER_ISS + 1, iss + 1).window(512).payload(new byte[] {9}));
        tb.inject(peer(ACK | PSH, PEER_ISS + 2, iss + 1).window(512).payload(new byte[] {9}));
        final Seg ack = tb.expect(ACK, iss + 1, PEER_ISS + 3);
        assertEquals(0, ack.payload.length, "a pure ACK: the held bytes stay");
        tb.expectNothing();

        c.releaseHeldSends(tb.now);
        assertEquals(0, c.heldBytes());
        final Seg first = tb.expect(ACK | PSH, iss + 1, PEER_ISS + 3);
        assertArrayEquals(bytes(10, 1).byteArray(), first.payload);

        // Queued after the release and then closed: neither the bytes nor our FIN leave until released.
        assertEquals(5, c.send(bytes(5, 50), 0, 5, tb.now));
        c.close(tb.now);
        tb.expectNothing();
        tb.advance(300 * MS);
        tb.expectNothing();
        c.releaseHeldSends(tb.now);
        final Seg last = tb.expect(ACK | PSH | FIN, iss + 11, PEER_ISS + 3);
        assertArrayEquals(bytes(5, 50).byteArray(), last.payload);
    }

    @Test
    void activeOpenSendsSynWithOptionsAndCompletes()
    {
        final TcpConnection c = tb.layer.connect(PEER_IP, 8080, tb.handler, tb.now);
        final Seg syn = tb.expectAnySeq(SYN, 0);
        assertEquals(1460, syn.mss);
        assertEquals(7, syn.windowScale);
        assertTrue(syn.sackPermitted);
        assertNotNull(syn.tsVal, "timestamps offered by default");
        assertEquals(TcpState.SYN_SENT, c.state());
        tb.inject(Seg.of(SYN | ACK, 5000, syn.seq + 1).ports(8080, c.localPort()).mss(1460).windowScale(2)
            .ts(77, syn.tsVal).window(1000));
        final Seg ack = tb.expect(ACK, syn.seq + 1, 5001);
        assertEquals(77, ack.tsEcr, "echoes the peer's TSval");
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1000, c.peerWindow(), "window in a SYN-ACK is not scaled");
    }

    @Test
    void rstExactlyAtRcvNxtResets()
    {
        establish();
        tb.inject(peer(RST, PEER_ISS + 1, 0));
        tb.expectNothing();
        assertEquals(TcpCloseReason.RESET_BY_PEER, tb.handler.closeReason);
        assertEquals(0, tb.layer.connectionCount());
    }

    @Test
    void rstInWindowButNotAtRcvNxtGetsChallengeAck()
    {
        final TcpConnection c = establish();
        tb.inject(peer(RST, PEER_ISS + 1 + 1000, 0));
        tb.expect(ACK, iss + 1, PEER_ISS + 1);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1, tb.layer.counters().challengeAcks);
    }

    @Test
    void rstOutsideWindowIsDroppedSilently()
    {
        final TcpConnection c = establish();
        tb.inject(peer(RST, PEER_ISS + 1 + (1 << 30), 0));
        tb.expectNothing();
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1, tb.layer.counters().dropOutOfWindow);
    }

    @Test
    void synInSynchronizedStateGetsChallengeAckNotReset()
    {
        final TcpConnection c = establish();
        tb.inject(peer(SYN, PEER_ISS + 500, 0).mss(1460));
        tb.expect(ACK, iss + 1, PEER_ISS + 1);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1, tb.layer.counters().challengeAcks);
    }

    @Test
    void challengeAcksAreRateLimited()
    {
        tb.config.challengeAcksPerSecond(2);
        establish();
        for (int i = 0; i < 5; i++)
        {
            tb.inject(peer(SYN, PEER_ISS + 500 + i, 0));
        }
        tb.expect(ACK, iss + 1, PEER_ISS + 1);
        tb.expect(ACK, iss + 1, PEER_ISS + 1);
        tb.expectNothing();
        assertEquals(3, tb.layer.counters().challengeAcksSuppressed);
    }

    @Test
    void initialRtoIsOneSecondThenBacksOffAndKarnSkipsRetransmittedSyn()
    {
        final TcpConnection c = tb.layer.connect(PEER_IP, 8080, tb.handler, tb.now);
        final Seg syn = tb.expectAnySeq(SYN, 0);
        tb.advance(999 * MS);
        tb.expectNothing();
        tb.advance(3 * MS);
        assertEquals(syn.seq, tb.expectAnySeq(SYN, 0).seq, "first retransmission after RTO = 1 s");
        tb.advance(1990 * MS);
        tb.expectNothing();
        tb.advance(15 * MS);
        tb.expect(SYN, syn.seq, 0);
        assertEquals(2, tb.layer.counters().rtoExpiries, "backoff doubled RTO to 2 s");
        tb.inject(Seg.of(SYN | ACK, 5000, syn.seq + 1).ports(8080, c.localPort()).mss(1460).window(1000));
        tb.expect(ACK, syn.seq + 1, 5001);
        assertFalse(c.retransmissionTimer().hasRttSample(), "Karn: no RTT sample from a retransmitted SYN");
        assertEquals(RetransmissionTimer.POST_SYN_TIMEOUT_RTO_NS, c.retransmissionTimer().rtoNs(),
            "RFC 6298 5.7: RTO 3 s after a SYN timeout");
    }

    @Test
    void dataRtoRetransmitsBacksOffAndKarnIgnoresTheAck()
    {
        final TcpConnection c = establish();
        final long rtoBefore = c.retransmissionTimer().rtoNs();
        c.send(bytes(100, 3), 0, 100, tb.now);
        final Seg first = tb.expect(ACK | PSH, iss + 1, PEER_ISS + 1);
        tb.advance(rtoBefore + 2 * MS);
        final Seg again = tb.expect();
        assertEquals(first.seq, again.seq);
        assertArrayEquals(first.payload, again.payload, "same bytes retransmitted");
        assertEquals(2 * rtoBefore, c.retransmissionTimer().rtoNs(), "RTO doubled");
        final long srttBefore = c.retransmissionTimer().srttNs();
        tb.advance(500 * MS);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 101).window(512));
        assertEquals(srttBefore, c.retransmissionTimer().srttNs(), "Karn: the ACK of a retransmission is no sample");
        assertEquals(0, c.sendQueued());
    }

    /** Sends n full segments and returns their sequence numbers. */
    private int[] sendSegments(final TcpConnection c, final int n)
    {
        final int mss = c.mss();
        c.send(bytes(n * mss, 0), 0, n * mss, tb.now);
        final int[] seqs = new int[n];
        for (int i = 0; i < n; i++)
        {
            final Seg s = tb.expect();
            assertEquals(mss, s.payload.length);
            seqs[i] = s.seq;
        }
        tb.expectNothing();
        return seqs;
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitAndPartialAckRetransmitsNext()
    {
        final TcpConnection c = establish();
        final int mss = c.mss();
        final int[] seqs = sendSegments(c, 10);   // initial window: 10 segments (RFC 6928)
        tb.inject(peer(ACK, PEER_ISS + 1, seqs[1]).window(512));
        tb.expectNothing();
        tb.inject(peer(ACK, PEER_ISS + 1, seqs[1]).window(512));
        tb.inject(peer(ACK, PEER_ISS + 1, seqs[1]).window(512));
        assertEquals(0, tb.layer.counters().fastRetransmits, "two duplicates are not enough");
        tb.inject(peer(ACK, PEER_ISS + 1, seqs[1]).window(512));
        final Seg retransmitted = tb.expect();
        assertEquals(seqs[1], retransmitted.seq, "third duplicate ACK: fast retransmit of the first unacked");
        assertEquals(mss, retransmitted.payload.length);
        assertEquals(1, tb.layer.counters().fastRetransmits);
        assertTrue(c.congestionControl().inRecovery());
        tb.discardOutput();
        // Partial ACK (RFC 6582): acknowledges up to segment 4, recovery point is the end of segment 9.
        tb.inject(peer(ACK, PEER_ISS + 1, seqs[4]).window(512));
        final Seg next = tb.expect();
        assertEquals(seqs[4], next.seq, "partial ACK retransmits the next unacknowledged segment");
        assertTrue(c.congestionControl().inRecovery(), "still in recovery after a partial ACK");
        tb.discardOutput();
        tb.inject(peer(ACK, PEER_ISS + 1, seqs[9] + mss).window(512));
        assertFalse(c.congestionControl().inRecovery(), "full ACK ends recovery");
        assertTrue(c.congestionControl().cwnd() <= c.congestionControl().ssthresh(),
            "cwnd deflated to at most ssthresh (RFC 6582 3.2 step 4)");
    }

    @Test
    void windowScaleAndPaws()
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460).windowScale(3).sackPermitted().ts(1000, 0));
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        assertEquals(1000, synAck.tsEcr);
        iss = synAck.seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(100).ts(1001, synAck.tsVal));
        final TcpConnection c = tb.handler.last;
        assertEquals(800, c.peerWindow(), "100 << 3");
        tb.inject(peer(ACK | PSH, PEER_ISS + 1, iss + 1).window(100).ts(1002, synAck.tsVal).payload(10, 1));
        assertEquals(10, tb.handler.received.size());
        tb.advance(50 * MS);
        final Seg ack = tb.expect(ACK, iss + 1, PEER_ISS + 11);
        assertEquals(1002, ack.tsEcr, "TS.Recent follows the segment that advanced RCV.NXT");
        assertEquals((256 * 1024) >> 7, ack.window);
        // An old duplicate with an older timestamp (PAWS) is dropped with an ACK, even though in window.
        tb.inject(peer(ACK | PSH, PEER_ISS + 11, iss + 1).window(100).ts(900, synAck.tsVal).payload(10, 2));
        tb.expect(ACK, iss + 1, PEER_ISS + 11);
        assertEquals(10, tb.handler.received.size(), "PAWS-rejected data is not delivered");
        assertEquals(1, tb.layer.counters().dropPaws);
        // The same data with a fresh timestamp is accepted.
        tb.inject(peer(ACK | PSH, PEER_ISS + 11, iss + 1).window(100).ts(1003, synAck.tsVal).payload(10, 2));
        assertEquals(20, tb.handler.received.size());
    }

    @Test
    void zeroWindowIsProbedWithBackoffAndDataFlowsWhenItOpens()
    {
        final TcpConnection c = establish();
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(0));
        assertEquals(0, c.peerWindow());
        c.send(bytes(100, 5), 0, 100, tb.now);
        tb.expectNothing();
        final long rto = c.retransmissionTimer().rtoNs();
        tb.advance(rto + 2 * MS);
        final Seg probe = tb.expect();
        assertEquals(iss + 1, probe.seq);
        assertEquals(1, probe.payload.length, "a probe carries one byte beyond the closed window");
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(0));
        tb.expectNothing();
        tb.advance(rto + 2 * MS);
        tb.expectNothing();   // backed off: the second probe comes after 2 * interval
        tb.advance(rto);
        tb.expect();
        assertEquals(2, tb.layer.counters().zeroWindowProbes);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512));
        final Seg data = tb.expect();
        assertEquals(iss + 1, data.seq);
        assertEquals(100, data.payload.length, "window opened: the queued data goes out");
    }

    @Test
    void receiverClosesItsWindowWhenTheApplicationDoesNotConsume()
    {
        tb.config.receiveBufferBytes(2048);
        tb.handler.autoConsume = false;
        final TcpConnection c = establish();
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512).payload(1000, 1));
        tb.inject(peer(ACK, PEER_ISS + 1001, iss + 1).window(512).payload(1048, 1));
        final Seg ack = tb.expect(ACK, iss + 1, PEER_ISS + 1 + 2048);
        assertEquals(0, ack.window, "application holds the whole buffer: zero window");
        tb.inject(peer(ACK, PEER_ISS + 1 + 2048, iss + 1).window(512).payload(100, 2));
        tb.expect(ACK, iss + 1, PEER_ISS + 1 + 2048);
        assertEquals(2048, tb.handler.received.size(), "data beyond a zero window is not accepted");
        c.consumed(2048, tb.now);
        final Seg update = tb.expect(ACK, iss + 1, PEER_ISS + 1 + 2048);
        assertEquals(2048 >> 7, update.window, "window update once the application consumed");
    }

    @Test
    void simultaneousCloseGoesThroughClosingToTimeWait()
    {
        final TcpConnection c = establish();
        c.close(tb.now);
        tb.expect(ACK | FIN, iss + 1, PEER_ISS + 1);
        assertEquals(TcpState.FIN_WAIT_1, c.state());
        // The peer's FIN crosses ours: it does not acknowledge our FIN.
        tb.inject(peer(ACK | FIN, PEER_ISS + 1, iss + 1).window(512));
        tb.expect(ACK, iss + 2, PEER_ISS + 2);
        assertEquals(TcpState.CLOSING, c.state());
        tb.inject(peer(ACK, PEER_ISS + 2, iss + 2).window(512));
        assertEquals(TcpState.TIME_WAIT, c.state());
        tb.advance(tb.config.timeWaitNs() + 5 * MS);
        assertEquals(TcpCloseReason.NORMAL, tb.handler.closeReason);
        assertEquals(0, tb.layer.connectionCount());
    }

    @Test
    void timeWaitAcksRetransmittedFinAndEndsAfterTwoMsl()
    {
        final TcpConnection c = establish();
        c.close(tb.now);
        tb.expect(ACK | FIN, iss + 1, PEER_ISS + 1);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 2).window(512));
        assertEquals(TcpState.FIN_WAIT_2, c.state());
        tb.inject(peer(ACK | FIN, PEER_ISS + 1, iss + 2).window(512));
        tb.expect(ACK, iss + 2, PEER_ISS + 2);
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertTrue(tb.handler.events.contains("peerClosed"));
        tb.advance(1000 * MS);
        tb.inject(peer(ACK | FIN, PEER_ISS + 1, iss + 2).window(512));
        tb.expect(ACK, iss + 2, PEER_ISS + 2);
        tb.advance(tb.config.timeWaitNs() - 500 * MS);
        assertEquals(TcpState.TIME_WAIT, c.state(), "2*MSL restarted by the retransmitted FIN");
        tb.advance(600 * MS);
        assertEquals(TcpCloseReason.NORMAL, tb.handler.closeReason);
    }

    @Test
    void passiveCloseThroughCloseWaitAndLastAck()
    {
        final TcpConnection c = establish();
        tb.inject(peer(ACK | FIN, PEER_ISS + 1, iss + 1).window(512));
        tb.expect(ACK, iss + 1, PEER_ISS + 2);
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        c.send(bytes(5, 0), 0, 5, tb.now);
        tb.expect(ACK | PSH, iss + 1, PEER_ISS + 2);
        c.close(tb.now);
        tb.expect(ACK | FIN, iss + 6, PEER_ISS + 2);
        assertEquals(TcpState.LAST_ACK, c.state());
        tb.inject(peer(ACK, PEER_ISS + 2, iss + 7).window(512));
        assertEquals(TcpCloseReason.NORMAL, tb.handler.closeReason);
    }

    @Test
    void backlogOverflowAnswersWithSynCookieThatStillCompletesTheHandshake()
    {
        tb.config.listenBacklog(1);
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
        tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        assertEquals(1, tb.layer.connectionCount());
        // Second SYN from another port: the backlog is full, so a stateless cookie answers.
        tb.inject(Seg.of(SYN, 7000, 0).ports(PEER_PORT + 1, LOCAL_PORT).mss(1460));
        final Seg cookie = tb.expectAnySeq(SYN | ACK, 7001);
        assertEquals(1, tb.layer.counters().synCookiesSent);
        assertEquals(1, tb.layer.connectionCount(), "a cookie keeps no state");
        tb.inject(Seg.of(ACK, 7001, cookie.seq + 1).ports(PEER_PORT + 1, LOCAL_PORT).window(1000).payload(20, 9));
        assertEquals(1, tb.layer.counters().synCookiesAccepted);
        assertEquals(2, tb.layer.connectionCount());
        assertEquals(TcpState.ESTABLISHED, tb.handler.last.state());
        assertEquals(20, tb.handler.received.size(), "data on the cookie's ACK is delivered");
        // A forged cookie is refused with RST.
        tb.discardOutput();
        tb.inject(Seg.of(ACK, 9001, cookie.seq + 12345).ports(PEER_PORT + 2, LOCAL_PORT).window(1000));
        tb.expect(RST, cookie.seq + 12345, 0);
        assertEquals(1, tb.layer.counters().synCookiesInvalid);
    }

    @Test
    void segmentsToClosedPortsAreAnsweredWithRst()
    {
        tb.inject(peer(SYN, 500, 0).ports(PEER_PORT, 81));
        tb.expect(RST | ACK, 0, 501);
        tb.inject(peer(ACK, 500, 777).ports(PEER_PORT, 81));
        tb.expect(RST, 777, 0);
        tb.inject(peer(RST, 500, 0).ports(PEER_PORT, 81));
        tb.expectNothing();
        assertEquals(3, tb.layer.counters().dropNoSocket);
    }

    @Test
    void outOfOrderSegmentsAreSackedAndDeliveredInOrder()
    {
        establish();
        tb.inject(peer(ACK, PEER_ISS + 1 + 100, iss + 1).window(512).payload(100, 2));
        final Seg dup = tb.expect(ACK, iss + 1, PEER_ISS + 1);
        assertEquals(1, dup.sackBlocks.size());
        assertEquals(PEER_ISS + 101, dup.sackBlocks.get(0)[0]);
        assertEquals(PEER_ISS + 201, dup.sackBlocks.get(0)[1]);
        assertEquals(0, tb.handler.received.size());
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512).payload(100, 1));
        tb.expect(ACK, iss + 1, PEER_ISS + 201);
        final byte[] got = tb.handler.received.toByteArray();
        assertEquals(200, got.length);
        assertEquals(1, got[0]);
        assertEquals(2, got[100]);
    }

    @Test
    void malformedHeaderIsCountedAndChangesNothing()
    {
        final TcpConnection c = establish();
        final Seg bad = peer(ACK, PEER_ISS + 1, iss + 1).window(512);
        tb.inject(bad.payload(4, 0));
        tb.advance(50 * MS);
        tb.discardOutput();
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(0, tb.layer.counters().dropMalformedHeader);
    }

    @Test
    void simultaneousOpenGoesThroughSynReceived()
    {
        final TcpConnection c = tb.layer.connect(PEER_IP, 8080, tb.handler, tb.now);
        final Seg syn = tb.expectAnySeq(SYN, 0);
        // The peer's SYN crosses ours: it acknowledges nothing.
        tb.inject(Seg.of(SYN, 500, 0).ports(8080, c.localPort()).mss(1460).window(2000));
        final Seg synAck = tb.expect(SYN | ACK, syn.seq, 501);
        assertEquals(1460, synAck.mss);
        assertEquals(TcpState.SYN_RECEIVED, c.state());
        tb.inject(Seg.of(ACK, 501, syn.seq + 1).ports(8080, c.localPort()).window(2000));
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals("connected", tb.handler.events.get(0));
    }

    @Test
    void synAckIsRetransmittedOnTimeoutAndHalfOpenConnectionsExpire()
    {
        tb.config.maxSynRetransmissions(2);
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
        final Seg first = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        tb.advance(1002 * MS);
        assertEquals(first.seq, tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq, "same ISS on retransmission");
        tb.advance(2002 * MS);
        tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        assertEquals(1, tb.layer.connectionCount());
        tb.advance(4002 * MS);
        tb.expectNothing();
        assertEquals(0, tb.layer.connectionCount(), "given up after maxSynRetransmissions; backlog slot freed");
        assertTrue(tb.handler.events.isEmpty(), "the application never saw the half-open connection");
    }

    @Test
    void afterTimeoutSackedSegmentsAreNotSentAgain()
    {
        final TcpConnection c = establish();
        final int mss = c.mss();
        final int[] seqs = sendSegments(c, 5);
        // The peer got segments 0 and 3 only: ACK of 0 with a SACK block for 3.
        final Seg sack = peer(ACK, PEER_ISS + 1, seqs[1]).window(512);
        sack.sackBlocks.add(new int[] {seqs[3], seqs[3] + mss});
        tb.inject(sack);
        tb.expectNothing();
        tb.advance(c.retransmissionTimer().rtoNs() + 2 * MS);
        assertEquals(seqs[1], tb.expect().seq, "RTO retransmits the first hole");
        tb.expectNothing();
        // Segment 1 arrives; the peer now misses 2 and 4. cwnd is 2 segments: 2 goes, 3 is skipped, 4 goes.
        final Seg ack2 = peer(ACK, PEER_ISS + 1, seqs[2]).window(512);
        ack2.sackBlocks.add(new int[] {seqs[3], seqs[3] + mss});
        tb.inject(ack2);
        assertEquals(seqs[2], tb.expect().seq);
        final Seg next = tb.expect();
        assertEquals(seqs[4], next.seq, "the SACKed segment 3 is not resent");
        assertEquals(mss, next.payload.length);
        tb.expectNothing();
    }

    @Test
    void bareAckExactlyAtTheRightEdgeOfTheWindowIsStillProcessed()
    {
        tb.config.receiveBufferBytes(2048);
        final TcpConnection c = establish();
        c.send(bytes(100, 0), 0, 100, tb.now);
        tb.expect(ACK | PSH, iss + 1, PEER_ISS + 1);
        // The peer's first 1000 bytes are lost; the next 1048 fill our window up to its right edge.
        tb.inject(peer(ACK, PEER_ISS + 1001, iss + 1).window(512).payload(1048, 1));
        tb.expect(ACK, iss + 101, PEER_ISS + 1);
        // Its next bare ACK carries SEG.SEQ = PEER_ISS + 2049 = RCV.NXT + RCV.WND: strictly outside
        // [RCV.NXT, RCV.NXT + RCV.WND), but refusing it would lose its ACK for good (Linux accepts it).
        tb.inject(peer(ACK, PEER_ISS + 2049, iss + 101).window(512));
        assertEquals(0, c.sendQueued(), "the ACK at the window edge acknowledged our data");
        assertEquals(0, tb.layer.counters().dropOutOfWindow);
    }

    @Test
    void afterAZeroWindowProbeAcksAndResetsStayInsideThePeersWindow()
    {
        final TcpConnection c = establish();
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(0));
        c.send(bytes(100, 5), 0, 100, tb.now);
        tb.advance(c.retransmissionTimer().rtoNs() + 2 * MS);
        final Seg probe = tb.expect();
        assertEquals(iss + 1, probe.seq);
        assertEquals(1, probe.payload.length);
        // The peer's window is still closed and it refuses the probe byte; it keeps sending us data.
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(0).payload(10, 1));
        tb.inject(peer(ACK, PEER_ISS + 11, iss + 1).window(0).payload(10, 1));
        // Our ACK must carry SEG.SEQ = the peer's RCV.NXT (iss + 1): iss + 2 is one past its zero window,
        // unacceptable there (RFC 9293 3.10.7.4), and its ACK field would be ignored (Linux drops it).
        tb.expect(ACK, iss + 1, PEER_ISS + 21);
        tb.expectNothing();
        // Same for an abort: an RST beyond the window would not reset the peer (RFC 5961 3).
        c.abort(tb.now);
        tb.expect(RST | ACK, iss + 1, PEER_ISS + 21);
    }

    @Test
    void abortInSimultaneousOpenResetsAtOurNextSequenceNumber()
    {
        for (int round = 0; round < 4; round++)
        {
            // The connection object is reused each round: nothing from the previous round may leak in.
            final TcpConnection c = tb.layer.connect(PEER_IP, 8080 + round, tb.handler, tb.now);
            final Seg syn = tb.expectAnySeq(SYN, 0);
            tb.inject(Seg.of(SYN, 500, 0).ports(8080 + round, c.localPort()).mss(1460).window(2000));
            tb.expect(SYN | ACK, syn.seq, 501);
            assertEquals(TcpState.SYN_RECEIVED, c.state());
            c.abort(tb.now);
            tb.expect(RST | ACK, syn.seq + 1, 501);
            tb.advance(MS);
        }
    }

    @Test
    void synReceivedAnswersAnInWindowRstWithAChallengeAck()
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460).windowScale(7).sackPermitted());
        iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
        // RFC 5961 3.2 holds in every synchronized state, SYN-RECEIVED included: in window, not exact.
        tb.inject(peer(RST, PEER_ISS + 1 + 1000, 0));
        tb.expect(ACK, iss + 1, PEER_ISS + 1);
        assertEquals(1, tb.layer.counters().challengeAcks);
        assertEquals(1, tb.layer.connectionCount(), "the half-open connection lives on");
        // The peer answers the challenge with an exact RST: now it ends.
        tb.inject(peer(RST, PEER_ISS + 1, 0));
        assertEquals(0, tb.layer.connectionCount());
        tb.expectNothing();
    }

    @Test
    void zeroReceiveWindowStillTakesTheAckOfAProbeAtRcvNxt()
    {
        tb.config.receiveBufferBytes(2048);
        tb.handler.autoConsume = false;
        final TcpConnection c = establish();
        c.send(bytes(100, 0), 0, 100, tb.now);
        tb.expect(ACK | PSH, iss + 1, PEER_ISS + 1);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512).payload(1000, 1));
        tb.inject(peer(ACK, PEER_ISS + 1001, iss + 1).window(512).payload(1048, 1));
        assertEquals(0, tb.expect(ACK, iss + 101, PEER_ISS + 2049).window, "our window is closed");
        // The peer probes our closed window with one byte at RCV.NXT; the segment also acknowledges our
        // 100 bytes. Its byte cannot be taken, but its ACK must be (RFC 9293 3.10.7.4: "special
        // allowance should be made to accept valid ACKs"), as Linux does.
        tb.inject(peer(ACK, PEER_ISS + 2049, iss + 101).window(512).payload(1, 9));
        assertEquals(0, c.sendQueued(), "our data is acknowledged");
        assertEquals(0, tb.expect(ACK, iss + 101, PEER_ISS + 2049).window, "the probe is answered, window still 0");
        assertEquals(2048, tb.handler.received.size(), "the probe byte was not taken");
    }

    @Test
    void tinyOutOfOrderSegmentsCannotTakeAnArenaBufferEachWithoutBound()
    {
        final TcpConnection c = establish();
        // 3,000 one-byte segments, each after a one-byte hole, all inside our 256 KiB window: in payload
        // bytes that is nothing, but each would pin a whole arena buffer (the arena is shared by every
        // connection and by the RX ring).
        int taken = 0;
        for (int i = 0; i < 3000; i++)
        {
            if (tb.inject(peer(ACK, PEER_ISS + 1 + 2 * i + 1, iss + 1).window(512).payload(1, i)))
            {
                taken++;
            }
        }
        final int windowOfSmallestSegments = tb.config.receiveBufferBytes() / TcpConnection.DEFAULT_MSS;
        assertTrue(taken <= windowOfSmallestSegments,
            taken + " buffers held for out-of-order bytes, more than a window of 536-byte segments");
        assertTrue(taken > 0, "out-of-order segments are still queued");
        // The hole at RCV.NXT fills: it and the first queued byte are delivered in order.
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512).payload(1, 0));
        assertEquals(2, tb.handler.received.size());
        assertEquals(3000 - taken, tb.layer.counters().dropOutOfOrderFull);
    }
}
