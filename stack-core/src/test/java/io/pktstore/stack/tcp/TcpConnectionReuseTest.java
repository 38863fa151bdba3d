package io.pktstore.stack.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.PEER_PORT;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.RST;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpLayer} pre-allocates its {@link TcpConnection} objects and reuses them: a connection opened
 * on an object another connection used (window scale, timestamps, SACK, data in flight, out-of-order
 * data, then a reset) must put exactly the same segments on the wire as one opened on a fresh layer.
 */
@Timeout(30)
class TcpConnectionReuseTest
{
    private static final long MS = 1_000_000L;
    private static final int DIRTY_ISS = 9_000_000;
    private static final int NEW_ISS = 3_000_000;
    private static final int NEW_PORT = PEER_PORT + 2;

    private static TcpConfig config(final int maxConnections, final int backlog)
    {
        return TcpTestbed.defaultConfig().maxConnections(maxConnections).listenBacklog(backlog);
    }

    /** One connection with distinctive state, ended by the peer's RST; returns its object. */
    private static TcpConnection dirtyConnection(final TcpTestbed tb, final int port)
    {
        tb.inject(Seg.of(SYN, DIRTY_ISS, 0).ports(port, LOCAL_PORT).mss(1000).windowScale(2).sackPermitted().ts(100, 0));
        final Seg synAck = tb.expectAnySeq(SYN | ACK, DIRTY_ISS + 1);
        final int iss = synAck.seq;
        tb.inject(Seg.of(ACK, DIRTY_ISS + 1, iss + 1).ports(port, LOCAL_PORT).window(50).ts(101, synAck.tsVal));
        final TcpConnection c = tb.handler.last;
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(3000, c.send(new UnsafeBuffer(new byte[3000]), 0, 3000, tb.now), "data queued, some in flight");
        // Out-of-order data (SACKed), then in-order data.
        tb.inject(Seg.of(ACK, DIRTY_ISS + 501, iss + 1).ports(port, LOCAL_PORT).window(50).ts(102, synAck.tsVal)
            .payload(50, 3));
        tb.inject(Seg.of(ACK | PSH, DIRTY_ISS + 1, iss + 1).ports(port, LOCAL_PORT).window(50).ts(103, synAck.tsVal)
            .payload(10, 4));
        tb.advance(5 * MS);
        tb.inject(Seg.of(RST, DIRTY_ISS + 11, 0).ports(port, LOCAL_PORT));
        assertEquals(TcpState.CLOSED, c.state());
        tb.discardOutput();
        return c;
    }

    /**
     * The connection under comparison, opened through a SYN cookie (the backlog is full): handshake with
     * timestamps, data in, our delayed ACK, data out. Returns every segment the layer emitted.
     */
    private static List<String> cookieConnection(final TcpTestbed tb)
    {
        final List<String> wire = new ArrayList<>();
        tb.inject(Seg.of(SYN, NEW_ISS, 0).ports(NEW_PORT, LOCAL_PORT).mss(1400).windowScale(5).sackPermitted()
            .ts(5000, 0));
        final Seg cookie = tb.expectAnySeq(SYN | ACK, NEW_ISS + 1);
        wire.add(cookie.toString());
        tb.inject(Seg.of(ACK, NEW_ISS + 1, cookie.seq + 1).ports(NEW_PORT, LOCAL_PORT).window(1000)
            .ts(5001, cookie.tsVal));
        assertEquals(TcpState.ESTABLISHED, tb.handler.last.state());
        tb.inject(Seg.of(ACK | PSH, NEW_ISS + 1, cookie.seq + 1).ports(NEW_PORT, LOCAL_PORT).window(1000)
            .ts(5002, cookie.tsVal).payload(100, 7));
        tb.advance(50 * MS);
        final Seg ack = tb.expect(ACK, cookie.seq + 1, NEW_ISS + 101);
        wire.add(ack.toString());
        assertEquals(5002, ack.tsEcr,
            "TS.Recent follows the segment at RCV.NXT the cookie SYN-ACK acknowledged (RFC 7323 4.3)");
        assertEquals(20, tb.handler.last.send(new UnsafeBuffer(new byte[20]), 0, 20, tb.now));
        wire.add(tb.expect(ACK | PSH, cookie.seq + 1, NEW_ISS + 101).toString());
        tb.expectNothing();
        return wire;
    }

    @Test
    void cookieConnectionOnAReusedObjectMatchesOneOnAFreshLayer()
    {
        final List<String> fresh;
        final long at;
        try (TcpTestbed tb = new TcpTestbed(config(2, 1)))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            // A half-open connection fills the backlog of one: every later SYN is answered with a cookie.
            tb.inject(Seg.of(SYN, 77, 0).ports(PEER_PORT, LOCAL_PORT).mss(1460));
            tb.discardOutput();
            tb.advance(10 * MS);
            at = tb.now;
            fresh = cookieConnection(tb);
        }
        try (TcpTestbed tb = new TcpTestbed(config(2, 1)))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.inject(Seg.of(SYN, 77, 0).ports(PEER_PORT, LOCAL_PORT).mss(1460));
            tb.discardOutput();
            final TcpConnection dirty = dirtyConnection(tb, PEER_PORT + 1);
            assertTrue(tb.now <= at, "the reused run catches up to the fresh run's clock");
            tb.now = at;
            final List<String> reused = cookieConnection(tb);
            assertSame(dirty, tb.handler.last, "the second connection reuses the first one's object");
            assertEquals(fresh, reused);
        }
    }

    /** Passive open with a full handshake on the only connection object, after a dirty connection. */
    private static List<String> passiveConnection(final TcpTestbed tb)
    {
        final List<String> wire = new ArrayList<>();
        tb.inject(Seg.of(SYN, NEW_ISS, 0).ports(NEW_PORT, LOCAL_PORT).mss(1400).sackPermitted().ts(5000, 0));
        final Seg synAck = tb.expectAnySeq(SYN | ACK, NEW_ISS + 1);
        wire.add(synAck.toString());
        tb.inject(Seg.of(ACK, NEW_ISS + 1, synAck.seq + 1).ports(NEW_PORT, LOCAL_PORT).window(3000)
            .ts(5001, synAck.tsVal));
        final TcpConnection c = tb.handler.last;
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(3000, c.peerWindow(), "no window scale offered: the window is not scaled");
        tb.inject(Seg.of(ACK | PSH, NEW_ISS + 1, synAck.seq + 1).ports(NEW_PORT, LOCAL_PORT).window(3000)
            .ts(5002, synAck.tsVal).payload(100, 7));
        tb.advance(50 * MS);
        wire.add(tb.expect(ACK, synAck.seq + 1, NEW_ISS + 101).toString());
        assertEquals(5000, c.send(new UnsafeBuffer(new byte[5000]), 0, 5000, tb.now));
        // As much as the peer's 3000-byte window takes: two full segments, the runt waits (SWS avoidance).
        while (tb.out.segments.peek() != null)
        {
            wire.add(tb.expect().toString());
        }
        assertEquals(4, wire.size(), "SYN-ACK, ACK, two data segments: " + wire);
        tb.expectNothing();
        return wire;
    }

    @Test
    void passiveConnectionOnAReusedObjectMatchesOneOnAFreshLayer()
    {
        final List<String> fresh;
        final long at;
        try (TcpTestbed tb = new TcpTestbed(config(1, 4)))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.advance(10 * MS);
            at = tb.now;
            fresh = passiveConnection(tb);
        }
        try (TcpTestbed tb = new TcpTestbed(config(1, 4)))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            final TcpConnection dirty = dirtyConnection(tb, PEER_PORT + 1);
            tb.now = at;
            final List<String> reused = passiveConnection(tb);
            assertSame(dirty, tb.handler.last, "the second connection reuses the first one's object");
            assertEquals(fresh, reused);
        }
    }
}
