package io.pktstore.stack.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A connection whose output found the TX ring full waits in the layer's retry list for the next poll.
 * The list has one slot per connection object, so a connection must be in it at most once however
 * often it is refused within one duty cycle.
 */
@Timeout(30)
class TcpTxFullTest
{
    private static final int PEER_ISS = 1_000_000;

    @Test
    void aConnectionRefusedByAFullTxRingManyTimesInOneCycleIsRetriedOnce()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig().maxConnections(2)))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
            final int iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
            tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(1000));
            final TcpConnection c = tb.handler.last;
            tb.out.refuseNext = 1_000;
            assertEquals(100, c.send(new UnsafeBuffer(new byte[100]), 0, 100, tb.now));
            // Every segment from the peer runs output again, which the full ring refuses again.
            for (int i = 0; i < 5; i++)
            {
                tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(1000 + i));
            }
            tb.out.refuseNext = 0;
            tb.layer.poll(tb.now);
            tb.expect(ACK | PSH, iss + 1, PEER_ISS + 1);
            tb.expectNothing();
            assertEquals(TcpState.ESTABLISHED, c.state());
        }
    }
}
