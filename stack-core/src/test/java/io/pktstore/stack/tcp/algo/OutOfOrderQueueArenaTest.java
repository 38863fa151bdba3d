package io.pktstore.stack.tcp.algo;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The out-of-order queue over real packet records of an arena, released through the record pool:
 * payload bytes read through the trimmed records are the stream's bytes, clones share buffers, and
 * every record and buffer goes back to the arena (no leak, no double release).
 */
class OutOfOrderQueueArenaTest
{
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(512, 256, 2048, 8);
    private static final int ISN = 0xFFFF_FC00; // stream crosses 2^32 after 1 KiB

    @Test
    @Timeout(30)
    void reassemblesAShuffledDuplicatedStreamFromArenaRecords()
    {
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes());
             Arena arena = Arena.format(region, GEOMETRY))
        {
            final PacketRecordPool pool = new PacketRecordPool(arena);
            final int freeRecords = arena.freeRecordCount();
            final int freeBuffers = arena.freeBufferCount();
            final OutOfOrderQueue queue = new OutOfOrderQueue(arena::recordAddress, pool::release);
            final PacketRecord view = new PacketRecord();
            final SplittableRandom random = new SplittableRandom(11);

            final int streamLength = 60 * 1000;
            final byte[] stream = new byte[streamLength];
            random.nextBytes(stream);
            final int segment = 1000;
            final int headerRoom = 54; // Ethernet + IPv4 + TCP before the payload in the frame
            final int segments = streamLength / segment;
            final int[] order = new int[segments * 2];
            for (int i = 0; i < order.length; i++)
            {
                order[i] = i % segments; // every segment twice: duplicates
            }
            for (int i = order.length - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }

            final byte[] received = new byte[streamLength];
            int rcvNxt = ISN;
            int delivered = 0;
            for (final int s : order)
            {
                // a segment of up to 1.5 * segment bytes starting at s*segment: overlaps its neighbour
                final int from = s * segment;
                final int length = Math.min(segment + random.nextInt(segment / 2), streamLength - from);
                final int buffer = arena.allocateBuffer();
                assertNotEquals(Arena.NONE, buffer);
                for (int i = 0; i < length; i++)
                {
                    org.agrona.UnsafeApi.putByte(arena.bufferAddress(buffer) + headerRoom + i, stream[from + i]);
                }
                final int record = pool.adopt(buffer);
                view.wrap(arena, record).tcpSeq(ISN + from).dataOffset(headerRoom).dataLength(length)
                    .frameLength(headerRoom + length);
                int toInsert = record;
                if (random.nextInt(3) == 0)
                {
                    // insert a clone instead (as when the original is also held elsewhere), then drop the original
                    toInsert = pool.cloneRecord(record);
                    assertEquals(2, arena.bufferRefCount(buffer));
                    pool.release(record);
                }
                queue.insert(toInsert, rcvNxt);
                int next;
                while ((next = queue.pollInOrder(rcvNxt)) != OutOfOrderQueue.NIL)
                {
                    view.wrap(arena, next);
                    assertEquals(rcvNxt, view.tcpSeq());
                    final long data = arena.bufferAddress(view.bufferIndex()) + view.dataOffset();
                    for (int i = 0; i < view.dataLength(); i++)
                    {
                        received[delivered + i] = org.agrona.UnsafeApi.getByte(data + i);
                    }
                    delivered += view.dataLength();
                    rcvNxt += view.dataLength();
                    pool.release(next);
                }
                queue.verifyInvariants();
            }
            assertEquals(streamLength, delivered);
            org.junit.jupiter.api.Assertions.assertArrayEquals(stream, received);
            assertEquals(0, queue.count());
            assertEquals(freeRecords, arena.freeRecordCount(), "every record returned");
            assertEquals(freeBuffers, arena.freeBufferCount(), "every buffer returned");
        }
    }
}
