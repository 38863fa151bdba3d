package io.pktstore.stack.system;

import io.pktstore.nic.fault.FaultConfig;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-packet path allocates nothing after warm-up: two stacks on an in-memory link, a client
 * streaming copied bytes into the zero-copy echo server and discarding the echo, all driven on this
 * thread; the thread's allocated bytes (com.sun.management.ThreadMXBean) are read across at least
 * 1,000,000 TCP segments after a warm-up of 200,000.
 */
class HotPathAllocationTest
{
    private static final int PORT = 7;
    private static final long WARMUP_SEGMENTS = 200_000;
    private static final long MEASURED_SEGMENTS = 1_000_000;

    /** Streams a fixed buffer forever and discards what comes back; allocation-free. */
    static final class StreamingClient implements TcpHandler
    {
        private final PacketRecordPool pool;
        private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[16 * 1024]);
        TcpConnection connection;

        StreamingClient(final PacketRecordPool pool)
        {
            this.pool = pool;
            for (int i = 0; i < chunk.capacity(); i++)
            {
                chunk.putByte(i, (byte)i);
            }
        }

        @Override
        public void onConnected(final TcpConnection c, final long nowNs)
        {
            connection = c;
            pump(nowNs);
        }

        void pump(final long nowNs)
        {
            while (connection.sendSpace() > 0 && connection.send(chunk, 0, chunk.capacity(), nowNs) > 0)
            {
                // fill the send buffer
            }
        }

        @Override
        public void onSendAcked(final TcpConnection c, final int bytes, final long nowNs)
        {
            pump(nowNs);
        }

        @Override
        public void onData(final TcpConnection c, final int record, final long nowNs)
        {
            final int length = pool.view(record).dataLength();
            pool.release(record);
            c.consumed(length, nowNs);
        }

        @Override
        public void onPeerClosed(final TcpConnection c, final long nowNs)
        {
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason, final long nowNs)
        {
        }
    }

    private static long segments(final StackPair pair)
    {
        return pair.tcpA.counters().segmentsIn + pair.tcpB.counters().segmentsIn;
    }

    @Test
    @Timeout(300)
    void perSegmentPathAllocatesNothingAfterWarmUp()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final TcpConfig tcp = new TcpConfig().maxConnections(8).receiveBufferBytes(256 * 1024).sendBufferBytes(256 * 1024).seed(0x5EED_7C90L);
        try (StackPair pair = new StackPair(FaultConfig.builder().build(), 1, tcp, 8192))
        {
            EchoServer.listen(pair.tcpA, pair.stackA.pool(), PORT);
            final StreamingClient client = new StreamingClient(pair.stackB.pool());
            assertNotNull(pair.tcpB.connect(StackPair.IP_A, PORT, client, pair.clock.now));
            while (segments(pair) < WARMUP_SEGMENTS)
            {
                pair.step();
            }
            final long startSegments = segments(pair);
            final long before = threads.getThreadAllocatedBytes(threadId);
            while (segments(pair) - startSegments < MEASURED_SEGMENTS)
            {
                pair.step();
            }
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            final long measured = segments(pair) - startSegments;
            final double perSegment = (double)allocated / measured;
            System.out.println("allocated " + allocated + " B over " + measured + " segments = " + perSegment +
                " B/segment; A " + pair.tcpA.counters() + "\n B " + pair.tcpB.counters());
            assertTrue(client.connection != null && client.connection.sendQueued() > 0, "the stream was still running");
            assertTrue(perSegment < 0.01, "per-segment allocation must be ~0, was " + perSegment + " B (" + allocated + " B)");
        }
    }
}
