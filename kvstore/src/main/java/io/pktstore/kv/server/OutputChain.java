package io.pktstore.kv.server;

import io.pktstore.arena.Arena;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.kv.index.Nodes;
import org.agrona.UnsafeApi;

/**
 * A session's replies waiting to be handed to its connection, as one chain of packet records:
 * protocol bytes (status lines, headers, lengths) written into reply buffers the session owns, and
 * stored values as clones of the store's records (never their bytes). {@link #flush} hands the longest
 * prefix that fits the connection's send space to {@code sendRecords}; what does not fit waits here,
 * and the session stops reading requests while too much waits (back pressure instead of unbounded
 * memory).
 *
 * <p>Consecutive protocol bytes share one record while it is the chain's tail, so pipelined small
 * replies cost one record per buffer, not one per reply. Each record holds a reference to its buffer;
 * the chain holds one more on the buffer it writes into.
 *
 * <p>Single-threaded; allocation-free. A write that finds the arena without a free buffer or record
 * returns false: the session cannot answer and must abort the connection.
 */
public final class OutputChain
{
    private static final int NONE = PacketRecord.NO_RECORD;
    private static final long MIN_LONG_DIGITS = 20;

    private final Arena arena;
    private final PacketRecordPool pool;
    private final PacketRecord view = new PacketRecord();
    private final Nodes records;
    private int head = NONE;
    private int tail = NONE;
    private long pendingBytes;
    /** The buffer protocol bytes go into, and how much of it is used. */
    private int writeBuffer = Arena.NONE;
    private int writeOffset;
    /** True while the tail record covers writeBuffer up to writeOffset and may grow. */
    private boolean tailOpen;

    /** @param pool the pool over the stack's arena. */
    public OutputChain(final PacketRecordPool pool)
    {
        this.pool = pool;
        this.arena = pool.arena();
        this.records = new Nodes(arena);
    }

    /** @return bytes waiting (not yet handed to the connection). */
    public long pending()
    {
        return pendingBytes;
    }

    /** @return true if nothing waits. */
    public boolean isEmpty()
    {
        return head == NONE;
    }

    /**
     * Appends {@code length} bytes from {@code address}.
     *
     * @return false if the arena has no buffer or record left (a prefix may have been appended).
     */
    public boolean write(final long address, final int length)
    {
        return append(null, address, length);
    }

    /** Appends one byte. @return false if the arena is exhausted. */
    public boolean writeByte(final int b)
    {
        final long at = reserve(1);
        if (at == 0)
        {
            return false;
        }
        UnsafeApi.putByte(at, (byte)b);
        commitBytes(1);
        return true;
    }

    /** Appends an ASCII string's characters (for fixed protocol text). @return false if the arena is exhausted. */
    public boolean writeAscii(final CharSequence text)
    {
        return append(text, 0, text.length());
    }

    /** Appends either {@code length} bytes from {@code address} or, with {@code text}, its characters. */
    private boolean append(final CharSequence text, final long address, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long at = reserve(1);
            if (at == 0)
            {
                return false;
            }
            final int chunk = Math.min(length - done, arena.bufferSize() - writeOffset);
            if (text == null)
            {
                UnsafeApi.copyMemory(address + done, at, chunk);
            }
            else
            {
                for (int i = 0; i < chunk; i++)
                {
                    UnsafeApi.putByte(at + i, (byte)text.charAt(done + i));
                }
            }
            commitBytes(chunk);
            done += chunk;
        }
        return true;
    }

    /** Appends a decimal number. @return false if the arena is exhausted. */
    public boolean writeLong(final long value)
    {
        final long at = reserve((int)MIN_LONG_DIGITS);
        if (at == 0)
        {
            return false;
        }
        if (value == Long.MIN_VALUE)
        {
            return writeAscii("-9223372036854775808");
        }
        long v = Math.abs(value);
        int digits = 1;
        for (long t = v; t >= 10; t /= 10)
        {
            digits++;
        }
        int position = 0;
        if (value < 0)
        {
            UnsafeApi.putByte(at, (byte)'-');
            position = 1;
        }
        for (int i = position + digits - 1; i >= position; i--)
        {
            UnsafeApi.putByte(at + i, (byte)('0' + v % 10));
            v /= 10;
        }
        commitBytes(position + digits);
        return true;
    }

    /**
     * Appends a chain of records (clones of stored values; the chain owns them from now on).
     *
     * @param first the chain's first record.
     * @param last its last record.
     * @param bytes its total data length.
     */
    public void appendChain(final int first, final int last, final long bytes)
    {
        if (first == NONE)
        {
            return;
        }
        link(first, last);
        pendingBytes += bytes;
        tailOpen = false;
    }

    /**
     * Hands the longest prefix that fits the connection's send space to it (the connection may hold it
     * until the store's commit: {@code holdSends}).
     *
     * @return bytes handed over (0 if none fit or nothing waits).
     */
    public long flush(final ClientConnection connection, final long nowNs)
    {
        if (head == NONE)
        {
            return 0;
        }
        final long space = connection.sendSpace();
        long taken = 0;
        int last = NONE;
        int r = head;
        while (r != NONE)
        {
            final int length = records.dataLength(r);
            if (taken + length > space)
            {
                break;
            }
            taken += length;
            last = r;
            r = records.next(r);
        }
        if (last == NONE)
        {
            return 0;
        }
        final int first = head;
        head = r;
        if (r == NONE)
        {
            tail = NONE;
            tailOpen = false;
        }
        UnsafeApi.putInt(records.recordAddress(last) + PacketRecord.NEXT_OFFSET, NONE);
        pendingBytes -= taken;
        final int untaken = connection.sendRecords(first, nowNs);
        return untaken == NONE ? taken : taken - putBack(untaken, last);
    }

    /**
     * Puts records the connection did not take (it no longer sends, or took less than its space said)
     * back at the head, in order: they are still ours, to send later or release with the chain.
     *
     * @return their bytes.
     */
    private long putBack(final int untaken, final int last)
    {
        long bytes = 0;
        for (int r = untaken; r != NONE; r = records.next(r))
        {
            bytes += records.dataLength(r);
        }
        UnsafeApi.putInt(records.recordAddress(last) + PacketRecord.NEXT_OFFSET, head);
        if (head == NONE)
        {
            tail = last;
        }
        head = untaken;
        pendingBytes += bytes;
        return bytes;
    }

    /** Releases everything waiting and the write buffer (connection gone). */
    public void clear()
    {
        pool.releaseChain(head);
        head = NONE;
        tail = NONE;
        pendingBytes = 0;
        tailOpen = false;
        if (writeBuffer != Arena.NONE)
        {
            arena.releaseBuffer(writeBuffer);
            writeBuffer = Arena.NONE;
        }
    }

    // ------------------------------------------------------------------------------------------

    /** @return the address where at least {@code need} (&lt;= buffer size) bytes may be written, or 0. */
    private long reserve(final int need)
    {
        if (writeBuffer == Arena.NONE || arena.bufferSize() - writeOffset < need)
        {
            final int fresh = arena.allocateBuffer();
            if (fresh == Arena.NONE)
            {
                return 0;
            }
            if (writeBuffer != Arena.NONE)
            {
                arena.releaseBuffer(writeBuffer);
            }
            writeBuffer = fresh;
            writeOffset = 0;
            tailOpen = false;
        }
        if (!tailOpen)
        {
            arena.retainBuffer(writeBuffer);   // the new record's own reference
            final int record = pool.adopt(writeBuffer);
            if (record == NONE)
            {
                arena.releaseBuffer(writeBuffer);
                return 0;
            }
            view.wrap(arena, record).dataOffset(writeOffset).dataLength(0);
            link(record, record);
            tailOpen = true;
        }
        return arena.bufferAddress(writeBuffer) + writeOffset;
    }

    private void commitBytes(final int n)
    {
        final long tailRecord = records.recordAddress(tail);
        final int length = UnsafeApi.getShort(tailRecord + PacketRecord.DATA_LENGTH_OFFSET) & 0xFFFF;
        UnsafeApi.putShort(tailRecord + PacketRecord.DATA_LENGTH_OFFSET, (short)(length + n));
        writeOffset += n;
        pendingBytes += n;
    }

    private void link(final int first, final int last)
    {
        if (tail == NONE)
        {
            head = first;
        }
        else
        {
            UnsafeApi.putInt(records.recordAddress(tail) + PacketRecord.NEXT_OFFSET, first);
        }
        tail = last;
    }



}
