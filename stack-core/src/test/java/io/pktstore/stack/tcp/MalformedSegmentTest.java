package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.wire.TcpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted bytes: truncated headers, impossible Data Offsets, malformed options and random garbage
 * are counted and dropped; nothing throws, no arena buffer leaks, an established connection is not
 * disturbed.
 */
@Timeout(60)
class MalformedSegmentTest
{
    @Test
    void truncatedAndBadOffsetHeadersAreCountedAndDropped()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig()))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            assertFalse(tb.injectRaw(new byte[19]));
            final byte[] badOffset = new byte[20];
            badOffset[TcpHeader.DATA_OFFSET_OFFSET] = (byte)(15 << 4);   // 60-byte header in a 20-byte segment
            assertFalse(tb.injectRaw(badOffset));
            final byte[] tooSmall = new byte[24];
            tooSmall[TcpHeader.DATA_OFFSET_OFFSET] = (byte)(4 << 4);     // 16 < 20
            assertFalse(tb.injectRaw(tooSmall));
            assertEquals(3, tb.layer.counters().dropMalformedHeader);
            final byte[] badOption = new byte[24];
            badOption[TcpHeader.DST_PORT_OFFSET + 1] = (byte)LOCAL_PORT;
            badOption[TcpHeader.DATA_OFFSET_OFFSET] = (byte)(6 << 4);
            badOption[TcpHeader.FLAGS_OFFSET] = (byte)SYN;
            badOption[20] = 2;   // MSS kind
            badOption[21] = 9;   // runs past the option area
            assertFalse(tb.injectRaw(badOption));
            assertEquals(1, tb.layer.counters().dropMalformedOptions);
            tb.expectNothing();
            assertEquals(0, tb.layer.connectionCount(), "a malformed SYN creates no connection");
        }
    }

    @Test
    void randomGarbageNeverThrowsLeaksOrDisturbsAnEstablishedConnection()
    {
        try (TcpTestbed tb = new TcpTestbed(TcpTestbed.defaultConfig().maxConnections(256)))
        {
            tb.layer.listen(LOCAL_PORT, tb.handler);
            tb.inject(peer(SYN, 100, 0).mss(1460));
            final int iss = tb.expectAnySeq(SYN | ACK, 101).seq;
            tb.inject(peer(ACK, 101, iss + 1).window(1000));
            final TcpConnection c = tb.handler.last;
            final int freeBuffers = tb.arena.freeBufferCount();
            final SplittableRandom random = new SplittableRandom(4);
            for (int i = 0; i < 50_000; i++)
            {
                final byte[] b = new byte[random.nextInt(0, 120)];
                random.nextBytes(b);
                if (b.length > 4 && random.nextBoolean())
                {
                    // Aim half of them at the listening port, a quarter at the live connection's ports.
                    b[2] = 0;
                    b[3] = (byte)LOCAL_PORT;
                    if (random.nextBoolean())
                    {
                        b[0] = (byte)(TcpTestbed.PEER_PORT >> 8);
                        b[1] = (byte)TcpTestbed.PEER_PORT;
                    }
                }
                tb.injectRaw(b);
                if ((i & 1023) == 0)
                {
                    tb.discardOutput();
                    tb.advance(1_000_000L);
                }
            }
            tb.discardOutput();
            assertTrue(tb.layer.counters().dropMalformedHeader > 0);
            // Whatever random segments were accepted as data sit in the OOO queue or were delivered and
            // released; release the connection and every buffer must be back.
            c.abort(tb.now);
            tb.advance(1_000_000L);
            tb.advance(1_000_000L);   // send records are released one duty cycle late
            assertEquals(freeBuffers, tb.arena.freeBufferCount(), "no arena buffer leaked");
        }
    }
}
