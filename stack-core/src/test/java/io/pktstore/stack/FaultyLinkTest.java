package io.pktstore.stack;

import io.pktstore.nic.fault.FaultConfig;
import io.pktstore.nic.fault.FaultInjectingDevice;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.pktstore.stack.NetworkStackTest.OUR_IP;
import static io.pktstore.stack.NetworkStackTest.OUR_MAC;
import static io.pktstore.stack.NetworkStackTest.PEER_IP;
import static io.pktstore.stack.NetworkStackTest.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two stacks over an in-memory link whose receiving side drops 5%, reorders 5%, duplicates 1% and
 * corrupts 5% (one bit flip) of frames, seeded. TCP segments with correct checksums go from A to B:
 * every segment B's transport is handed is byte-identical to what was sent (a bit flip anywhere the
 * IPv4 or TCP checksum covers is caught and counted), every frame B received is accounted for,
 * and the same seed gives the same run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultyLinkTest
{
    private static final int SEGMENTS = 6000;
    private static final int PAYLOAD = 1000;

    @Test
    void corruptedFramesAreDroppedAndCountedNeverDeliveredAndTheRunIsDeterministic()
    {
        final Outcome first = run(42);
        final Outcome second = run(42);
        assertEquals(first.counters, second.counters, "same seed, same counters");
        assertEquals(first.deliveredOrder, second.deliveredOrder, "same seed, same delivery order");
        final Outcome other = run(43);
        assertTrue(!other.counters.equals(first.counters), "another seed gives another run");
    }

    private static Outcome run(final long seed)
    {
        final long[] now = {1_000_000_000L};
        final InMemoryLink link = InMemoryLink.pair(4096, 1514, 0);
        final FaultInjectingDevice faultyB = new FaultInjectingDevice(link.b(), FaultConfig.builder()
            .dropRate(0.05).reorderRate(0.05).duplicateRate(0.01).corruptRate(0.05).build(), seed);
        final NetworkStack a = new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).build(), link.a(),
            new PacketRecordPool(TestArenas.arena(64, 64)), () -> now[0]);
        final NetworkStack b = new NetworkStack(StackConfig.builder().mac(PEER_MAC).ip(PEER_IP, 24).build(), faultyB,
            new PacketRecordPool(TestArenas.arena(64, 64)), () -> now[0]);
        final byte[][] sent = new byte[SEGMENTS][];
        final Receiver receiver = new Receiver(sent);
        b.registerTransport(6, receiver);
        final List<Throwable> errors = new ArrayList<>();
        final AgentInvoker ia = StackRunner.invoker(a, errors::add);
        final AgentInvoker ib = StackRunner.invoker(b, errors::add);
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16 * 2048, 64));
        final Gather gather = new Gather(1);
        final SplittableRandom data = new SplittableRandom(seed);

        int next = 0;
        while (next < SEGMENTS)
        {
            for (int slot = 0; slot < 16 && next < SEGMENTS; slot++)
            {
                if (sent[next] == null)
                {
                    final byte[] payload = new byte[PAYLOAD];
                    data.nextBytes(payload);
                    sent[next] = TestFrames.tcp(OUR_IP, PEER_IP, 5000, 80, next, payload);
                }
                memory.putBytes(slot * 2048, sent[next]);
                gather.clear();
                gather.add(memory.addressOffset() + slot * 2048L, sent[next].length);
                final int result = a.ipv4Output().send(PEER_IP, 6, gather, now[0]);
                if (result != Ipv4Output.SENT)
                {
                    assertEquals(Ipv4Output.NEIGHBOUR_PENDING, result);
                    now[0] += TimeUnit.SECONDS.toNanos(1); // let ARP retry; the segment is sent again
                    break;
                }
                next++;
            }
            ia.invoke();
            now[0] += 1_000;
            ib.invoke();
            ia.invoke();
        }
        for (int i = 0; i < 100; i++)
        {
            now[0] += 1_000_000; // release frames the reorderer holds
            ib.invoke();
        }
        ia.close();
        ib.close();
        assertTrue(errors.isEmpty(), errors::toString);

        final StackCounters c = b.counters();
        assertEquals(0, receiver.damaged, "no corrupted segment was delivered");
        assertTrue(faultyB.counters().corrupted() > 200, faultyB.counters()::toString);
        final long checksumDrops = c.get(StackCounters.IP_DROP_BAD_CHECKSUM) + c.get(StackCounters.TCP_DROP_BAD_CHECKSUM);
        assertTrue(checksumDrops > 0.9 * faultyB.counters().corrupted(), () -> "drops " + c + " vs " + faultyB.counters());
        final long consumed = c.get(StackCounters.ARP_RECEIVED_OK) + c.get(StackCounters.IP_DELIVERED) +
            c.get(StackCounters.ICMP_ECHO_REPLIED) + c.get(StackCounters.ICMP_IGNORED);
        assertEquals(c.get(StackCounters.RX_FRAMES), c.totalDrops() + consumed, c::toString);
        final int unique = receiver.seen.cardinality();
        assertTrue(unique > SEGMENTS * 0.85 && unique < SEGMENTS, "about 90% arrive: " + unique);
        assertTrue(receiver.duplicates > 0, "duplicates were delivered as such");
        return new Outcome(c.snapshot(), receiver.order);
    }

    private static final class Outcome
    {
        final Map<String, Long> counters;
        final List<Integer> deliveredOrder;

        Outcome(final Map<String, Long> counters, final List<Integer> deliveredOrder)
        {
            this.counters = counters;
            this.deliveredOrder = deliveredOrder;
        }
    }

    /** Checks each delivered segment against what was sent under its sequence number. */
    private static final class Receiver implements TransportHandler
    {
        private final byte[][] sent;
        final BitSet seen = new BitSet();
        final List<Integer> order = new ArrayList<>();
        int damaged;
        int duplicates;

        Receiver(final byte[][] sent)
        {
            this.sent = sent;
        }

        @Override
        public boolean onDatagram(final ReceivedDatagram d, final long nowNs)
        {
            final UnsafeBuffer frame = new UnsafeBuffer(d.bufferAddress(), d.frameLength());
            final int seq = frame.getInt(d.l4Offset() + 4, ByteOrder.BIG_ENDIAN);
            final byte[] got = new byte[d.l4Length()];
            frame.getBytes(d.l4Offset(), got);
            if (seq < 0 || seq >= sent.length || sent[seq] == null || !Arrays.equals(sent[seq], got) ||
                d.checksumState() != PacketRecord.CHECKSUM_SOFTWARE_VERIFIED)
            {
                damaged++;
                return false;
            }
            if (seen.get(seq))
            {
                duplicates++;
            }
            seen.set(seq);
            order.add(seq);
            return false;
        }

        @Override
        public int poll(final long nowNs)
        {
            return 0;
        }
    }
}
