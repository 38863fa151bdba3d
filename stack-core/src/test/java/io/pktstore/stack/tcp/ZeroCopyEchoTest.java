package io.pktstore.stack.tcp;

import io.pktstore.stack.app.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The echo server sends the received packet records themselves: the outgoing segment's data piece
 * points into the very arena buffer the request frame was received in (no copy), and the buffer is
 * given back to the arena once the echo is acknowledged.
 */
@Timeout(30)
class ZeroCopyEchoTest
{
    @Test
    void echoedPayloadIsGatheredFromTheReceivedBufferAndFreedOnAck()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig()))
        {
            EchoServer.listen(tb.layer, tb.pool, LOCAL_PORT);
            tb.inject(peer(SYN, 100, 0).mss(1460));
            final int iss = tb.expectAnySeq(SYN | ACK, 101).seq;
            tb.inject(peer(ACK, 101, iss + 1).window(65535));
            final int freeBefore = tb.arena.freeBufferCount();
            final byte[] request = "hello, zero copy".getBytes();
            assertTrue(tb.inject(peer(ACK | PSH, 101, iss + 1).window(65535).payload(request)));
            assertEquals(freeBefore - 1, tb.arena.freeBufferCount(), "the request frame's buffer is held as a record");
            final Seg echo = tb.expect(ACK | PSH, iss + 1, 101 + request.length);
            assertArrayEquals(request, echo.payload);
            assertEquals(2, tb.lastPieces.length, "header + one data piece");
            final long dataAddress = tb.lastPieces[1];
            boolean insideAReceiveBuffer = false;
            for (int b = 0; b < tb.arena.geometry().bufferCount(); b++)
            {
                final long start = tb.arena.bufferAddress(b);
                if (dataAddress >= start && dataAddress < start + tb.arena.bufferSize())
                {
                    insideAReceiveBuffer = tb.arena.isBufferAllocated(b) &&
                        dataAddress == start + TcpTestbed.ETH + TcpTestbed.IP + 20;
                }
            }
            assertTrue(insideAReceiveBuffer, "echo data gathered straight from the received frame's payload");
            tb.inject(peer(ACK, 101 + request.length, iss + 1 + request.length).window(65535));
            assertEquals(freeBefore - 1, tb.arena.freeBufferCount(),
                "not within the cycle of the ACK: a frame queued this cycle may still point into the buffer");
            tb.advance(0);   // poll of the next duty cycle
            tb.advance(0);
            assertEquals(freeBefore, tb.arena.freeBufferCount(), "acknowledged echo released the buffer");
        }
    }

    @Test
    void ackBelowTheAcceptableRangeGetsChallengeAck()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig()))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.inject(peer(SYN, 100, 0).mss(1460));
            final int iss = tb.expectAnySeq(SYN | ACK, 101).seq;
            tb.inject(peer(ACK, 101, iss + 1).window(1000));
            // RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND is a blind-injection attempt: challenge ACK.
            tb.inject(peer(ACK | PSH, 101, iss + 1 - 5000).window(1000).payload(10, 1));
            tb.expect(ACK, iss + 1, 101);
            assertEquals(1, tb.layer.counters().challengeAcks);
            assertEquals(0, tb.handler.received.size(), "its data is not accepted");
            // An ACK of data never sent is dropped with an ACK.
            tb.inject(peer(ACK, 101, iss + 100).window(1000));
            tb.expect(ACK, iss + 1, 101);
            assertEquals(2, tb.layer.counters().dropBadAck);
        }
    }
}
