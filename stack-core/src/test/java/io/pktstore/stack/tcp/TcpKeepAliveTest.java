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
import static io.pktstore.stack.tcp.wire.TcpHeader.RST;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keep-alive (RFC 9293 3.8.4, RFC 1122 4.2.3.6), off by default and per connection, and the FIN_WAIT_2
 * timeout (as Linux's tcp_fin_timeout): a server must not hold a connection forever for a peer that
 * vanished.
 */
@Timeout(30)
class TcpKeepAliveTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private TcpTestbed tb;
    private int iss;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig().keepAlive(10 * S, S, 3).finWait2TimeoutNs(5 * S));
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    private TcpConnection establish()
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
        iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(1000));
        return tb.handler.last;
    }

    @Test
    void keepAliveIsOffByDefault()
    {
        final TcpConnection c = establish();
        assertFalse(c.keepAliveOn());
        tb.advance(30 * S);
        tb.advance(30 * S);
        tb.expectNothing();
        assertEquals(TcpState.ESTABLISHED, c.state());
    }

    @Test
    void anIdlePeerIsProbedAndResetAfterTheLastUnansweredProbe()
    {
        final TcpConnection c = establish();
        c.keepAlive(true, tb.now);
        tb.advance(10 * S - 10 * MS);
        tb.expectNothing();
        tb.advance(20 * MS);
        // A probe: an ACK one below SND.UNA, no data, which the peer must answer.
        final Seg probe = tb.expect(ACK, iss, PEER_ISS + 1);
        assertEquals(0, probe.payload.length);
        tb.advance(S);
        tb.expect(ACK, iss, PEER_ISS + 1);
        tb.advance(S);
        tb.expect(ACK, iss, PEER_ISS + 1);
        tb.expectNothing();
        assertEquals(TcpState.ESTABLISHED, c.state());
        tb.advance(S);
        tb.expect(RST | ACK, iss + 1, PEER_ISS + 1);
        assertEquals(TcpCloseReason.TIMED_OUT, tb.handler.closeReason);
        assertEquals(3, tb.layer.counters().keepAliveProbes);
        assertEquals(1, tb.layer.counters().keepAliveTimeouts);
        assertEquals(0, tb.layer.connectionCount());
    }

    @Test
    void anAnsweredProbeKeepsTheConnectionAndTheNextWaitsAWholeIdleTime()
    {
        final TcpConnection c = establish();
        c.keepAlive(true, tb.now);
        tb.advance(10 * S + 10 * MS);
        tb.expect(ACK, iss, PEER_ISS + 1);
        tb.advance(5 * MS);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(1000));
        tb.advance(5 * S);
        tb.advance(4 * S);
        tb.expectNothing();
        tb.advance(2 * S);
        tb.expect(ACK, iss, PEER_ISS + 1);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(0, tb.layer.counters().keepAliveTimeouts);
    }

    @Test
    void noProbeWhileDataIsInFlight()
    {
        final TcpConnection c = establish();
        c.keepAlive(true, tb.now);
        tb.advance(9 * S);
        c.send(new UnsafeBuffer(new byte[10]), 0, 10, tb.now);
        tb.expect(ACK | PSH, iss + 1, PEER_ISS + 1);
        tb.advance(2 * S);
        // Only retransmissions of the data (the retransmission timer's business), no keep-alive probe.
        while (tb.out.segments.peek() != null)
        {
            final Seg s = tb.expect();
            assertEquals(iss + 1, s.seq, "a retransmission, not a probe: " + s);
        }
        assertEquals(0, tb.layer.counters().keepAliveProbes);
    }

    @Test
    void finWait2EndsWhenThePeerStaysSilentButNotWhileItStillSends()
    {
        final TcpConnection c = establish();
        c.close(tb.now);
        tb.expect(ACK | FIN, iss + 1, PEER_ISS + 1);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 2).window(1000));
        assertEquals(TcpState.FIN_WAIT_2, c.state());
        // The peer still sends (a half-close): its data keeps the connection.
        tb.advance(4 * S);
        tb.inject(peer(ACK | PSH, PEER_ISS + 1, iss + 2).window(1000).payload(10, 1));
        tb.advance(4 * S);
        tb.discardOutput();
        assertEquals(TcpState.FIN_WAIT_2, c.state());
        assertEquals(10, tb.handler.received.size());
        // Then nothing for the whole timeout: the connection ends quietly (as Linux), TIMED_OUT.
        tb.advance(2 * S);
        tb.expectNothing();
        assertEquals(TcpCloseReason.TIMED_OUT, tb.handler.closeReason);
        assertEquals(1, tb.layer.counters().finWait2Timeouts);
        assertEquals(0, tb.layer.connectionCount());
        // The peer's late FIN meets a closed port.
        tb.inject(peer(ACK | FIN, PEER_ISS + 11, iss + 2).window(1000));
        assertTrue(tb.expect().has(RST));
    }
}
