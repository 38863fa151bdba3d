package io.pktstore.stack;

import io.pktstore.arena.Arena;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.pktstore.stack.NetworkStackTest.ETH_ARP;
import static io.pktstore.stack.NetworkStackTest.ETH_IPV4;
import static io.pktstore.stack.NetworkStackTest.OUR_IP;
import static io.pktstore.stack.NetworkStackTest.OUR_MAC;
import static io.pktstore.stack.NetworkStackTest.PEER_IP;
import static io.pktstore.stack.NetworkStackTest.PEER_MAC;
import static io.pktstore.stack.TestFrames.arp;
import static io.pktstore.stack.TestFrames.ethernet;
import static io.pktstore.stack.TestFrames.icmpEcho;
import static io.pktstore.stack.TestFrames.ipv4;
import static io.pktstore.stack.TestFrames.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad frame is dropped under its own counter and changes nothing else; random and
 * mutated frames never throw out of the duty cycle and every frame is accounted for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DropAccountingTest
{
    private static final byte[] NO_OPTIONS = new byte[0];
    private final long[] now = {1_000_000_000L};
    private final InMemoryLink link = InMemoryLink.pair();
    private final Arena arena = TestArenas.arena(64, 96);
    private final NetworkStack stack = new NetworkStack(
        StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).build(), link.a(), new PacketRecordPool(arena), () -> now[0]);
    private final List<Throwable> errors = new ArrayList<>();
    private final AgentInvoker invoker;
    private final RawPeer peer = new RawPeer(link.b());
    private int tcpDelivered;

    DropAccountingTest()
    {
        stack.registerTransport(6, new TransportHandler()
        {
            @Override
            public boolean onDatagram(final ReceivedDatagram d, final long nowNs)
            {
                tcpDelivered++;
                return false;
            }

            @Override
            public int poll(final long nowNs)
            {
                return 0;
            }
        });
        invoker = StackRunner.invoker(stack, errors::add);
        invoker.invoke();
        peer.drain(now[0]);
    }

    @AfterEach
    void close()
    {
        invoker.close();
        assertTrue(errors.isEmpty(), () -> "escaped: " + errors);
    }

    private static byte[] ip(final byte[] datagram)
    {
        return ethernet(OUR_MAC, PEER_MAC, ETH_IPV4, datagram);
    }

    private static byte[] withByte(final byte[] frame, final int at, final int value)
    {
        final byte[] copy = frame.clone();
        copy[at] = (byte)value;
        return copy;
    }

    /** A valid datagram whose header field at ipOffset is changed and checksum recomputed. */
    private static byte[] ipField(final int ipOffset, final int value)
    {
        final byte[] d = ipv4(PEER_IP, OUR_IP, 1, 64, 0, NO_OPTIONS, icmpEcho(8, 1, 1, new byte[8]));
        d[ipOffset] = (byte)value;
        d[10] = 0;
        d[11] = 0;
        final int c = TestFrames.naiveChecksum(TestFrames.naiveSum(d, 0, 20));
        d[10] = (byte)(c >>> 8);
        d[11] = (byte)c;
        return ip(d);
    }

    private static Map<String, byte[]> badFrames()
    {
        final Map<String, byte[]> cases = new LinkedHashMap<>();
        final byte[] echo = icmpEcho(8, 1, 1, new byte[8]);
        final byte[] goodIcmp = ip(ipv4(PEER_IP, OUR_IP, 1, 64, 0, NO_OPTIONS, echo));
        final byte[] goodTcp = ip(ipv4(PEER_IP, OUR_IP, 6, 64, 0, NO_OPTIONS, tcp(PEER_IP, OUR_IP, 1, 2, 3, "abc".getBytes())));
        final byte[] goodArp = ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP));

        cases.put("eth.drop.truncated", new byte[13]);
        cases.put("eth.drop.notForUs", ethernet(0x0200_0000_0077L, PEER_MAC, ETH_IPV4, new byte[46]));
        cases.put("eth.drop.badSource", ethernet(OUR_MAC, 0x0100_5E00_0001L, ETH_IPV4, new byte[46]));
        cases.put("eth.drop.unknownType", ethernet(OUR_MAC, PEER_MAC, 0x86DD, new byte[46]));

        cases.put("arp.drop.truncated", Arrays.copyOf(goodArp, 14 + 27));
        cases.put("arp.drop.unsupported", withByte(goodArp, 14 + 1, 6));
        cases.put("arp.drop.badOperation", withByte(goodArp, 14 + 7, 3));
        cases.put("arp.drop.badSender", ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, 0x0200_0000_0099L, PEER_IP, 0, OUR_IP)));
        cases.put("arp.drop.addressConflict", ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(2, PEER_MAC, OUR_IP, 0, OUR_IP)));
        cases.put("arp.notForUs", ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, PEER_IP + 5)));

        cases.put("ip.drop.truncated", ip(new byte[19]));
        cases.put("ip.drop.badVersion", withByte(goodIcmp, 14, 0x65));
        cases.put("ip.drop.badHeaderLength", withByte(goodIcmp, 14, 0x44));
        cases.put("ip.drop.badHeaderLength(beyond frame)", ip(withByte(new byte[20], 0, 0x4F)));
        cases.put("ip.drop.badTotalLength(long)", ipField(2, 0x7F));
        cases.put("ip.drop.badTotalLength(short)", ipField(3, 0x00));
        cases.put("ip.drop.badChecksum", withByte(goodIcmp, 14 + 10, goodIcmp[14 + 10] ^ 0x10));
        cases.put("ip.drop.notForUs", ip(ipv4(PEER_IP, OUR_IP + 1, 1, 64, 0, NO_OPTIONS, echo)));
        cases.put("ip.drop.badSource(loopback)", ip(ipv4(Ipv4Address.parse("127.0.0.1"), OUR_IP, 1, 64, 0, NO_OPTIONS, echo)));
        cases.put("ip.drop.badSource(ours)", ip(ipv4(OUR_IP, OUR_IP, 1, 64, 0, NO_OPTIONS, echo)));
        cases.put("ip.drop.badSource(subnet broadcast)", ip(ipv4(Ipv4Address.parse("198.18.0.255"), OUR_IP, 1, 64, 0, NO_OPTIONS, echo)));
        cases.put("ip.drop.ttlZero", ip(ipv4(PEER_IP, OUR_IP, 1, 0, 0, NO_OPTIONS, echo)));
        cases.put("ip.drop.fragment(MF)", ip(ipv4(PEER_IP, OUR_IP, 1, 64, 0x2000, NO_OPTIONS, echo)));
        cases.put("ip.drop.fragment(offset)", ip(ipv4(PEER_IP, OUR_IP, 1, 64, 0x0001, NO_OPTIONS, echo)));
        cases.put("ip.drop.linkBroadcast", ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_IPV4, ipv4(PEER_IP, OUR_IP, 1, 64, 0, NO_OPTIONS, echo)));
        cases.put("ip.drop.unknownProtocol", ip(ipv4(PEER_IP, OUR_IP, 17, 64, 0, NO_OPTIONS, new byte[8])));

        cases.put("tcp.drop.truncated", ip(ipv4(PEER_IP, OUR_IP, 6, 64, 0, NO_OPTIONS, new byte[19])));
        cases.put("tcp.drop.badChecksum", withByte(goodTcp, goodTcp.length - 1, goodTcp[goodTcp.length - 1] ^ 1));

        cases.put("icmp.drop.truncated", ip(ipv4(PEER_IP, OUR_IP, 1, 64, 0, NO_OPTIONS, new byte[7])));
        cases.put("icmp.drop.badChecksum", withByte(goodIcmp, goodIcmp.length - 1, 1));
        return cases;
    }

    @Test
    void eachBadFrameIsDroppedUnderItsOwnCounterAndNothingElseChanges()
    {
        for (final Map.Entry<String, byte[]> c : badFrames().entrySet())
        {
            final String counter = c.getKey().replaceAll("\\(.*\\)", "");
            final Map<String, Long> before = stack.counters().snapshot();
            final int freeBuffers = arena.freeBufferCount();
            final int cacheSize = stack.arp().cache().size();
            peer.send(c.getValue(), now[0]);
            invoker.invoke();
            final Map<String, Long> after = stack.counters().snapshot();
            assertEquals(before.get(counter) + 1, after.get(counter), c.getKey() + ": " + stack.counters());
            assertEquals(before.get("rx.frames") + 1, after.get("rx.frames"), c.getKey());
            for (final String name : after.keySet())
            {
                if (!name.equals(counter) && !name.startsWith("rx."))
                {
                    assertEquals(before.get(name), after.get(name), c.getKey() + " also changed " + name);
                }
            }
            assertEquals(0, peer.drain(now[0]), c.getKey() + ": nothing sent in answer");
            assertEquals(freeBuffers, arena.freeBufferCount(), c.getKey());
            assertEquals(cacheSize, stack.arp().cache().size(), c.getKey() + ": neighbour cache untouched");
        }
        assertEquals(0, tcpDelivered);
    }

    @Test
    void randomAndMutatedFramesNeverEscapeAndEveryFrameIsAccountedFor()
    {
        final SplittableRandom random = new SplittableRandom(2024);
        final List<byte[]> seeds = new ArrayList<>(badFrames().values());
        seeds.add(ip(ipv4(PEER_IP, OUR_IP, 1, 64, 0, NO_OPTIONS, icmpEcho(8, 1, 1, new byte[33]))));
        seeds.add(ip(ipv4(PEER_IP, OUR_IP, 6, 64, 0, new byte[] {7, 7, 4, 0, 0, 0, 0, 1}, tcp(PEER_IP, OUR_IP, 9, 9, 9, new byte[100]))));
        seeds.add(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)));
        final int frames = 30_000;
        for (int i = 0; i < frames; i++)
        {
            final byte[] frame;
            switch (random.nextInt(4))
            {
                case 0:
                    frame = new byte[1 + random.nextInt(1514)];
                    random.nextBytes(frame);
                    if (frame.length >= 14 && random.nextBoolean())
                    {
                        frame[0] = 2; // our MAC, so it gets past Ethernet
                        frame[1] = 0;
                        frame[2] = 0;
                        frame[3] = 0;
                        frame[4] = 0;
                        frame[5] = 1;
                        frame[6] = 2;
                        frame[12] = 0x08; // IPv4 or ARP
                        frame[13] = (byte)(random.nextBoolean() ? 0x00 : 0x06);
                    }
                    break;
                case 1:
                {
                    final byte[] seed = seeds.get(random.nextInt(seeds.size()));
                    frame = Arrays.copyOf(seed, 1 + random.nextInt(seed.length));
                    break;
                }
                default:
                {
                    final byte[] seed = seeds.get(random.nextInt(seeds.size()));
                    frame = seed.clone();
                    for (int flips = 1 + random.nextInt(4); flips > 0 && frame.length > 0; flips--)
                    {
                        frame[random.nextInt(frame.length)] ^= (byte)(1 << random.nextInt(8));
                    }
                    break;
                }
            }
            peer.send(frame, now[0]);
            if (i % 16 == 15)
            {
                now[0] += 1_000_000;
                invoker.invoke();
                peer.drain(now[0]);
            }
        }
        invoker.invoke();
        final StackCounters c = stack.counters();
        final long consumed = c.get(StackCounters.ARP_RECEIVED_OK) + c.get(StackCounters.IP_DELIVERED) +
            c.get(StackCounters.ICMP_ECHO_REPLIED) + c.get(StackCounters.ICMP_IGNORED);
        final long receivedByStack = c.get(StackCounters.RX_FRAMES);
        assertEquals(receivedByStack, c.totalDrops() + consumed, c::toString);
        // Frames shorter than the link minimum or the device's buffer are the device's business:
        // everything the peer managed to send reached the stack.
        assertEquals(link.b().statistics().txFrames(), receivedByStack);
        assertTrue(c.get(StackCounters.IP_DROP_BAD_CHECKSUM) > 0 && c.get(StackCounters.ETH_DROP_TRUNCATED) > 0 &&
            c.get(StackCounters.ICMP_ECHO_REPLIED) > 0 && c.get(StackCounters.IP_DELIVERED) > 0, c::toString);
        assertEquals(arena.geometry().bufferCount() - stack.config().rxBurst(), arena.freeBufferCount(), "no buffer leaked");
    }
}
