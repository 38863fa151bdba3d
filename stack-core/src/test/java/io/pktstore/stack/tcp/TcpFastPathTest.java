package io.pktstore.stack.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.FIN;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fast path (header prediction) takes only what an established connection expects next, in order and
 * with the window unchanged; everything at its boundary (out-of-order data and the segment that fills the
 * hole, a window update, an old timestamp, a FIN) goes the slow path and is handled there. Each case
 * checks which path took the segment and what it did.
 */
@Timeout(30)
class TcpFastPathTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    private TcpTestbed tb;
    private TcpConnection c;
    private int iss;
    private int tsEcr;
    private int peerTs = 1000;
    private long fast;
    private long slow;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig());
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460).windowScale(7).sackPermitted().ts(peerTs, 0));
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        iss = synAck.seq;
        tsEcr = synAck.tsVal;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512).ts(++peerTs, tsEcr));
        c = tb.handler.last;
        mark();
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    private void mark()
    {
        fast = tb.layer.counters().fastPathSegments;
        slow = tb.layer.counters().slowPathSegments;
    }

    private void expectPaths(final int fastDelta, final int slowDelta)
    {
        assertEquals(fastDelta, tb.layer.counters().fastPathSegments - fast, "fast path segments");
        assertEquals(slowDelta, tb.layer.counters().slowPathSegments - slow, "slow path segments");
        mark();
    }

    /** A data segment from the peer at {@code offset} (bytes after its ISN + 1), window 512, fresh timestamp. */
    private Seg data(final int offset, final int length)
    {
        return peer(ACK | PSH, PEER_ISS + 1 + offset, iss + 1).window(512).ts(++peerTs, tsEcr).payload(length, offset);
    }

    @Test
    void inOrderDataAndAcksOfNewDataTakeTheFastPath()
    {
        tb.inject(data(0, 100));
        expectPaths(1, 0);
        assertEquals(100, tb.handler.received.size());
        tb.advance(50 * MS);
        tb.expect(ACK, iss + 1, PEER_ISS + 101);
        assertEquals(10, c.send(new UnsafeBuffer(new byte[10]), 0, 10, tb.now));
        tb.expect(ACK | PSH, iss + 1, PEER_ISS + 101);
        tb.inject(peer(ACK, PEER_ISS + 101, iss + 11).window(512).ts(++peerTs, tsEcr));
        expectPaths(1, 0);
        assertEquals(0, c.sendQueued(), "the fast path took the ACK");
    }

    @Test
    void outOfOrderDataAndTheSegmentThatFillsTheHoleGoTheSlowPath()
    {
        tb.inject(data(100, 100));
        expectPaths(0, 1);
        final Seg dup = tb.expect(ACK, iss + 1, PEER_ISS + 1);
        assertEquals(1, dup.sackBlocks.size(), "a duplicate ACK with the SACK block");
        tb.inject(data(0, 100));
        expectPaths(0, 1);
        assertEquals(200, tb.handler.received.size(), "both delivered, in order");
        tb.expect(ACK, iss + 1, PEER_ISS + 201);
        tb.inject(data(200, 100));
        expectPaths(1, 0);
        assertEquals(300, tb.handler.received.size());
    }

    @Test
    void aWindowUpdateGoesTheSlowPathAndMovesTheWindow()
    {
        assertEquals(512 << 7, c.peerWindow());
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(100).ts(++peerTs, tsEcr));
        expectPaths(0, 1);
        assertEquals(100 << 7, c.peerWindow());
        tb.inject(data(0, 10).window(300));
        expectPaths(0, 1);
        assertEquals(300 << 7, c.peerWindow());
        assertEquals(10, tb.handler.received.size());
        tb.inject(data(10, 10).window(300));
        expectPaths(1, 0);
    }

    @Test
    void anOldTimestampGoesTheSlowPathWherePawsDropsIt()
    {
        tb.inject(data(0, 10));
        expectPaths(1, 0);
        tb.advance(50 * MS);
        tb.discardOutput();
        tb.inject(peer(ACK | PSH, PEER_ISS + 11, iss + 1).window(512).ts(peerTs - 100, tsEcr).payload(10, 2));
        expectPaths(0, 1);
        assertEquals(1, tb.layer.counters().dropPaws);
        assertEquals(10, tb.handler.received.size(), "not delivered");
        tb.expect(ACK, iss + 1, PEER_ISS + 11);
    }

    @Test
    void aFinGoesTheSlowPathAndClosesThePeersSide()
    {
        tb.inject(data(0, 10));
        expectPaths(1, 0);
        tb.expect(ACK, iss + 1, PEER_ISS + 11);   // a small segment drained, nothing of ours to carry the ACK
        tb.inject(peer(ACK | FIN, PEER_ISS + 11, iss + 1).window(512).ts(++peerTs, tsEcr));
        expectPaths(0, 1);
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        assertEquals("peerClosed", tb.handler.events.get(tb.handler.events.size() - 1));
        tb.expect(ACK, iss + 1, PEER_ISS + 12);
    }
}
