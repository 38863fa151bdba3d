package io.pktstore.stack.system;

import io.pktstore.nic.fault.FaultConfig;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counters are readable from another thread while the stack runs, and each read is one consistent moment
 * of the stack: every received frame of the copy is accounted for (StackCounters' rule), no TCP counter
 * of a copy is ahead of another it depends on, and nothing ever goes backwards.
 */
class LiveCountersTest
{
    @Test
    void copiesCarryEveryCounter() throws IllegalAccessException
    {
        final TcpCounters from = new TcpCounters();
        long v = 1;
        for (final Field f : TcpCounters.class.getFields())
        {
            if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers()))
            {
                f.setLong(from, v++);
            }
        }
        final TcpCounters into = new TcpCounters();
        TcpCounters.copy(from, into);
        assertEquals(from.toString(), into.toString());
        for (final Field f : TcpCounters.class.getFields())
        {
            if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers()))
            {
                assertEquals(f.getLong(from), f.getLong(into), f.getName());
            }
        }
    }

    @Test
    @Timeout(120)
    void anotherThreadReadsConsistentCountersWhileTheStackRuns() throws InterruptedException
    {
        final TcpConfig tcp = new TcpConfig().maxConnections(8).seed(0x5EED_7C90L);
        final FaultConfig faults = FaultConfig.builder().dropRate(0.01).direction(FaultConfig.Direction.RX).build();
        try (StackPair pair = new StackPair(faults, 9, tcp, 8192))
        {
            EchoServer.listen(pair.tcpA, pair.stackA.pool(), 7);
            final HotPathAllocationTest.StreamingClient client = new HotPathAllocationTest.StreamingClient(pair.stackB.pool());
            pair.tcpB.connect(StackPair.IP_A, 7, client, pair.clock.now);
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread driver = new Thread(() ->
            {
                try
                {
                    final long end = System.nanoTime() + 20_000_000_000L;
                    while (!stop.get() && pair.tcpA.counters().segmentsIn < 300_000 && System.nanoTime() < end)
                    {
                        pair.step();
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
                finally
                {
                    done.set(true);
                }
            }, "live-counters-driver");
            driver.start();
            try
            {
                readWhileRunning(pair, done);
            }
            finally
            {
                // The arenas are unmapped when the pair closes: the driver must have stopped by then.
                stop.set(true);
                driver.join();
            }
            assertNull(failure.get());
        }
    }

    private static void readWhileRunning(final StackPair pair, final AtomicBoolean done)
    {
    final StackCounters stack = new StackCounters();
        final TcpCounters tcpCounters = new TcpCounters();
        long lastRx = 0;
        long lastIn = 0;
        int reads = 0;
        int distinct = 0;
        while (!done.get())
        {
            pair.stackA.readCounters(stack);
            pair.tcpA.readCounters(tcpCounters);
            final long rx = stack.get(StackCounters.RX_FRAMES);
            final long consumed = stack.get(StackCounters.ARP_RECEIVED_OK) + stack.get(StackCounters.IP_DELIVERED) +
                stack.get(StackCounters.ICMP_ECHO_REPLIED) + stack.get(StackCounters.ICMP_IGNORED);
            assertEquals(rx, stack.totalDrops() + consumed, "a copy accounts for every frame it counts");
            assertTrue(tcpCounters.fastPathSegments + tcpCounters.slowPathSegments <= tcpCounters.segmentsIn,
                tcpCounters::toString);
            assertTrue(rx >= lastRx && tcpCounters.segmentsIn >= lastIn, "never backwards");
            if (rx != lastRx)
            {
                distinct++;
            }
            lastRx = rx;
            lastIn = tcpCounters.segmentsIn;
            reads++;
        }
        assertTrue(distinct > 10, "saw the counters move while running: " + distinct + " of " + reads + " reads");
    }
}
