package io.pktstore.stack.tcp;

import org.junit.jupiter.api.Test;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** ISNs with and without RFC 6528's clock, for captures injected into a live stack. */
class ReplayIsnTest
{
    private static final int PEER_ISS = 77_000;

    /** @return the ISN of the SYN-ACK a fresh layer answers a SYN with at {@code nowNs}. */
    private static int synAckIsn(final TcpConfig config, final long nowNs)
    {
        try (TcpTestbed tb = new TcpTestbed(config))
        {
            tb.now = nowNs;
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.inject(peer(SYN, PEER_ISS, 0).mss(1460));
            return tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
        }
    }

    @Test
    void withoutTheClockTheSameSeedGivesATupleTheSameIsnAtAnyTime()
    {
        final int early = synAckIsn(TcpTestbed.defaultConfig().isnWithoutClock(true), 1_000_000_000L);
        final int late = synAckIsn(TcpTestbed.defaultConfig().isnWithoutClock(true), 987_654_321_000L);
        assertEquals(early, late);
        assertNotEquals(early, synAckIsn(TcpTestbed.defaultConfig().seed(99).isnWithoutClock(true), 1_000_000_000L),
            "still keyed by the seed");
    }

    @Test
    void withTheClockTheIsnMovesOnWithTime()
    {
        final int early = synAckIsn(TcpTestbed.defaultConfig(), 1_000_000_000L);
        final int late = synAckIsn(TcpTestbed.defaultConfig(), 1_004_000_000L);
        assertEquals(1000, late - early, "M ticks every 4 us: 4 ms later, 1000 more");
    }
}
