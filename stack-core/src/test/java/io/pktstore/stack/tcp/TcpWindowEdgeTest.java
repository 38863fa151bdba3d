package io.pktstore.stack.tcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The right edge of the window we announce (SEG.ACK + SEG.WND, scaled) never moves left (RFC 9293
 * 3.8.6.2.2, RFC 7323 2.4). Scaling rounds the window down to a multiple of 2^shift, which alone would
 * pull the edge back by up to 2^shift - 1 bytes after a segment whose length is no such multiple; a peer
 * that filled the window then sends its ACKs at its window end, below our RCV.NXT, and each of them is
 * unacceptable and answered with one more ACK (Linux rounds up, tcp_select_window).
 */
@Timeout(30)
class TcpWindowEdgeTest
{
    private static final int PEER_ISS = 1_000_000;

    @Test
    void announcedRightEdgeNeverMovesLeftAcrossOddSizedSegments()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig().delayedAckNs(0)))
        {
            tb.handler.autoConsume = false;
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.inject(peer(SYN, PEER_ISS, 0).mss(1460).windowScale(7));
            final int iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
            tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512));
            long highestEdge = Long.MIN_VALUE;
            int seq = PEER_ISS + 1;
            for (int i = 0; i < 40; i++)
            {
                final int length = 100 + 37 * i;   // never a multiple of 128 for long
                tb.inject(peer(ACK | PSH, seq, iss + 1).window(512).payload(length, i));
                seq += length;
                final Seg ack = tb.expect(ACK, iss + 1, seq);
                final long edge = Integer.toUnsignedLong(seq - PEER_ISS) + ((long)ack.window << 7);
                assertTrue(edge >= highestEdge, "segment " + i + ": edge " + edge + " moved left of " + highestEdge);
                highestEdge = edge;
            }
            assertEquals(0, tb.layer.counters().dropOutOfWindow);
        }
    }
}
