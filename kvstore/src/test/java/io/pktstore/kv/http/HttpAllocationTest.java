package io.pktstore.kv.http;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ClientConnection;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.server.Session;
import io.pktstore.kv.testing.SessionHarness;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP request path (PUT, GET, HEAD, DELETE, hits and misses, keep-alive, pipelined in bursts,
 * with the server's duty-cycle commit) allocates nothing once warm. Requests are received frames made
 * by the harness (allocation-free) and delivered to the session; the connection is a counting stub
 * that releases what it is sent (the harness's own wire records bytes into Java arrays).
 */
class HttpAllocationTest
{
    /** A connection that allocates nothing: counts the bytes it is sent and releases the records. */
    private static final class CountingWire implements ClientConnection
    {
        private final SessionHarness harness;
        long bytes;

        CountingWire(final SessionHarness harness)
        {
            this.harness = harness;
        }

        @Override
        public int sendSpace()
        {
            return 1 << 20;
        }

        @Override
        public int sendRecords(final int head, final long nowNs)
        {
            for (int r = head; r != PacketRecord.NO_RECORD; )
            {
                bytes += harness.store.nodes().dataLength(r);
                final int next = harness.store.nodes().next(r);
                harness.pool.release(r);
                r = next;
            }
            return PacketRecord.NO_RECORD;
        }

        @Override
        public void consumed(final int n, final long nowNs)
        {
        }

        @Override
        public void holdSends()
        {
        }

        @Override
        public void releaseHeldSends(final long nowNs)
        {
        }

        @Override
        public void close(final long nowNs)
        {
            throw new AssertionError("the keep-alive connection closed");
        }

        @Override
        public void abort(final long nowNs)
        {
            throw new AssertionError("aborted");
        }

        @Override
        public int localPort()
        {
            return 8080;
        }
    }

    private static long bytesOffHeap(final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        final long a = UnsafeApi.allocateMemory(b.length);
        UnsafeApi.copyMemory(b, UnsafeApi.arrayBaseOffset(byte[].class), null, a, b.length);
        return a;
    }

    private static long responses(final SessionHarness harness)
    {
        long n = 0;
        for (final long count : harness.server.stats().httpResponses)
        {
            n += count;
        }
        return n;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void putGetHeadDeleteAllocateNothingOnceWarm(final Engine engine)
    {
        try (SessionHarness harness = new SessionHarness(engine, 8192, ServerConfig.defaults(), HttpSession::new))
        {
            final CountingWire wire = new CountingWire(harness);
            final Session session = new HttpSession(harness.server);
            session.open(wire);
            final int keys = 500;
            final String value = "v".repeat(1000);
            final long[][] requests = new long[keys][4];
            final int[][] lengths = new int[keys][4];
            for (int k = 0; k < keys; k++)
            {
                final String key = String.format("alloc:%05d", k * 31);
                final String[] texts = {HttpSessionTest.put(key, value), HttpSessionTest.get(key),
                    HttpSessionTest.request("HEAD", "/kv/" + key, null), HttpSessionTest.delete(key)};
                for (int op = 0; op < 4; op++)
                {
                    requests[k][op] = bytesOffHeap(texts[op]);
                    lengths[k][op] = texts[op].length();
                }
            }
            final SplittableRandom rnd = new SplittableRandom(5);
            final Runnable work = () ->
            {
                for (int i = 0; i < 20_000; i++)
                {
                    final int k = rnd.nextInt(keys);
                    final int op = rnd.nextInt(10);
                    final int which = op < 4 ? 0 : op < 7 ? 1 : op < 8 ? 2 : 3;
                    final int record = harness.segments.segment(requests[k][which], lengths[k][which]);
                    session.deliver(record, harness.now);
                    if (rnd.nextInt(4) == 0)
                    {
                        harness.cycle();   // a burst of requests per duty cycle: one commit, replies released
                    }
                }
                harness.cycle();
            };
            work.run();   // warm-up: JIT, list capacities
            work.run();
            final long responsesBefore = responses(harness);
            final long bytesBefore = wire.bytes;
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(thread);
            work.run();
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals(20_000, responses(harness) - responsesBefore, "every request answered");
            assertTrue(wire.bytes - bytesBefore > 20_000 * 20L, "responses were sent");
            assertTrue(harness.store.count() > 0);
            assertTrue(allocated < 4096, "20,000 HTTP requests with their commits allocated " + allocated + " bytes");
        }
    }
}
