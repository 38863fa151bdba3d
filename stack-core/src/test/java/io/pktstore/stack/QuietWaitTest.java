package io.pktstore.stack;

import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;
import io.pktstore.stack.tcp.TcpLayer;
import io.pktstore.stack.tcp.TcpState;
import io.pktstore.stack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.pktstore.stack.NetworkStackTest.ETH_ARP;
import static io.pktstore.stack.NetworkStackTest.OUR_IP;
import static io.pktstore.stack.NetworkStackTest.OUR_MAC;
import static io.pktstore.stack.NetworkStackTest.PEER_IP;
import static io.pktstore.stack.NetworkStackTest.PEER_MAC;
import static io.pktstore.stack.TestFrames.arp;
import static io.pktstore.stack.TestFrames.ethernet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * How long a quiet stack may wait for input ({@link NetworkStack#quietWaitNs}): until its transports' next
 * timer (the TCP layer's cheap bound agrees with a walk of every connection, also after a timer fired), a
 * short while when datagrams wait for ARP, never past the caller's cap; and the counters other threads read
 * are current once the stack is quiet, not up to a millisecond old.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuietWaitTest
{
    private static final long CAP = 10_000_000L;

    private final long[] now = {5_000_000_000L};
    private final InMemoryLink link = InMemoryLink.pair();
    private final NetworkStack stack = new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).build(),
        link.a(), new PacketRecordPool(TestArenas.arena(256, 256)), () -> now[0]);
    private final TcpLayer tcp = new TcpLayer(new TcpConfig().rto(1_000_000_000L, 200_000_000L, 60_000_000_000L),
        stack.ipv4Output(), stack.pool(), now[0]);
    private final RawPeer peer = new RawPeer(link.b());

    QuietWaitTest()
    {
        stack.registerTransport(TcpLayer.PROTOCOL_TCP, tcp);
    }

    @Test
    void waitsUntilTheNextTcpTimerAndShortlyWhileADatagramWaitsForArp()
    {
        stack.doWork();   // gratuitous ARP
        peer.drain(0);
        stack.doWork();
        assertEquals(CAP, stack.quietWaitNs(CAP), "no timer: the caller's cap");
        assertEquals(Long.MAX_VALUE, stack.quietWaitNs(Long.MAX_VALUE), "no timer, no cap: no limit");

        final TcpConnection c = tcp.connect(PEER_IP, 7, new Ignoring(), now[0]);
        assertNotNull(c);
        stack.doWork();   // the SYN waits for the peer's address: an ARP request leaves
        assertEquals(NetworkStack.PENDING_RECHECK_NS, stack.quietWaitNs(Long.MAX_VALUE),
            "a datagram waiting for ARP is looked at again soon");

        now[0] += 10_000;
        peer.drain(0);
        peer.send(ethernet(OUR_MAC, PEER_MAC, ETH_ARP, arp(2, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)), 0);
        stack.doWork();   // the ARP reply releases the SYN
        stack.doWork();
        assertEquals(TcpState.SYN_SENT, c.state());
        final long synRto = tcp.nextDeadlineNs();
        assertEquals(synRto - now[0], stack.quietWaitNs(Long.MAX_VALUE), "until the SYN's retransmission timer");
        assertEquals(CAP, stack.quietWaitNs(CAP), "never past the cap");

        now[0] = synRto;
        assertEquals(0, stack.quietWaitNs(CAP), "a timer due now: no wait");

        // The timer fires (the SYN goes again, the RTO backs off): the bound has passed and is found again.
        now[0] = synRto + 2_000_000;
        stack.doWork();
        stack.doWork();
        final long backedOff = tcp.nextDeadlineNs();
        assertEquals(2, tcp.counters().segmentsOut, "the SYN was sent again");
        assertEquals(backedOff - now[0], stack.quietWaitNs(Long.MAX_VALUE), "until the backed-off timer");
    }

    @Test
    void countersOtherThreadsReadAreCurrentOnceTheStackIsQuiet()
    {
        stack.doWork();   // gratuitous ARP: the first cycle with work publishes
        final StackCounters read = new StackCounters();
        now[0] += 10_000;
        peer.send(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)), 0);
        stack.doWork();   // 10 us later: answered, not yet published (at most every millisecond while working)
        stack.readCounters(read);
        final long arpBefore = read.get(StackCounters.ARP_RECEIVED_OK);
        now[0] += 10_000;
        stack.doWork();   // nothing to do: quiet
        stack.readCounters(read);
        assertEquals(stack.counters().get(StackCounters.ARP_RECEIVED_OK), read.get(StackCounters.ARP_RECEIVED_OK));
        assertEquals(arpBefore + 1, read.get(StackCounters.ARP_RECEIVED_OK),
            "the ARP request of the cycle before the quiet one is counted in what others read");
    }

    /** A handler for a connection whose events the test does not look at. */
    private static final class Ignoring implements TcpHandler
    {
        @Override
        public void onConnected(final TcpConnection connection, final long nowNs)
        {
        }

        @Override
        public void onData(final TcpConnection connection, final int record, final long nowNs)
        {
        }

        @Override
        public void onPeerClosed(final TcpConnection connection, final long nowNs)
        {
        }

        @Override
        public void onClosed(final TcpConnection connection, final int reason, final long nowNs)
        {
        }
    }
}
