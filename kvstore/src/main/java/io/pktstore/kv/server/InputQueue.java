package io.pktstore.kv.server;

import io.pktstore.arena.Arena;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.kv.index.Nodes;
import org.agrona.UnsafeApi;

/**
 * The bytes a connection delivered and a session has not parsed yet, read in place: the delivered
 * packet records queued through their {@code next} field, and a cursor (head record, offset in its
 * data). Parsers read byte by byte or find a delimiter across record boundaries, copy short pieces
 * (headers, command names, keys that straddle two records) into their own off-heap scratch, and take
 * the bytes they keep as range clones of the records ({@link #cloneRange}): nothing accumulates into a
 * Java array and no value byte is copied. A record is released as soon as the cursor passes its end
 * (clones keep its buffer); the bytes passed are counted for the connection's {@code consumed()}.
 *
 * <p>Single-threaded; allocation-free.
 */
public final class InputQueue
{
    private static final int NONE = PacketRecord.NO_RECORD;

    private final Arena arena;
    private final PacketRecordPool pool;
    private final Nodes records;
    private int head = NONE;
    private int tail = NONE;
    /** Bytes of the head record already passed. */
    private int offset;
    /** Bytes queued from the cursor on. */
    private long available;
    /** Bytes passed since the last {@link #takeConsumed()}. */
    private long consumed;
    private int lastClone = NONE;

    /** @param pool the pool over the stack's arena. */
    public InputQueue(final PacketRecordPool pool)
    {
        this.pool = pool;
        this.arena = pool.arena();
        this.records = new Nodes(arena);
    }

    /** Queues a delivered record (the session owns it now). */
    public void append(final int record)
    {
        UnsafeApi.putInt(records.recordAddress(record) + PacketRecord.NEXT_OFFSET, NONE);
        final int length = records.dataLength(record);
        if (length == 0)
        {
            pool.release(record);
            return;
        }
        if (tail == NONE)
        {
            head = record;
            offset = 0;
        }
        else
        {
            UnsafeApi.putInt(records.recordAddress(tail) + PacketRecord.NEXT_OFFSET, record);
        }
        tail = record;
        available += length;
    }

    /** @return bytes queued and not yet passed. */
    public long available()
    {
        return available;
    }

    /** @return the byte under the cursor (the caller checked {@link #available()}). */
    public int peek()
    {
        return UnsafeApi.getByte(records.dataAddress(head) + offset) & 0xFF;
    }

    /** @return the byte {@code ahead} bytes after the cursor (ahead &lt; available). */
    public int byteAt(final long ahead)
    {
        int record = head;
        long at = offset + ahead;
        int length = records.dataLength(record);
        while (at >= length)
        {
            at -= length;
            record = records.next(record);
            length = records.dataLength(record);
        }
        return UnsafeApi.getByte(records.dataAddress(record) + at) & 0xFF;
    }

    /**
     * @param b the byte to look for.
     * @param limit look at most this many bytes ahead.
     * @return how many bytes after the cursor {@code b} is, or -1 if it is not within
     *         {@code min(limit, available)} bytes.
     */
    public long indexOf(final int b, final long limit)
    {
        final long max = Math.min(limit, available);
        long seen = 0;
        int record = head;
        int from = offset;
        while (record != NONE && seen < max)
        {
            final long address = records.dataAddress(record);
            final int length = records.dataLength(record);
            final int end = (int)Math.min(length, from + (max - seen));
            for (int i = from; i < end; i++)
            {
                if ((UnsafeApi.getByte(address + i) & 0xFF) == b)
                {
                    return seen + (i - from);
                }
            }
            seen += end - from;
            record = records.next(record);
            from = 0;
        }
        return -1;
    }

    /** @return true if the contiguous bytes at the cursor (at least n of them in the head record) allow a direct read. */
    public boolean contiguous(final int n)
    {
        return head != NONE && records.dataLength(head) - offset >= n;
    }

    /** @return the receive timestamp of the record under the cursor (0 if nothing is queued). */
    public long cursorTimestampNs()
    {
        return head == NONE ? 0 : UnsafeApi.getLong(records.recordAddress(head) + PacketRecord.TIMESTAMP_OFFSET);
    }

    /** @return the address of the byte under the cursor (valid while the head record is queued). */
    public long cursorAddress()
    {
        return records.dataAddress(head) + offset;
    }

    /**
     * Copies {@code n} bytes that lie {@code ahead} bytes after the cursor to {@code address} without
     * passing them (a parser looks at a whole line before deciding which of its bytes to take as clones).
     *
     * @param ahead where the bytes start, after the cursor.
     * @param address where they go.
     * @param n how many (ahead + n &lt;= available).
     */
    public void peekCopy(final long ahead, final long address, final int n)
    {
        int record = head;
        long at = offset + ahead;
        while (at >= records.dataLength(record))
        {
            at -= records.dataLength(record);
            record = records.next(record);
        }
        int done = 0;
        while (done < n)
        {
            final int chunk = (int)Math.min(n - done, records.dataLength(record) - at);
            UnsafeApi.copyMemory(records.dataAddress(record) + at, address + done, chunk);
            done += chunk;
            at = 0;
            record = records.next(record);
        }
    }

    /** Copies the next {@code n} bytes to {@code address} and passes them. */
    public void copy(final long address, final int n)
    {
        int done = 0;
        while (done < n)
        {
            final int chunk = Math.min(n - done, records.dataLength(head) - offset);
            UnsafeApi.copyMemory(records.dataAddress(head) + offset, address + done, chunk);
            done += chunk;
            advanceInHead(chunk);
        }
    }

    /** Passes the next {@code n} bytes (n &lt;= available). */
    public void skip(final long n)
    {
        long left = n;
        while (left > 0)
        {
            final int chunk = (int)Math.min(left, records.dataLength(head) - offset);
            left -= chunk;
            advanceInHead(chunk);
        }
    }

    /**
     * Takes the next {@code n} bytes as range clones of the records they lie in (one clone per
     * record), chained through {@code next}, and passes them.
     *
     * @param n bytes, 1 .. available.
     * @return the chain's first clone; {@link #lastClone()} is its last. NO_RECORD if the arena ran out
     *         of records: then nothing was passed and no clone is left.
     */
    public int cloneRange(final long n)
    {
        int first = NONE;
        int last = NONE;
        int record = head;
        int from = offset;
        long left = n;
        while (left > 0)
        {
            final int chunk = (int)Math.min(left, records.dataLength(record) - from);
            final int clone = pool.cloneRange(record, from, chunk);
            if (clone == NONE)
            {
                pool.releaseChain(first);
                lastClone = NONE;
                return NONE;
            }
            if (last == NONE)
            {
                first = clone;
            }
            else
            {
                UnsafeApi.putInt(records.recordAddress(last) + PacketRecord.NEXT_OFFSET, clone);
            }
            last = clone;
            left -= chunk;
            from = 0;
            record = records.next(record);
        }
        lastClone = last;
        skip(n);
        return first;
    }

    /** @return the last clone of the chain the latest {@link #cloneRange} made. */
    public int lastClone()
    {
        return lastClone;
    }

    private void advanceInHead(final int n)
    {
        offset += n;
        available -= n;
        consumed += n;
        if (offset == records.dataLength(head))
        {
            final int done = head;
            head = records.next(done);
            offset = 0;
            if (head == NONE)
            {
                tail = NONE;
            }
            pool.release(done);
        }
    }

    /** @return bytes passed since the last call (to report to the connection as consumed). */
    public long takeConsumed()
    {
        final long c = consumed;
        consumed = 0;
        return c;
    }

    /** Releases everything queued (connection gone). */
    public void clear()
    {
        int record = head;
        while (record != NONE)
        {
            final int next = records.next(record);
            pool.release(record);
            record = next;
        }
        head = NONE;
        tail = NONE;
        offset = 0;
        available = 0;
        consumed = 0;
    }
}
