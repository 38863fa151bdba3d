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
 * A FIN takes a sequence number, so it waits for room in the peer's window like data (as Linux's
 * tcp_snd_wnd_test): with the window closed, FIN_WAIT_1 probes the window and never runs into the
 * retransmission limit of a FIN the peer cannot accept.
 */
@Timeout(30)
class TcpFinWindowTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    private TcpTestbed tb;
    private int iss;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig().maxRetransmissions(3));
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    private TcpConnection establish(final int peerWindow)
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
        iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(peerWindow));
        return tb.handler.last;
    }

    /** Runs the clock in 100 ms steps (the probe interval backs off up to 60 s) until a segment goes out. */
    private void advanceUntilSent()
    {
        for (int i = 0; i < 1000 && tb.out.segments.peek() == null; i++)
        {
            tb.advance(100 * MS);
        }
    }

    @Test
    void finWaitsForAClosedWindowAndProbesItBeyondTheRetransmissionLimit()
    {
        final TcpConnection c = establish(1000);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(0));
        c.close(tb.now);
        assertEquals(TcpState.FIN_WAIT_1, c.state());
        tb.expectNothing();
        // More zero-window probes than the retransmission limit (3) allows retransmissions: each is
        // answered with the window still closed, and the connection stays.
        for (int probe = 1; probe <= 6; probe++)
        {
            advanceUntilSent();
            final Seg p = tb.expect(ACK, iss, PEER_ISS + 1);
            assertEquals(0, p.payload.length, "a FIN-only probe carries an old sequence number, no data");
            tb.expectNothing();
            tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(0));
            tb.expectNothing();
            assertEquals(TcpState.FIN_WAIT_1, c.state(), "probe " + probe);
        }
        assertEquals(6, tb.layer.counters().zeroWindowProbes);
        assertEquals(0, tb.layer.counters().connectionsTimedOut);
        // The window opens: the FIN goes out, is acknowledged, FIN_WAIT_2.
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(10));
        tb.expect(ACK | FIN, iss + 1, PEER_ISS + 1);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 2).window(10));
        assertEquals(TcpState.FIN_WAIT_2, c.state());
    }

    @Test
    void dataThatFillsTheWindowGoesWithoutItsFin()
    {
        final TcpConnection c = establish(100);
        assertEquals(100, c.send(new UnsafeBuffer(new byte[100]), 0, 100, tb.now));
        c.close(tb.now);
        // 100 bytes fill the 100-byte window exactly: the FIN would be one beyond it.
        tb.expect(ACK | PSH, iss + 1, PEER_ISS + 1);
        tb.expectNothing();
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 101).window(0));
        tb.expectNothing();
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 101).window(1));
        tb.expect(ACK | FIN, iss + 101, PEER_ISS + 1);
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 102).window(1));
        assertEquals(TcpState.FIN_WAIT_2, c.state());
    }
}
