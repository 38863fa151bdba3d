package io.pktstore.nic.fault;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.nic.testutil.NativeFrames;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fault injector on an in-memory link with fixed seeds: what arrives must match its counters
 * exactly. Each frame carries its sequence number three times, so the number survives a one-bit
 * corruption (majority vote) and the corruption itself can be measured against the intact frame.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectingDeviceTest
{
    private static final int N = 5000;
    private static final int LENGTH = 64;
    private static final long STEP_NS = 10_000;

    /** One arrival at the receiver. */
    private static final class Arrival
    {
        final int seq;
        final int flippedBits;
        final long arrivalNs;
        final long timestampNs;

        Arrival(final int seq, final int flippedBits, final long arrivalNs, final long timestampNs)
        {
            this.seq = seq;
            this.flippedBits = flippedBits;
            this.arrivalNs = arrivalNs;
            this.timestampNs = timestampNs;
        }
    }

    private static byte expectedByte(final int seq, final int i)
    {
        if (i >= 14 && i < 26)
        {
            return (byte)(seq >>> (8 * ((i - 14) % 4)));
        }
        return (byte)(seq * 13 + i);
    }

    private static void write(final long address, final int seq)
    {
        for (int i = 0; i < LENGTH; i++)
        {
            UnsafeApi.putByte(address + i, expectedByte(seq, i));
        }
    }

    private static Arrival read(final long address, final long nowNs, final long ts)
    {
        final int a = UnsafeApi.getInt(address + 14);
        final int b = UnsafeApi.getInt(address + 18);
        final int c = UnsafeApi.getInt(address + 22);
        final int seq = a == b || a == c ? a : b;
        int flipped = 0;
        for (int i = 0; i < LENGTH; i++)
        {
            flipped += Integer.bitCount((UnsafeApi.getByte(address + i) ^ expectedByte(seq, i)) & 0xFF);
        }
        return new Arrival(seq, flipped, nowNs, ts);
    }

    /** Sends N frames a->b one per 10 us step through the injector on the given side, then drains. */
    private static List<Arrival> run(final FaultInjectingDevice[] holder, final FaultConfig config, final long seed)
    {
        final InMemoryLink link = InMemoryLink.pair(8192, 1514, 0);
        final boolean onTx = config.direction() == FaultConfig.Direction.TX;
        final FaultInjectingDevice injector = new FaultInjectingDevice(onTx ? link.a() : link.b(), config, seed);
        holder[0] = injector;
        final FrameDevice sender = onTx ? injector : link.a();
        final FrameDevice receiver = onTx ? link.b() : injector;
        final ByteBuffer frame = NativeFrames.allocate(LENGTH);
        final long address = NativeFrames.address(frame);
        final TxBurst tx = new TxBurst(1, 1);
        final NativeFrames.BurstMemory mem = NativeFrames.burst(16, 1514);
        final List<Arrival> arrivals = new ArrayList<>();
        long now = 0;
        for (int seq = 0; seq < N + 2000; seq++)
        {
            now = seq * STEP_NS;
            if (seq < N)
            {
                write(address, seq);
                tx.clear();
                tx.beginFrame();
                tx.addSegment(address, LENGTH);
                assertEquals(1, sender.transmit(tx, now));
            }
            else if (onTx)
            {
                tx.clear();
                sender.transmit(tx, now); // empty transmit flushes delayed frames
            }
            final int n = receiver.receive(mem.burst, now);
            for (int i = 0; i < n; i++)
            {
                assertEquals(LENGTH, mem.burst.frameLength(i));
                arrivals.add(read(mem.burst.bufferAddress(i), now, mem.burst.timestampNs(i)));
            }
        }
        return arrivals;
    }

    private static int outOfOrder(final List<Arrival> arrivals)
    {
        int max = -1;
        int late = 0;
        final Set<Integer> seen = new HashSet<>();
        for (final Arrival a : arrivals)
        {
            if (!seen.add(a.seq))
            {
                continue; // duplicates are judged separately
            }
            if (a.seq < max)
            {
                late++;
            }
            max = Math.max(max, a.seq);
        }
        return late;
    }

    @Test
    void dropRemovesExactlyTheCountedFramesAndNothingElse()
    {
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> got = run(h, FaultConfig.builder().dropRate(0.2).build(), 42);
        final FaultCounters c = h[0].counters();
        assertEquals(N, c.seen());
        assertEquals(N - c.dropped(), got.size());
        assertTrue(c.dropped() > 0.15 * N && c.dropped() < 0.25 * N, "about 20% dropped: " + c.dropped());
        assertEquals(0, outOfOrder(got));
        assertTrue(got.stream().allMatch(a -> a.flippedBits == 0));
        assertEquals(0, c.duplicated() + c.corrupted() + c.reordered() + c.delayed());
    }

    @Test
    void duplicateDeliversEachCountedFrameTwiceBackToBack()
    {
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> got = run(h, FaultConfig.builder().duplicateRate(0.1).build(), 7);
        final FaultCounters c = h[0].counters();
        assertTrue(c.duplicated() > 0.07 * N && c.duplicated() < 0.13 * N, "about 10%: " + c.duplicated());
        assertEquals(N + c.duplicated(), got.size());
        int twins = 0;
        for (int i = 1; i < got.size(); i++)
        {
            if (got.get(i).seq == got.get(i - 1).seq)
            {
                twins++;
            }
        }
        assertEquals(c.duplicated(), twins);
        assertEquals(0, c.holdOverflow());
    }

    @Test
    void corruptFlipsExactlyOneBitInEachCountedFrame()
    {
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> got = run(h, FaultConfig.builder().corruptRate(0.05).build(), 99);
        final FaultCounters c = h[0].counters();
        assertEquals(N, got.size());
        assertTrue(c.corrupted() > 0.03 * N && c.corrupted() < 0.07 * N, "about 5%: " + c.corrupted());
        assertEquals(c.corrupted(), got.stream().filter(a -> a.flippedBits == 1).count());
        assertEquals(0, got.stream().filter(a -> a.flippedBits > 1).count());
    }

    @Test
    void reorderLetsALaterFrameOvertakeEachCountedFrame()
    {
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> got = run(h, FaultConfig.builder().reorderRate(0.05).build(), 1234);
        final FaultCounters c = h[0].counters();
        assertEquals(N, got.size(), "reordering loses nothing");
        assertTrue(c.reordered() > 0.03 * N && c.reordered() < 0.07 * N, "about 5%: " + c.reordered());
        assertEquals(c.reordered(), outOfOrder(got));
    }

    @Test
    void delayHoldsEachCountedFrameForDelayNsOfInjectedTime()
    {
        final long delay = 1_000_000;
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> got = run(h, FaultConfig.builder().delay(0.05, delay).build(), 5);
        final FaultCounters c = h[0].counters();
        assertEquals(N, got.size());
        long late = 0;
        for (final Arrival a : got)
        {
            final long sentNs = a.seq * STEP_NS;
            final long held = a.arrivalNs - sentNs;
            assertTrue(held == 0 || held == delay, "held " + held + " ns");
            if (held == delay)
            {
                late++;
                assertEquals(sentNs + delay, a.timestampNs, "a delayed frame's timestamp moves with it");
            }
        }
        assertTrue(c.delayed() > 0.03 * N && c.delayed() < 0.07 * N, "about 5%: " + c.delayed());
        assertEquals(c.delayed(), late);
    }

    @Test
    void sameSeedSameFaultsOtherSeedOtherFaults()
    {
        final FaultConfig config = FaultConfig.builder().dropRate(0.05).duplicateRate(0.05).corruptRate(0.05)
            .reorderRate(0.05).delay(0.05, 200_000).build();
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> first = run(h, config, 77);
        final String c1 = h[0].counters().toString();
        final List<Arrival> second = run(h, config, 77);
        assertEquals(c1, h[0].counters().toString());
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++)
        {
            assertEquals(first.get(i).seq, second.get(i).seq);
            assertEquals(first.get(i).flippedBits, second.get(i).flippedBits);
            assertEquals(first.get(i).arrivalNs, second.get(i).arrivalNs);
        }
        run(h, config, 78);
        assertNotEquals(c1, h[0].counters().toString());

        // All faults at once still add up: distinct arrivals = seen - dropped, extra = duplicated.
        final FaultCounters c = h[0].counters();
        final List<Arrival> third = run(h, config, 78);
        final Map<Integer, Integer> copies = new HashMap<>();
        third.forEach(a -> copies.merge(a.seq, 1, Integer::sum));
        assertEquals(N - h[0].counters().dropped(), copies.size());
        assertEquals(h[0].counters().duplicated(), third.size() - copies.size());
        assertEquals(c.toString(), h[0].counters().toString());
    }

    @Test
    void faultsOnTheTransmitSideReachTheInnerDevice()
    {
        final FaultInjectingDevice[] h = new FaultInjectingDevice[1];
        final List<Arrival> got = run(h, FaultConfig.builder().direction(FaultConfig.Direction.TX).dropRate(0.1)
            .delay(0.1, 500_000).build(), 3);
        final FaultCounters c = h[0].counters();
        assertEquals(N - c.dropped(), got.size());
        assertTrue(c.dropped() > 0 && c.delayed() > 0);
        assertEquals(c.delayed(), got.stream().filter(a -> a.arrivalNs - a.seq * STEP_NS == 500_000).count());
    }

    @Test
    void ratesOutsideZeroToOneAreRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> FaultConfig.builder().dropRate(1.5));
        assertTrue(ex.getMessage().contains("dropRate"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FaultConfig.builder().corruptRate(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> FaultConfig.builder().delay(0.1, -1));
    }
}
