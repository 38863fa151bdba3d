package io.pktstore.kv.index;

import io.pktstore.arena.Arena;
import io.pktstore.kv.bytes.ByteOrdering;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

/**
 * Reads an index node's immutable parts straight from its record (see {@link NodeLayout}): where its
 * key's bytes are, its value chain and the value's length. No flyweight is wrapped per call, so the
 * engines' searches allocate nothing and touch one line per node.
 *
 * <p>Nothing here validates: callers on paths that read untrusted indexes (recovery) check ranges
 * first. Single-threaded.
 */
public final class Nodes
{
    private final Arena arena;
    private final long base;
    private final long recordTable;
    private final long bufferPool;
    private final int bufferSize;

    /** @param arena the arena holding the nodes. */
    public Nodes(final Arena arena)
    {
        this.arena = arena;
        this.base = arena.region().address();
        this.recordTable = base + arena.geometry().recordTableOffset();
        this.bufferPool = base + arena.geometry().bufferPoolOffset();
        this.bufferSize = arena.bufferSize();
    }

    /** @return the arena. */
    public Arena arena()
    {
        return arena;
    }

    /** @return the address of record {@code node}'s first byte (index not checked). */
    public long recordAddress(final int node)
    {
        return recordTable + ((long)node << 6);
    }

    /** @return the address of the node's first key byte. */
    public long keyAddress(final int node)
    {
        final long r = recordAddress(node);
        final int buffer = UnsafeApi.getInt(r + PacketRecord.BUFFER_INDEX_OFFSET);
        final int dataOffset = UnsafeApi.getShort(r + PacketRecord.DATA_OFFSET_OFFSET) & 0xFFFF;
        return bufferPool + (long)buffer * bufferSize + dataOffset;
    }

    /** @return the node's key length in bytes. */
    public int keyLength(final int node)
    {
        return UnsafeApi.getShort(recordAddress(node) + PacketRecord.DATA_LENGTH_OFFSET) & 0xFFFF;
    }

    /** @return the first record of the node's value, or {@link PacketRecord#NO_RECORD} for an empty value. */
    public int valueHead(final int node)
    {
        return UnsafeApi.getInt(recordAddress(node) + PacketRecord.NEXT_OFFSET);
    }

    /** @return the value's length in bytes. */
    public long valueLength(final int node)
    {
        return UnsafeApi.getLong(recordAddress(node) + NodeLayout.WORD1) & NodeLayout.LINK_MASK;
    }

    /** @return the receive timestamp of the node's own record (the segment that carried the key). */
    public long keyTimestampNs(final int node)
    {
        return UnsafeApi.getLong(recordAddress(node) + PacketRecord.TIMESTAMP_OFFSET);
    }

    /**
     * @return the value's timestamp: the receive time of its first segment, or of the key's segment
     *         for an empty value.
     */
    public long valueTimestampNs(final int node)
    {
        final int head = valueHead(node);
        return head == PacketRecord.NO_RECORD ? keyTimestampNs(node)
            : UnsafeApi.getLong(recordAddress(head) + PacketRecord.TIMESTAMP_OFFSET);
    }

    /** @return the next record of a value chain. */
    public int next(final int record)
    {
        return UnsafeApi.getInt(recordAddress(record) + PacketRecord.NEXT_OFFSET);
    }

    /** Links {@code next} after {@code record} in a chain (a record not yet stored or sent). */
    public void setNext(final int record, final int next)
    {
        UnsafeApi.putInt(recordAddress(record) + PacketRecord.NEXT_OFFSET, next);
    }

    /** @return the first data byte of a record. */
    public long dataAddress(final int record)
    {
        return keyAddress(record);
    }

    /** @return a record's data length. */
    public int dataLength(final int record)
    {
        return keyLength(record);
    }

    /** @return compare(key, node's key): negative if the key sorts before the node's. */
    public int compareKey(final long key, final int keyLength, final int node)
    {
        return ByteOrdering.compare(key, keyLength, keyAddress(node), keyLength(node));
    }

    /** @return compare(a's key, b's key). */
    public int compareNodes(final int a, final int b)
    {
        return ByteOrdering.compare(keyAddress(a), keyLength(a), keyAddress(b), keyLength(b));
    }
}
