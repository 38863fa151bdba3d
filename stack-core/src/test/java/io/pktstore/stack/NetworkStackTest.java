package io.pktstore.stack;

import io.pktstore.arena.Arena;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.pktstore.stack.TestFrames.arp;
import static io.pktstore.stack.TestFrames.concat;
import static io.pktstore.stack.TestFrames.ethernet;
import static io.pktstore.stack.TestFrames.icmpEcho;
import static io.pktstore.stack.TestFrames.ipv4;
import static io.pktstore.stack.TestFrames.padded;
import static io.pktstore.stack.TestFrames.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack below TCP against a raw peer on an in-memory link: every frame the stack sends is
 * compared byte for byte with one built independently by {@link TestFrames}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetworkStackTest
{
    static final long OUR_MAC = 0x0200_0000_0001L;
    static final long PEER_MAC = 0x0200_0000_0002L;
    static final int OUR_IP = Ipv4Address.parse("198.18.0.1");
    static final int PEER_IP = Ipv4Address.parse("198.18.0.2");
    static final int ETH_ARP = 0x0806;
    static final int ETH_IPV4 = 0x0800;
    static final int EXPERIMENTAL_PROTOCOL = 253;

    private final long[] now = {1_000_000_000L};
    private final InMemoryLink link = InMemoryLink.pair();
    private final Arena arena = TestArenas.arena(256, 128);
    private final PacketRecordPool pool = new PacketRecordPool(arena);
    private final List<Throwable> errors = new ArrayList<>();
    private final RecordingTransport tcpHandler = new RecordingTransport();
    private final NetworkStack stack = new NetworkStack(
        StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).build(), link.a(), pool, () -> now[0]);
    private final AgentInvoker invoker;
    private final RawPeer peer = new RawPeer(link.b());

    NetworkStackTest()
    {
        stack.registerTransport(6, tcpHandler);
        invoker = StackRunner.invoker(stack, errors::add);
    }

    @AfterEach
    void noErrorsEscaped()
    {
        invoker.close();
        assertTrue(errors.isEmpty(), () -> "errors escaped the duty cycle: " + errors);
        assertNull(stack.lastTransportError());
    }

    private List<byte[]> cycle()
    {
        invoker.invoke();
        return peer.receiveAll(now[0]);
    }

    private void started()
    {
        assertEquals(1, cycle().size(), "the announcement");
    }

    @Test
    void firstCycleAnnouncesOurAddressWithGratuitousArp()
    {
        final List<byte[]> frames = cycle();
        assertEquals(1, frames.size());
        assertArrayEquals(padded(ethernet(MacAddress.BROADCAST, OUR_MAC, ETH_ARP, arp(1, OUR_MAC, OUR_IP, 0, OUR_IP))), frames.get(0));
        assertEquals(1, stack.counters().get(StackCounters.ARP_ANNOUNCEMENTS_SENT));
        assertEquals(0, cycle().size(), "announced once");
    }

    @Test
    void answersArpRequestForOurAddressAndLearnsTheRequester()
    {
        started();
        peer.send(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)), now[0]);
        final List<byte[]> frames = cycle();
        assertEquals(1, frames.size());
        assertArrayEquals(padded(ethernet(PEER_MAC, OUR_MAC, ETH_ARP, arp(2, OUR_MAC, OUR_IP, PEER_MAC, PEER_IP))), frames.get(0));
        final int slot = stack.arp().cache().slot(PEER_IP);
        assertTrue(slot >= 0, "requester gleaned");
        assertEquals(PEER_MAC, stack.arp().cache().mac(slot));

        // A request for someone else: no answer, not learned, counted.
        final int other = Ipv4Address.parse("198.18.0.3");
        peer.send(ethernet(MacAddress.BROADCAST, 0x0200_0000_0009L, ETH_ARP, arp(1, 0x0200_0000_0009L, other, 0, PEER_IP)), now[0]);
        assertEquals(0, cycle().size());
        assertEquals(-1, stack.arp().cache().slot(other));
        assertEquals(1, stack.counters().get(StackCounters.ARP_NOT_FOR_US));
        assertEquals(1, stack.counters().get(StackCounters.ARP_REPLIES_SENT));
    }

    @Test
    void defendsOurAddressAgainstAProbeAndMergesAKnownNeighboursNewMac()
    {
        started();
        // RFC 5227 probe for our address (sender IP 0.0.0.0): answered, nothing learned.
        peer.send(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, 0, 0, OUR_IP)), now[0]);
        List<byte[]> frames = cycle();
        assertEquals(1, frames.size());
        assertArrayEquals(padded(ethernet(PEER_MAC, OUR_MAC, ETH_ARP, arp(2, OUR_MAC, OUR_IP, PEER_MAC, 0))), frames.get(0));
        assertEquals(0, stack.arp().cache().size());

        // Learn the peer, then its gratuitous announcement with a new MAC (target = its own IP) updates the entry.
        peer.send(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)), now[0]);
        cycle();
        final long newMac = 0x0200_0000_00AAL;
        peer.send(ethernet(MacAddress.BROADCAST, newMac, ETH_ARP, arp(1, newMac, PEER_IP, 0, PEER_IP)), now[0]);
        frames = cycle();
        assertEquals(0, frames.size(), "announcements are not answered");
        assertEquals(newMac, stack.arp().cache().mac(stack.arp().cache().slot(PEER_IP)));
        // A stranger's announcement is not learned (only merged when already known).
        final int stranger = Ipv4Address.parse("198.18.0.77");
        peer.send(ethernet(MacAddress.BROADCAST, 0x0200_0000_0077L, ETH_ARP, arp(1, 0x0200_0000_0077L, stranger, 0, stranger)), now[0]);
        cycle();
        assertEquals(-1, stack.arp().cache().slot(stranger));
    }

    @Test
    void answersIcmpEchoByteForByteWithOddDataAndRequestOptions()
    {
        started();
        final byte[] data = "0123456789abcdefghijklmnopqrstuvwxyz!".getBytes(); // 37 bytes: odd
        peer.send(ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 1, 64, 0, new byte[0], icmpEcho(8, 0x4242, 7, data))), now[0]);
        List<byte[]> frames = cycle();
        assertEquals(1, frames.size());
        assertArrayEquals(ethernet(PEER_MAC, OUR_MAC, ETH_IPV4, ipv4(0, OUR_IP, PEER_IP, 1, 64, 0x4000, new byte[0], icmpEcho(0, 0x4242, 7, data))),
            frames.get(0));

        // With IP options (NOP x3 + EOL) in the request: skipped, not echoed.
        final byte[] options = {1, 1, 1, 0};
        peer.send(ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 1, 1, 0, options, icmpEcho(8, 1, 2, data))), now[0]);
        frames = cycle();
        assertEquals(1, frames.size());
        assertArrayEquals(ethernet(PEER_MAC, OUR_MAC, ETH_IPV4, ipv4(1, OUR_IP, PEER_IP, 1, 64, 0x4000, new byte[0], icmpEcho(0, 1, 2, data))),
            frames.get(0));
        assertEquals(2, stack.counters().get(StackCounters.ICMP_ECHO_REPLIED));
        assertEquals(1, stack.counters().get(StackCounters.IP_OPTIONS_SKIPPED));
    }

    @Test
    void deliversTcpToTheTransportWithOffsetsChecksumStateAndTimestamp()
    {
        started();
        final byte[] options = {1, 1, 1, 1};
        final byte[] segment = tcp(PEER_IP, OUR_IP, 40000, 80, 123456, new byte[0]);
        final byte[] frame = padded(ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 6, 64, 0x4000, options, segment)));
        assertEquals(60, frame.length, "Ethernet padding after the datagram");
        now[0] += 5;
        peer.send(frame, 777L);
        cycle();
        assertEquals(1, tcpHandler.seen.size());
        final ReceivedCopy d = tcpHandler.seen.get(0);
        assertEquals(14, d.l3Offset);
        assertEquals(14 + 24, d.l4Offset);
        assertEquals(20, d.l4Length, "from the IP total length, padding excluded");
        assertEquals(60, d.frameLength);
        assertEquals(PEER_IP, d.srcIp);
        assertEquals(OUR_IP, d.dstIp);
        assertEquals(6, d.protocol);
        assertEquals(777L, d.timestampNs, "the driver's timestamp, not the clock");
        assertEquals(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED, d.checksumState);
        assertArrayEquals(frame, d.bytes);
        assertEquals(1, stack.counters().get(StackCounters.TCP_CHECKSUM_SOFTWARE_VERIFIED));
    }

    @Test
    void bufferKeptByTransportIsReplacedAndOtherwiseReused()
    {
        started();
        final int freeBefore = arena.freeBufferCount();
        final byte[] frame = ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 6, 64, 0, new byte[0],
            tcp(PEER_IP, OUR_IP, 1, 2, 3, "data".getBytes())));
        peer.send(frame, 0);
        cycle();
        assertEquals(freeBefore, arena.freeBufferCount(), "not kept: the RX buffer is reused");

        tcpHandler.keep = true;
        peer.send(frame, 0);
        cycle();
        final int kept = tcpHandler.seen.get(1).bufferIndex;
        assertEquals(1, arena.bufferRefCount(kept), "the transport owns the one reference");
        cycle();
        assertEquals(freeBefore - 1, arena.freeBufferCount(), "the slot got a fresh buffer");
        final byte[] stored = new byte[frame.length];
        new UnsafeBuffer(arena.bufferAddress(kept), frame.length).getBytes(0, stored);
        assertArrayEquals(frame, stored, "the kept buffer still holds the frame after later cycles");
        final int record = pool.adopt(kept);
        assertTrue(pool.release(record));
        assertEquals(freeBefore, arena.freeBufferCount());
    }

    @Test
    void sendsThroughIpv4OutputAfterResolvingTheNeighbourWithRateLimitedRequests()
    {
        started();
        final Ipv4Output out = stack.ipv4Output();
        final Gather gather = new Gather(4);
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final byte[] a = "head-of-odd".getBytes();
        final byte[] b = "middle!".getBytes();
        final byte[] c = "tail".getBytes();
        memory.putBytes(0, a);
        memory.putBytes(100, b);
        memory.putBytes(200, c);
        gather.add(memory.addressOffset(), a.length);
        gather.add(memory.addressOffset() + 100, b.length);
        gather.add(memory.addressOffset() + 200, c.length);

        // Unresolved: the datagram is copied to wait for the ARP reply, and an ARP request goes out.
        assertEquals(Ipv4Output.SENT, out.send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        memory.putByte(0, (byte)'H'); // the caller may reuse its memory: the waiting copy keeps the old bytes
        List<byte[]> frames = cycle();
        assertEquals(1, frames.size());
        assertArrayEquals(padded(ethernet(MacAddress.BROADCAST, OUR_MAC, ETH_ARP, arp(1, OUR_MAC, OUR_IP, 0, PEER_IP))), frames.get(0));

        now[0] += TimeUnit.MILLISECONDS.toNanos(500);
        assertEquals(Ipv4Output.SENT, out.send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(Ipv4Output.SENT, out.send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(Ipv4Output.NEIGHBOUR_PENDING, out.send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]),
            "at most 3 datagrams wait per neighbour");
        assertEquals(0, cycle().size(), "no second request within the retry interval");

        peer.send(ethernet(OUR_MAC, PEER_MAC, ETH_ARP, arp(2, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)), now[0]);
        frames = cycle();
        assertEquals(3, frames.size(), "the waiting datagrams go out, in order, when the reply arrives");
        final byte[] changed = a.clone();
        changed[0] = 'H';
        assertArrayEquals(ethernet(PEER_MAC, OUR_MAC, ETH_IPV4, ipv4(0, OUR_IP, PEER_IP, EXPERIMENTAL_PROTOCOL, 64, 0x4000, new byte[0],
            concat(a, b, c))), frames.get(0));
        for (int id = 1; id <= 2; id++)
        {
            assertArrayEquals(ethernet(PEER_MAC, OUR_MAC, ETH_IPV4, ipv4(id, OUR_IP, PEER_IP, EXPERIMENTAL_PROTOCOL, 64, 0x4000,
                new byte[0], concat(changed, b, c))), frames.get(id));
        }
        assertEquals(Ipv4Output.SENT, out.send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        frames = cycle();
        assertEquals(1, frames.size());
        // id 3 went to the datagram refused above: every datagram built takes the next id.
        assertArrayEquals(ethernet(PEER_MAC, OUR_MAC, ETH_IPV4, ipv4(4, OUR_IP, PEER_IP, EXPERIMENTAL_PROTOCOL, 64, 0x4000, new byte[0],
            concat(changed, b, c))), frames.get(0));
        assertEquals(1, stack.counters().get(StackCounters.ARP_REQUESTS_SENT));
        assertEquals(1, stack.counters().get(StackCounters.TX_NEIGHBOUR_PENDING));
        assertEquals(3, stack.counters().get(StackCounters.ARP_QUEUED));
        assertEquals(3, stack.counters().get(StackCounters.ARP_QUEUE_SENT));
    }

    @Test
    void refusesUnroutableAndOversizeDatagramsWithTheirCodes()
    {
        started();
        final Ipv4Output out = stack.ipv4Output();
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final Gather gather = new Gather(2);
        gather.add(memory.addressOffset(), 10);
        assertEquals(Ipv4Output.NO_ROUTE, out.send(Ipv4Address.parse("10.0.0.1"), EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(Ipv4Output.NO_ROUTE, out.send(Ipv4Address.parse("198.18.0.255"), EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(Ipv4Output.NO_ROUTE, out.send(OUR_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(Ipv4Output.NO_ROUTE, out.send(Ipv4Address.parse("224.0.0.1"), EXPERIMENTAL_PROTOCOL, gather, now[0]));
        gather.clear();
        gather.add(memory.addressOffset(), 1481);
        assertEquals(Ipv4Output.TOO_BIG, out.send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(0, cycle().size(), "nothing sent, not even ARP");
        assertEquals(4, stack.counters().get(StackCounters.TX_NO_ROUTE));
        assertEquals(1, stack.counters().get(StackCounters.TX_TOO_BIG));
        assertEquals(1500, out.mtu());
        assertEquals(OUR_IP, out.localIp());
    }

    @Test
    void unansweredResolutionRetriesOncePerIntervalThenCountsAFailure()
    {
        started();
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final Gather gather = new Gather(1);
        gather.add(memory.addressOffset(), 8);
        int requests = 0;
        for (int step = 0; step < 40; step++)
        {
            final int result = stack.ipv4Output().send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]);
            assertTrue(result == Ipv4Output.SENT || result == Ipv4Output.NEIGHBOUR_PENDING, Ipv4Output.resultName(result));
            for (final byte[] frame : cycle())
            {
                assertEquals(ETH_ARP, ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF), "nothing but ARP requests leaves");
                requests++;
            }
            now[0] += TimeUnit.MILLISECONDS.toNanos(250);
        }
        // 40 steps of 250 ms = 10 s at a 1 s interval: requests at 0,1,...,9 s.
        assertEquals(10, requests);
        assertEquals(10, stack.counters().get(StackCounters.ARP_REQUESTS_SENT));
        // Requests 1-3, then give up at 3 s (failure) and start over: failures at 3 s and 6 s and 9 s.
        assertEquals(3, stack.counters().get(StackCounters.ARP_RESOLVE_FAILURES));
        // Waiting datagrams are dropped after 3 intervals; never sent.
        assertEquals(0, stack.counters().get(StackCounters.ARP_QUEUE_SENT));
        assertTrue(stack.counters().get(StackCounters.ARP_QUEUE_DROPS) >= 6, stack.counters()::toString);
        final long stillWaiting = stack.counters().get(StackCounters.ARP_QUEUED) - stack.counters().get(StackCounters.ARP_QUEUE_DROPS);
        assertTrue(stillWaiting >= 1 && stillWaiting <= 3, "the latest ones still wait: " + stillWaiting);
    }

    @Test
    void learnedNeighbourIsReconfirmedAfterItsTtlWithoutStallingSends()
    {
        started();
        peer.send(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)), now[0]);
        assertEquals(1, cycle().size());
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final Gather gather = new Gather(1);
        gather.add(memory.addressOffset(), 8);
        now[0] += TimeUnit.SECONDS.toNanos(61);
        assertEquals(Ipv4Output.SENT, stack.ipv4Output().send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]), "stale MAC still used");
        final List<byte[]> frames = cycle();
        assertEquals(2, frames.size(), "a re-confirming request and the datagram");
        assertArrayEquals(padded(ethernet(MacAddress.BROADCAST, OUR_MAC, ETH_ARP, arp(1, OUR_MAC, OUR_IP, 0, PEER_IP))), frames.get(0));
        now[0] += TimeUnit.SECONDS.toNanos(4);
        for (int i = 0; i < 4; i++)
        {
            stack.ipv4Output().send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]);
            cycle();
            now[0] += TimeUnit.SECONDS.toNanos(1);
        }
        // The loop's last sends already found the MAC forgotten (third request unanswered) and waited.
        final long queuedBefore = stack.counters().get(StackCounters.ARP_QUEUED);
        assertTrue(queuedBefore >= 1, stack.counters()::toString);
        assertEquals(Ipv4Output.SENT, stack.ipv4Output().send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]));
        assertEquals(queuedBefore + 1, stack.counters().get(StackCounters.ARP_QUEUED), "forgotten: the datagram waits");
        for (final byte[] frame : cycle())
        {
            assertEquals(ETH_ARP, ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF), "the datagram waits for ARP");
        }
    }

    @Test
    void twoStacksResolveEachOtherAndExchangeDatagrams()
    {
        final InMemoryLink wire = InMemoryLink.pair();
        final Arena arenaB = TestArenas.arena(64, 64);
        final NetworkStack a = new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).build(), wire.a(),
            new PacketRecordPool(TestArenas.arena(64, 64)), () -> now[0]);
        final NetworkStack b = new NetworkStack(StackConfig.builder().mac(PEER_MAC).ip(PEER_IP, 24).build(), wire.b(),
            new PacketRecordPool(arenaB), () -> now[0]);
        final RecordingTransport atB = new RecordingTransport();
        b.registerTransport(EXPERIMENTAL_PROTOCOL, atB);
        final AgentInvoker ia = StackRunner.invoker(a, errors::add);
        final AgentInvoker ib = StackRunner.invoker(b, errors::add);
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));
        final byte[] payload = new byte[1480];
        new java.util.SplittableRandom(3).nextBytes(payload);
        memory.putBytes(0, payload);
        final Gather gather = new Gather(1);
        gather.add(memory.addressOffset(), payload.length);
        int result = Ipv4Output.NEIGHBOUR_PENDING;
        for (int i = 0; i < 10 && result != Ipv4Output.SENT; i++)
        {
            result = a.ipv4Output().send(PEER_IP, EXPERIMENTAL_PROTOCOL, gather, now[0]);
            ia.invoke();
            ib.invoke();
        }
        assertEquals(Ipv4Output.SENT, result);
        ia.invoke();
        ib.invoke();
        assertEquals(1, atB.seen.size());
        final ReceivedCopy d = atB.seen.get(0);
        final byte[] got = java.util.Arrays.copyOfRange(d.bytes, d.l4Offset, d.l4Offset + d.l4Length);
        assertArrayEquals(payload, got);
        assertEquals(OUR_IP, d.srcIp);
        assertTrue(b.arp().cache().slot(OUR_IP) >= 0, "B learned A from A's request");
        for (final NetworkStack s : new NetworkStack[] {a, b})
        {
            assertEquals(1, s.counters().get(StackCounters.ARP_NOT_FOR_US), "the other's announcement");
            assertEquals(1, s.counters().totalDrops(), () -> "nothing else dropped: " + s.counters());
        }
        ia.close();
        ib.close();
    }

    @Test
    void arenaWithoutFreeBuffersDropsIntoFallbackAndRecovers()
    {
        final InMemoryLink wire = InMemoryLink.pair();
        final Arena small = TestArenas.arena(16, 3);
        final PacketRecordPool smallPool = new PacketRecordPool(small);
        final NetworkStack s = new NetworkStack(
            StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).rxBurst(2).build(), wire.a(), smallPool, () -> now[0]);
        final RecordingTransport keeper = new RecordingTransport();
        keeper.keep = true;
        s.registerTransport(6, keeper);
        final AgentInvoker inv = StackRunner.invoker(s, errors::add);
        final RawPeer p = new RawPeer(wire.b());
        final byte[] frame = ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 6, 64, 0, new byte[0],
            tcp(PEER_IP, OUR_IP, 1, 2, 3, "x".getBytes())));
        for (int round = 0; round < 4; round++)
        {
            p.send(frame, 0);
            p.send(frame, 0);
            inv.invoke();
        }
        // 2 slots + 1 spare buffer: 3 frames kept, every later one lands in a fallback buffer.
        assertEquals(3, keeper.seen.size());
        assertEquals(5, s.counters().get(StackCounters.RX_DROP_NO_ARENA_BUFFER));
        assertEquals(0, small.freeBufferCount());
        for (final ReceivedCopy kept : keeper.seen)
        {
            small.releaseBuffer(kept.bufferIndex);
        }
        p.send(frame, 0);
        inv.invoke(); // refill happens before receive
        assertEquals(4, keeper.seen.size(), "delivery resumes once buffers are back");
        inv.close();
        assertEquals(3 - 1, small.freeBufferCount(), "onClose released the slots' buffers; one is still kept");
    }

    /** A copy of what a transport was handed (the holder is valid only during the call). */
    static final class ReceivedCopy
    {
        int bufferIndex;
        int frameLength;
        int l3Offset;
        int l4Offset;
        int l4Length;
        int srcIp;
        int dstIp;
        int protocol;
        long timestampNs;
        int checksumState;
        byte[] bytes;
    }

    /** Records every datagram; keeps the buffer when told to. */
    @Test
    void theCycleHookRunsAfterInputAndBeforeTheFlushAndItsErrorsAreContained()
    {
        started();
        final List<String> order = new ArrayList<>();
        stack.cycleHook(nowNs ->
        {
            order.add("hook saw " + tcpHandler.seen.size() + " datagrams at " + nowNs);
            // Sent from the hook: must leave in this cycle's flush.
            assertEquals(0, peer.receiveAll(nowNs).size(), "nothing flushed before the hook ran");
            return 1;
        });
        peer.send(ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 6, 64, 0, new byte[0],
            tcp(PEER_IP, OUR_IP, 1000, 80, 1, new byte[] {1, 2, 3}))), now[0]);
        cycle();
        assertEquals(List.of("hook saw 1 datagrams at " + now[0]), order);

        stack.cycleHook(nowNs ->
        {
            throw new IllegalStateException("boom");
        });
        peer.send(ethernet(OUR_MAC, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)), now[0]);
        final List<byte[]> frames = cycle();
        assertEquals(1, frames.size(), "the ARP reply still went out after the hook threw");
        assertEquals(1, stack.counters().get(StackCounters.CYCLE_HOOK_ERRORS));
        assertEquals("boom", stack.lastCycleHookError().getMessage());
        stack.cycleHook(null);
    }

    @Test
    void anMtuWhoseFramesDoNotFitAnArenaBufferIsRefused()
    {
        final Arena small = Arena.format(io.pktstore.arena.sim.SimulatedPmRegion.create(
            io.pktstore.arena.ArenaGeometry.of(16, 16, 1024, 0).requiredBytes()), io.pktstore.arena.ArenaGeometry.of(16, 16, 1024, 0));
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).mtu(1500).build(),
                InMemoryLink.pair().a(), new PacketRecordPool(small), () -> 0L));
        assertTrue(e.getMessage().contains("MTU 1500") && e.getMessage().contains("1024"), e.getMessage());
        new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).mtu(1000).build(),
            InMemoryLink.pair().a(), new PacketRecordPool(small), () -> 0L).onClose();
        small.close();
    }

    static final class RecordingTransport implements TransportHandler
    {
        final List<ReceivedCopy> seen = new ArrayList<>();
        boolean keep;

        @Override
        public boolean onDatagram(final ReceivedDatagram d, final long nowNs)
        {
            final ReceivedCopy c = new ReceivedCopy();
            c.bufferIndex = d.bufferIndex();
            c.frameLength = d.frameLength();
            c.l3Offset = d.l3Offset();
            c.l4Offset = d.l4Offset();
            c.l4Length = d.l4Length();
            c.srcIp = d.srcIp();
            c.dstIp = d.dstIp();
            c.protocol = d.protocol();
            c.timestampNs = d.timestampNs();
            c.checksumState = d.checksumState();
            c.bytes = new byte[d.frameLength()];
            new UnsafeBuffer(d.bufferAddress(), d.frameLength()).getBytes(0, c.bytes);
            seen.add(c);
            return keep;
        }

        @Override
        public int poll(final long nowNs)
        {
            return 0;
        }
    }
}
