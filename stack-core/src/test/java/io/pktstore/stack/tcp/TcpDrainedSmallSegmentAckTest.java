package io.pktstore.stack.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A sender using Nagle's algorithm (the kernel's default) keeps its next small segment until the last
 * one is acknowledged. With only "ACK every second segment, else after 40 ms", a stream of small
 * writes into a server that answers nothing ran at half its speed or worse. As Linux does
 * (tcp_cleanup_rbuf), once the application has consumed everything that arrived and a segment shorter
 * than a full one is among it, the ACK goes at once, unless the application answers what it receives:
 * then its reply carries the ACK and no pure ACK is added (request/response keeps one segment each way).
 */
@Timeout(30)
class TcpDrainedSmallSegmentAckTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    /** A full segment without timestamps: our MSS, 1500 - 40. */
    private static final int FULL = 1460;
    private TcpTestbed tb;
    private TcpConnection c;
    private int iss;
    private int peerSeq;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig());
        tb.layer.listen(LOCAL_PORT, tb.handler);
        tb.inject(peer(SYN, PEER_ISS, 0).mss(1460).windowScale(7).sackPermitted());
        iss = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1).seq;
        tb.inject(peer(ACK, PEER_ISS + 1, iss + 1).window(512));
        c = tb.handler.last;
        peerSeq = PEER_ISS + 1;
        tb.expectNothing();
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    private void data(final int length)
    {
        tb.inject(peer(ACK | PSH, peerSeq, iss + 1).window(512).payload(length, 3));
        peerSeq += length;
    }

    @Test
    void aSmallSegmentTheApplicationDrainedIsAcknowledgedAtOnce()
    {
        data(100);
        tb.expect(ACK, iss + 1, peerSeq);
        data(1000);
        tb.expect(ACK, iss + 1, peerSeq);
        tb.advance(41 * MS);
        tb.expectNothing();   // nothing was left owed
    }

    @Test
    void fullSegmentsKeepTheAckForEverySecondOne()
    {
        data(FULL);
        tb.expectNothing();
        data(FULL);
        tb.expect(ACK, iss + 1, peerSeq);
        data(FULL);
        tb.expectNothing();
        tb.advance(41 * MS);
        tb.expect(ACK, iss + 1, peerSeq);   // the delayed ACK
    }

    @Test
    void aSmallSegmentNotYetConsumedWaitsUntilTheApplicationConsumesIt()
    {
        tb.handler.autoConsume = false;
        data(100);
        tb.expectNothing();
        tb.advance(10 * MS);
        tb.expectNothing();
        c.consumed(100, tb.now);
        tb.expect(ACK, iss + 1, peerSeq);
    }

    @Test
    void anApplicationThatAnswersLetsItsReplyCarryTheAckUntilADelayedAckFires()
    {
        // A reply sent: from now on this connection answers what it receives.
        assertEquals(5, c.send(new UnsafeBuffer("+OK\r\n".getBytes()), 0, 5, tb.now));
        tb.expect(ACK | PSH, iss + 1, peerSeq);
        int ourSeq = iss + 6;
        tb.inject(peer(ACK, peerSeq, ourSeq).window(512));

        data(30);   // a request: consumed at once, but no pure ACK of its own ...
        tb.expectNothing();
        assertEquals(5, c.send(new UnsafeBuffer("+OK\r\n".getBytes()), 0, 5, tb.now));
        tb.expect(ACK | PSH, ourSeq, peerSeq);   // ... the reply carries it
        ourSeq += 5;
        tb.inject(peer(ACK, peerSeq, ourSeq).window(512));

        data(30);   // a request this time left unanswered: the delayed ACK, 40 ms later
        tb.expectNothing();
        tb.advance(41 * MS);
        tb.expect(ACK, ourSeq, peerSeq);
        data(30);   // the application stopped answering in time: small segments get their ACK at once again
        tb.expect(ACK, ourSeq, peerSeq);
    }
}
