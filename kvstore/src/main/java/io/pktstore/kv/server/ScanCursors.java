package io.pktstore.kv.server;

import io.pktstore.kv.format.NodeLayout;
import org.agrona.UnsafeApi;

/**
 * SCAN's cursor is an integer to every Redis client (redis-py parses it with {@code int()}), but the
 * position in an ordered store is a key. The server keeps the last key of each SCAN page in a ring of
 * slots and hands out the slot's sequence number as the cursor; the next call continues after that key,
 * so keys inserted or deleted in between never make a scan skip a key that stayed. A cursor whose slot
 * was reused by {@code slots} later scans is refused ("invalid cursor") rather than guessed.
 *
 * <p>Off-heap storage, allocation-free after construction; single-threaded.
 */
public final class ScanCursors
{
    private final long[] ids;
    private final int[] lengths;
    private final long keys;
    private long nextId = 1;

    /** @param slots cursors remembered at once. */
    public ScanCursors(final int slots)
    {
        this.ids = new long[slots];
        this.lengths = new int[slots];
        this.keys = UnsafeApi.allocateMemory((long)slots * NodeLayout.MAX_KEY_LENGTH);
    }

    /**
     * Remembers a scan position.
     *
     * @param key address of the last key returned.
     * @param length its length (1..1024).
     * @return the cursor (positive).
     */
    public long save(final long key, final int length)
    {
        final long id = nextId++;
        final int slot = (int)(id % ids.length);
        ids[slot] = id;
        lengths[slot] = length;
        UnsafeApi.copyMemory(key, keys + (long)slot * NodeLayout.MAX_KEY_LENGTH, length);
        return id;
    }

    /**
     * @param id a cursor from {@link #save}.
     * @return the key's length, its bytes at {@link #keyAddress(long)}; -1 if the cursor is unknown.
     */
    public int lookup(final long id)
    {
        if (id <= 0)
        {
            return -1;
        }
        final int slot = (int)(id % ids.length);
        return ids[slot] == id ? lengths[slot] : -1;
    }

    /** @return the address of a known cursor's key. */
    public long keyAddress(final long id)
    {
        return keys + (id % ids.length) * NodeLayout.MAX_KEY_LENGTH;
    }
}
