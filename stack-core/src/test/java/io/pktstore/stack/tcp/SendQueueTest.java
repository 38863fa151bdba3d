package io.pktstore.stack.tcp;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The send queue against a byte model: copies, gathers across records, partial and full acknowledgements. */
class SendQueueTest
{
    private Arena arena;
    private PacketRecordPool pool;
    private SendQueue queue;

    @BeforeEach
    void setUp()
    {
        final ArenaGeometry g = ArenaGeometry.of(64, 64, 2048, 0);
        arena = Arena.format(SimulatedPmRegion.create(g.requiredBytes()), g);
        pool = new PacketRecordPool(arena);
        queue = new SendQueue(pool, pool::release);
        queue.reset(1000);
    }

    @AfterEach
    void tearDown()
    {
        arena.close();
    }

    private static byte[] pattern(final int n)
    {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++)
        {
            b[i] = (byte)(i * 31 + 7);
        }
        return b;
    }

    private static byte[] collect(final Gather g)
    {
        final byte[] out = new byte[g.totalLength()];
        int at = 0;
        for (int i = 0; i < g.count(); i++)
        {
            new UnsafeBuffer(g.address(i), g.length(i)).getBytes(0, out, at, g.length(i));
            at += g.length(i);
        }
        return out;
    }

    @Test
    void gathersAnyRangeAcrossBufferBoundariesAndReleasesOnAck()
    {
        final byte[] data = pattern(5000);
        final int freeBefore = arena.freeBufferCount();
        assertEquals(5000, queue.appendCopy(new UnsafeBuffer(data), 0, 5000));
        assertEquals(freeBefore - 3, arena.freeBufferCount(), "5000 bytes fill three 2 KiB buffers");
        assertEquals(6000, queue.endSeq());
        final Gather g = new Gather(8);
        // Sequential segments through the cursor, then a retransmission from the head.
        for (int seq = 1000; seq < 6000; seq += 1460)
        {
            g.clear();
            final int n = queue.gather(seq, 1460, g);
            final byte[] expected = java.util.Arrays.copyOfRange(data, seq - 1000, seq - 1000 + n);
            assertArrayEquals(expected, collect(g), "bytes at seq " + seq);
        }
        g.clear();
        assertEquals(1460, queue.gather(1000 + 2040, 1460, g));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2040, 3500), collect(g), "range spanning two buffers");
        assertEquals(2, g.count());
        // Partial ack inside the second buffer: first buffer freed, rest still readable.
        assertEquals(2100, queue.acknowledge(3100));
        assertEquals(freeBefore - 2, arena.freeBufferCount());
        g.clear();
        queue.gather(3100, 100, g);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2100, 2200), collect(g));
        assertEquals(2900, queue.acknowledge(6000));
        assertEquals(freeBefore, arena.freeBufferCount(), "everything acknowledged: every buffer back");
        assertEquals(0, queue.bytes());
    }

    @Test
    void appendedRecordsAreSentWithoutCopyAndReleasedOnAck()
    {
        final int buffer = arena.allocateBuffer();
        final int record = pool.adopt(buffer);
        new UnsafeBuffer(arena.bufferAddress(buffer), 100).putBytes(60, pattern(40));
        pool.view(record).dataOffset(60).dataLength(40);
        final int clone = pool.cloneRecord(record);
        queue.appendRecord(record);
        queue.appendRecord(clone);
        assertEquals(80, queue.bytes());
        final Gather g = new Gather(8);
        assertEquals(80, queue.gather(1000, 80, g));
        assertEquals(arena.bufferAddress(buffer) + 60, g.address(0), "gathered in place");
        assertEquals(arena.bufferAddress(buffer) + 60, g.address(1), "the clone shares the buffer");
        assertEquals(2, arena.bufferRefCount(buffer));
        queue.acknowledge(1040);
        assertEquals(1, arena.bufferRefCount(buffer));
        queue.acknowledge(1080);
        assertEquals(false, arena.isBufferAllocated(buffer));
    }
}
