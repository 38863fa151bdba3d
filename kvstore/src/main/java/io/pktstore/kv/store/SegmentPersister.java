package io.pktstore.kv.store;

import io.pktstore.arena.Arena;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

/**
 * Step 1 of the commit protocol: makes the bytes a stored record depends on durable. For a frame
 * record that is the whole IP datagram, {@code [l3, l3 + IPv4 total length)}, once per buffer per
 * batch: the stack may have written a completed checksum into the frame and the checksum covers the
 * pseudo-header, so the whole segment must be durable for recovery to verify it, not only the value
 * bytes. Many clones of one segment (pipelined requests) share the persist.
 *
 * <p>The per-buffer "already persisted in this batch" mark is an epoch number, so starting a new
 * batch costs nothing. Single-threaded; allocates only at construction.
 */
final class SegmentPersister
{
    private final Arena arena;
    private final PacketRecord view = new PacketRecord();
    private final int[] persistedInEpoch;
    private int epoch = 1;
    private long segmentsPersisted;

    SegmentPersister(final Arena arena)
    {
        this.arena = arena;
        this.persistedInEpoch = new int[arena.geometry().bufferCount()];
    }

    /** Persists the datagram under {@code record} unless this batch already did, and the record's line. */
    void persistRecordAndSegment(final int record)
    {
        persistSegment(record);
        arena.persistRecord(record);
    }

    /** Persists the datagram under {@code record} unless this batch already did. */
    void persistSegment(final int record)
    {
        view.wrap(arena, record);
        final int buffer = view.bufferIndex();
        if (persistedInEpoch[buffer] == epoch || view.checksumState() >= PacketRecord.CHECKSUM_STORE_COPY)
        {
            return;   // a store copy is persisted when it is made
        }
        persistedInEpoch[buffer] = epoch;
        final int l3 = view.l3Offset();
        final long ip = arena.bufferAddress(buffer) + l3;
        final int totalLength = ((UnsafeApi.getByte(ip + 2) & 0xFF) << 8) | (UnsafeApi.getByte(ip + 3) & 0xFF);
        arena.persistBuffer(buffer, l3, Math.min(totalLength, arena.bufferSize() - l3));
        segmentsPersisted++;
    }

    /** Starts a new batch: every buffer must be persisted again before the next commit. */
    void nextBatch()
    {
        epoch++;
        if (epoch == 0)
        {
            java.util.Arrays.fill(persistedInEpoch, 0);
            epoch = 1;
        }
    }

    /** @return datagrams persisted so far. */
    long segmentsPersisted()
    {
        return segmentsPersisted;
    }
}
