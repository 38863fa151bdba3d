package io.pktstore.stack.tcp;

import io.pktstore.arena.Arena;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpConnection#sendRecords} respects the send buffer as {@link TcpConnection#send} does: it takes
 * records from the head of the chain while they fit and returns the first one it did not take, which stays
 * the caller's with everything after it.
 */
@Timeout(30)
class SendRecordsTest
{
    private static final int PEER_ISS = 1_000_000;

    private static int iss;

    private static TcpConnection establish(final TcpTestbed tb, final TcpHandler handler)
    {
        tb.layer.listen(LOCAL_PORT, handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
        iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(65535));
        return tb.handler.last;
    }

    /** A record of {@code length} bytes of {@code fill} in a fresh arena buffer, linked to {@code next}. */
    private static int record(final TcpTestbed tb, final int length, final int fill, final int next)
    {
        final int buffer = tb.arena.allocateBuffer();
        assertTrue(buffer != Arena.NONE);
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte)fill);
        new UnsafeBuffer(tb.arena.bufferAddress(buffer), tb.arena.bufferSize()).putBytes(0, bytes);
        final int r = tb.pool.adopt(buffer);
        tb.pool.view(r).dataOffset(0).dataLength(length).next(next);
        return r;
    }

    @Test
    void takesWhatFitsTheSendBufferAndReturnsTheRestToTheCaller()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig().sendBufferBytes(3500)))
        {
            final TcpConnection c = establish(tb, tb.handler);
            final int third = record(tb, 1000, 3, PacketRecord.NO_RECORD);
            final int second = record(tb, 1000, 2, third);
            final int first = record(tb, 2000, 1, second);
            assertEquals(third, c.sendRecords(first, tb.now), "2000 + 1000 fit 3500; the third record does not");
            assertEquals(3000, c.sendQueued());
            assertEquals(500, c.sendSpace());
            assertEquals(PacketRecord.NO_RECORD, tb.pool.view(third).next(), "the rest of the chain is intact");
            assertTrue(tb.arena.isRecordAllocated(third), "still the caller's: not released");
            while (tb.out.segments.peek() != null)
            {
                tb.expect();
            }
            // The peer acknowledges the first 2000 bytes: room for the rest.
            tb.inject(peer(ACK, PEER_ISS + 1, iss + 1 + 2000).window(65535));
            assertEquals(PacketRecord.NO_RECORD, c.sendRecords(third, tb.now));
            assertEquals(2000, c.sendQueued());
        }
    }

    @Test
    void aConnectionThatNoLongerSendsLeavesTheWholeChainWithTheCaller()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig()))
        {
            final TcpConnection c = establish(tb, tb.handler);
            c.close(tb.now);
            final int second = record(tb, 10, 2, PacketRecord.NO_RECORD);
            final int first = record(tb, 10, 1, second);
            final int freeBefore = tb.arena.freeBufferCount();
            assertEquals(first, c.sendRecords(first, tb.now));
            assertEquals(second, tb.pool.view(first).next());
            assertEquals(freeBefore, tb.arena.freeBufferCount(), "nothing released");
            tb.pool.releaseChain(first);
        }
    }

    @Test
    void echoServerHoldsWhatTheSendBufferCannotTakeAndSendsItInOrderAsAcksArrive()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig().sendBufferBytes(3000).delayedAckNs(0)))
        {
            final EchoServer echo = EchoServer.listen(tb.layer, tb.pool, LOCAL_PORT);
            tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
            iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
            tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(65535));
            // 8 requests of 1000 bytes each; only 3000 bytes of echo fit the send buffer at a time.
            final ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (int i = 0; i < 8; i++)
            {
                final byte[] request = new byte[1000];
                Arrays.fill(request, (byte)('a' + i));
                sent.writeBytes(request);
                tb.inject(peer(ACK | PSH, PEER_ISS + 1 + 1000 * i, iss + 1).window(65535).payload(request));
            }
            final ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            for (int round = 0; round < 20 && echoed.size() < 8000; round++)
            {
                int acked = -1;
                while (tb.out.segments.peek() != null)
                {
                    final Seg s = tb.expect();
                    if (s.payload.length > 0)
                    {
                        assertEquals(iss + 1 + echoed.size(), s.seq, "in order, nothing twice");
                        echoed.writeBytes(s.payload);
                        acked = s.seq + s.payload.length;
                    }
                }
                if (acked != -1)
                {
                    tb.inject(peer(ACK, PEER_ISS + 8001, acked).window(65535));
                }
            }
            assertArrayEquals(sent.toByteArray(), echoed.toByteArray());
            assertEquals(8000, echo.bytesEchoed());
        }
    }
}
