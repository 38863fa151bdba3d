package io.pktstore.stack.ip;

import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.RawPeer;
import io.pktstore.stack.StackCounters;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingFramesTest
{
    private final InMemoryLink link = InMemoryLink.pair();
    private final StackCounters counters = new StackCounters();
    private final FrameTransmitter tx = new FrameTransmitter(link.a(), 8, 4, counters);
    private final PendingFrames pending = new PendingFrames(4, 1500, 0x0200_0000_0001L, 1_000, tx, counters);
    private final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
    private final Gather payload = new Gather(1);
    private final RawPeer peer = new RawPeer(link.b());

    PendingFramesTest()
    {
        payload.add(memory.addressOffset() + 64, 10);
    }

    @Test
    void limitsPerNeighbourAndOverallAndFreesSlotsOnlyAfterTheFlush()
    {
        for (int i = 0; i < PendingFrames.PER_NEIGHBOUR; i++)
        {
            assertTrue(pending.enqueue(1, memory.addressOffset(), payload, i));
        }
        assertFalse(pending.enqueue(1, memory.addressOffset(), payload, 5), "per-neighbour share used up");
        assertTrue(pending.enqueue(2, memory.addressOffset(), payload, 6));
        assertFalse(pending.enqueue(3, memory.addressOffset(), payload, 7), "all 4 slots used");

        pending.release(1, 0x0200_0000_0009L, 10);
        assertEquals(3, tx.pendingFrames());
        assertFalse(pending.enqueue(3, memory.addressOffset(), payload, 11), "released slots are in the TX burst until the flush");
        tx.flush(12);
        pending.onFlushed();
        assertTrue(pending.enqueue(3, memory.addressOffset(), payload, 13));
        final List<byte[]> frames = peer.receiveAll(13);
        assertEquals(3, frames.size());
        for (final byte[] f : frames)
        {
            assertEquals(14 + 20 + 10, f.length);
            assertEquals(0x09, f[5], "destination is the learned MAC");
            assertEquals(0x01, f[11], "source is ours");
        }
    }

    @Test
    void waitingDatagramsExpireAndAreCounted()
    {
        assertTrue(pending.enqueue(1, memory.addressOffset(), payload, 0));
        assertTrue(pending.enqueue(2, memory.addressOffset(), payload, 500));
        pending.expire(999);
        assertEquals(2, pending.queued());
        pending.expire(1_000);
        assertEquals(1, pending.queued());
        pending.expire(1_500);
        assertEquals(0, pending.queued());
        assertEquals(2, counters.get(StackCounters.ARP_QUEUE_DROPS));
        pending.release(1, 0x0200_0000_0009L, 2_000);
        assertEquals(0, tx.pendingFrames(), "nothing left to send");
    }
}
