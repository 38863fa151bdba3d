package io.pktstore.stack.tcp;

import io.pktstore.stack.app.ReplyingDiscardServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Discard with a reply answers once per whole request of the agreed size, however the requests are
 * cut into segments, and keeps no received buffer (only its replies, until they are acknowledged).
 */
@Timeout(30)
class ReplyingDiscardServerTest
{
    @Test
    void answersEachWholeRequestOnceWhateverTheSegmentation()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig()))
        {
            final byte[] reply = "+OK\r\n".getBytes();
            final ReplyingDiscardServer server = ReplyingDiscardServer.listen(tb.layer, tb.pool, LOCAL_PORT, 10, reply);
            tb.inject(peer(SYN, 100, 0).mss(1460));
            final int iss = tb.expectAnySeq(SYN | ACK, 101).seq;
            tb.inject(peer(ACK, 101, iss + 1).window(65535));
            final int freeBefore = tb.arena.freeBufferCount();

            tb.inject(peer(ACK | PSH, 101, iss + 1).window(65535).payload(7, 1));   // 7 of the first request
            // Nothing of ours has shown that replies will carry the ACKs: the drained small segment is
            // acknowledged at once (a Nagle client waits for that ACK before it sends the rest).
            tb.expect(ACK, iss + 1, 108);
            tb.advance(0);
            assertEquals(0, server.replies(), "no reply before the request is whole");
            tb.inject(peer(ACK | PSH, 108, iss + 1).window(65535).payload(3, 1));   // its last 3
            assertArrayEquals(reply, tb.expect(ACK | PSH, iss + 1, 111).payload);
            tb.inject(peer(ACK | PSH, 111, iss + 6).window(65535).payload(20, 1));   // two whole requests at once
            final Seg two = tb.expect(ACK | PSH, iss + 6, 131);
            assertArrayEquals("+OK\r\n+OK\r\n".getBytes(), two.payload);
            assertEquals(3, server.replies());
            tb.inject(peer(ACK, 131, iss + 16).window(65535));   // the replies acknowledged: nothing left to retransmit
            tb.advance(0);
            tb.advance(0);
            // Now that the server answers, a partial request waits for its reply to carry the ACK ...
            tb.inject(peer(ACK | PSH, 131, iss + 16).window(65535).payload(4, 1));
            tb.advance(0);
            tb.expectNothing();
            tb.inject(peer(ACK | PSH, 135, iss + 16).window(65535).payload(6, 1));
            assertArrayEquals(reply, tb.expect(ACK | PSH, iss + 16, 141).payload);
            tb.inject(peer(ACK, 141, iss + 21).window(65535));
            tb.advance(0);
            tb.advance(0);
            assertEquals(freeBefore, tb.arena.freeBufferCount(), "no received buffer is kept");
        }
    }
}
