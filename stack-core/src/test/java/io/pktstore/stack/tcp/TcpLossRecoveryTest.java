package io.pktstore.stack.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.pktstore.stack.tcp.TcpTestbed.LOCAL_PORT;
import static io.pktstore.stack.tcp.TcpTestbed.peer;
import static io.pktstore.stack.tcp.wire.TcpHeader.ACK;
import static io.pktstore.stack.tcp.wire.TcpHeader.PSH;
import static io.pktstore.stack.tcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Send/expect tests of loss recovery as a Linux peer drives it: duplicate ACKs that carry data or a new
 * window (an echo or request/response peer), several holes in one window repaired from SACK blocks within
 * one round trip, the RTO backoff ended by the ACK of new data, and reneging (RFC 2018 8).
 */
@Timeout(30)
class TcpLossRecoveryTest
{
    private static final int PEER_ISS = 1_000_000;
    private static final long MS = 1_000_000L;
    private TcpTestbed tb;
    private int iss;
    private int peerSeq;
    private Integer lastTsVal;

    @BeforeEach
    void setUp()
    {
        tb = new TcpTestbed(TcpTestbed.defaultConfig());
    }

    @AfterEach
    void tearDown()
    {
        tb.close();
    }

    /** Passive open with SACK (and timestamps if asked); the peer's window is 512 << 7. */
    private TcpConnection establish(final boolean timestamps)
    {
        tb.layer.listen(LOCAL_PORT, tb.handler);
        final Seg syn = peer(SYN, PEER_ISS, 0).mss(1460).windowScale(7).sackPermitted();
        tb.inject(timestamps ? syn.ts(100, 0) : syn);
        final Seg synAck = tb.expectAnySeq(SYN | ACK, PEER_ISS + 1);
        iss = synAck.seq;
        lastTsVal = synAck.tsVal;
        peerSeq = PEER_ISS + 1;
        tb.inject(stamp(peer(ACK, peerSeq, iss + 1).window(512)));
        tb.expectNothing();
        return tb.handler.last;
    }

    /** Adds the peer's timestamps (echoing our last TSval) when they were negotiated. */
    private Seg stamp(final Seg s)
    {
        return lastTsVal == null ? s : s.ts(200, lastTsVal);
    }

    private static UnsafeBuffer bytes(final int length)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(i * 7);
        }
        return new UnsafeBuffer(b);
    }

    /** Sends n full segments and returns the sequence numbers of segment 0..n (n = the end). */
    private int[] sendSegments(final TcpConnection c, final int n)
    {
        final int payload = c.mss() - (lastTsVal == null ? 0 : 12);
        c.send(bytes(n * payload), 0, n * payload, tb.now);
        final int[] seqs = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            final Seg s = tb.expect();
            assertEquals(payload, s.payload.length);
            seqs[i] = s.seq;
        }
        seqs[n] = seqs[n - 1] + payload;
        tb.expectNothing();
        return seqs;
    }

    /** An ACK from the peer at {@code ack} with SACK blocks given as [left, right) pairs. */
    private Seg ackWithSack(final int ack, final int... edges)
    {
        final Seg s = stamp(peer(ACK, peerSeq, ack).window(512));
        for (int i = 0; i < edges.length; i += 2)
        {
            s.sackBlocks.add(new int[] {edges[i], edges[i + 1]});
        }
        return s;
    }

    /** Drains what the layer emitted; returns the sequence numbers of the segments that carried data. */
    private List<Integer> dataSegmentsOut()
    {
        final List<Integer> seqs = new ArrayList<>();
        while (tb.out.segments.peek() != null)
        {
            final Seg s = tb.expect();
            if (s.payload.length > 0)
            {
                seqs.add(s.seq);
            }
        }
        return seqs;
    }

    @Test
    void duplicateAcksThatCarryDataOrChangeTheWindowTriggerFastRetransmit()
    {
        final TcpConnection c = establish(false);
        // Five small replies, one segment each (a request/response peer): too few SACKed bytes for IsLost,
        // so only the count of duplicate ACKs can start recovery (RFC 6675 5 step 1).
        final int[] s = new int[6];
        for (int i = 0; i < 5; i++)
        {
            assertEquals(100, c.send(bytes(100), 0, 100, tb.now));
            s[i] = tb.expect().seq;
        }
        s[5] = s[4] + 100;
        // Reply 0 is lost. The peer keeps sending its own data and its window moves: no ACK below is a
        // duplicate by RFC 5681's definition, but each brings new SACK information.
        tb.inject(ackWithSack(s[0], s[1], s[2]).payload(100, 1));
        peerSeq += 100;
        assertEquals(List.of(), dataSegmentsOut(), "one duplicate: nothing resent");
        tb.inject(ackWithSack(s[0], s[1], s[3]).window(600));
        assertEquals(List.of(), dataSegmentsOut(), "two duplicates: nothing resent");
        tb.inject(ackWithSack(s[0], s[1], s[4]).window(700).payload(100, 2));
        peerSeq += 100;
        final List<Integer> out = dataSegmentsOut();
        assertEquals(List.of(s[0], s[4]), out, "the third duplicate (data and a new window) starts recovery: " +
            "the lost reply goes at once, then, once per recovery, the last unSACKed one (RFC 6675 NextSeg rule 4)");
        assertEquals(1, tb.layer.counters().fastRetransmits);
        assertEquals(0, tb.layer.counters().rtoExpiries);
        assertTrue(c.congestionControl().inRecovery());
        assertEquals(200, tb.handler.received.size(), "and the peer's data was taken");
        // The resend arrives: everything is acknowledged, recovery ends.
        tb.inject(ackWithSack(s[5]));
        assertFalse(c.congestionControl().inRecovery());
        assertEquals(0, c.sendQueued());
    }

    @Test
    void severalHolesInOneWindowAreResentFromSackBlocksWithinOneRoundTrip()
    {
        final TcpConnection c = establish(false);
        final int[] s = sendSegments(c, 10);
        // Segments 1, 4 and 7 are lost; the peer ACKs every other segment at once as a receiver does.
        final List<Integer> resent = new ArrayList<>();
        tb.inject(ackWithSack(s[1]));
        resent.addAll(dataSegmentsOut());
        tb.inject(ackWithSack(s[1], s[2], s[3]));
        tb.inject(ackWithSack(s[1], s[2], s[4]));
        resent.addAll(dataSegmentsOut());
        tb.inject(ackWithSack(s[1], s[5], s[6], s[2], s[4]));
        resent.addAll(dataSegmentsOut());
        tb.inject(ackWithSack(s[1], s[5], s[7], s[2], s[4]));
        resent.addAll(dataSegmentsOut());
        tb.inject(ackWithSack(s[1], s[8], s[9], s[5], s[7], s[2], s[4]));
        resent.addAll(dataSegmentsOut());
        tb.inject(ackWithSack(s[1], s[8], s[10], s[5], s[7], s[2], s[4]));
        resent.addAll(dataSegmentsOut());
        // Before any resend could be acknowledged (one round trip), every hole went again, once each.
        assertEquals(List.of(s[1], s[4], s[7]), resent);
        assertEquals(1, tb.layer.counters().fastRetransmits, "one recovery for the whole window");

        // The resends arrive: partial ACKs, then the full ACK ends recovery; nothing is sent twice.
        tb.inject(ackWithSack(s[4], s[8], s[10], s[5], s[7]));
        tb.inject(ackWithSack(s[7], s[8], s[10]));
        tb.inject(ackWithSack(s[10]));
        assertEquals(List.of(), dataSegmentsOut());
        assertFalse(c.congestionControl().inRecovery());
        assertEquals(0, c.sendQueued());
        assertEquals(0, tb.layer.counters().rtoExpiries);
        assertEquals(3, tb.layer.counters().retransmits);
    }

    @Test
    void aResendLostAgainIsFoundFromTheAcksOfLaterDataNotByTheTimer()
    {
        final TcpConnection c = establish(false);
        final int payload = c.mss();
        final int[] s = sendSegments(c, 10);
        // More data waits; segment 0 is lost.
        assertEquals(20 * payload, c.send(bytes(20 * payload), 0, 20 * payload, tb.now));
        tb.expectNothing();
        final List<Integer> out = new ArrayList<>();
        for (int i = 2; i <= 4; i++)
        {
            tb.inject(ackWithSack(s[0], s[1], s[i]));
            out.addAll(dataSegmentsOut());
        }
        assertEquals(1, out.stream().filter(q -> q == s[0]).count(), "fast retransmit: " + out);
        // Everything sent before the resend (new data went too, limited transmit) is the resend's marker.
        final int marker = out.stream().filter(q -> q != s[0]).mapToInt(q -> q + payload).max().orElse(s[10]);
        // The resend is lost too. The rest arrives, all of it SACKed; as pipe shrinks, new data goes.
        final List<Integer> after = new ArrayList<>();
        for (int edge = s[5]; edge - marker <= 0; edge += payload)
        {
            tb.inject(ackWithSack(s[0], s[1], edge));
            after.addAll(dataSegmentsOut());
        }
        assertTrue(!after.isEmpty() && !after.contains(s[0]), "new data after the resend, no resend yet: " + after);
        assertEquals(marker, (int)after.get(0));
        assertEquals(0, tb.layer.counters().lostRetransmits);
        // The peer SACKs the first segment sent after the resend: the resend was lost.
        tb.inject(ackWithSack(s[0], marker, marker + payload, s[1], marker));
        assertEquals(s[0], (int)dataSegmentsOut().get(0), "resent again at once");
        assertEquals(1, tb.layer.counters().lostRetransmits);
        assertEquals(0, tb.layer.counters().rtoExpiries);
    }

    @Test
    void rtoBackoffEndsWhenNewDataIsAcknowledged()
    {
        final TcpConnection c = establish(true);
        final long rto = c.retransmissionTimer().rtoNs();
        assertEquals(100, c.send(bytes(100), 0, 100, tb.now));
        tb.expect(ACK | PSH, iss + 1, peerSeq);
        tb.advance(rto + 2 * MS);
        tb.expect(ACK, iss + 1, peerSeq);
        tb.advance(2 * rto + 2 * MS);
        final Seg second = tb.expect(ACK, iss + 1, peerSeq);
        assertEquals(4 * rto, c.retransmissionTimer().rtoNs(), "backed off twice");
        // The second resend arrives; the peer's ACK echoes its timestamp (RFC 7323): a valid RTT sample
        // although the segment was retransmitted, so the backoff ends.
        tb.advance(5 * MS);
        tb.inject(peer(ACK, peerSeq, iss + 101).window(512).ts(201, second.tsVal));
        assertEquals(rto, c.retransmissionTimer().rtoNs(), "RTO back to its computed value");
        // The next loss waits one RTO, not the four of the previous episode.
        assertEquals(100, c.send(bytes(100), 0, 100, tb.now));
        tb.expect(ACK | PSH, iss + 101, peerSeq);
        tb.advance(rto - 2 * MS);
        tb.expectNothing();
        tb.advance(4 * MS);
        final Seg again = tb.expect(ACK, iss + 101, peerSeq);
        assertArrayEquals(bytes(100).byteArray(), again.payload);
        assertEquals(3, tb.layer.counters().rtoExpiries);
    }

    @Test
    void dataThePeerRenegedOnIsResentAfterTheTimeout()
    {
        final TcpConnection c = establish(false);
        final int[] s = sendSegments(c, 5);
        // The peer SACKs segment 3 above a hole at 1, then its cumulative ACK stops at segment 3: it
        // dropped the data it had SACKed (RFC 2018 8 allows it).
        tb.inject(ackWithSack(s[1], s[3], s[4]));
        tb.inject(ackWithSack(s[3]));
        assertTrue(c.congestionControl().renegingSuspected());
        assertEquals(List.of(), dataSegmentsOut());
        tb.advance(c.retransmissionTimer().rtoNs() + 2 * MS);
        assertEquals(List.of(s[3]), dataSegmentsOut(), "the timeout resends from SND.UNA, SACK marks cleared");
        assertEquals(1, tb.layer.counters().sackReneging);
        // Segment 3 arrives; with cwnd 2 segments the go-back-N goes on with segment 4.
        tb.inject(ackWithSack(s[4]));
        assertEquals(List.of(s[4]), dataSegmentsOut());
    }
}
