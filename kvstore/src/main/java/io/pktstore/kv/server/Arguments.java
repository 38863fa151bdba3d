package io.pktstore.kv.server;

import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.store.KvStore;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.kv.index.Nodes;
import org.agrona.UnsafeApi;

/**
 * The arguments of one parsed request, each kept where it arrived: a chain of range clones of the
 * received records (most arguments, always for values), or a range of the session's off-heap scratch
 * (inline commands, whose line was copied to split it). Commands read them without copying where the
 * bytes are contiguous, take the key and value chains they store (ownership moves to the store), and
 * everything not taken is released after the command ran ({@link #clear()}).
 *
 * <pre>
 *  argument i:  kind[i]   CHAIN: head[i] = first clone, length[i] = bytes over the chain
 *                         SCRATCH: start[i] = offset in the scratch, length[i] = bytes
 *                         DISCARDED: the bytes were skipped (refused before they were read)
 * </pre>
 * The arrays start small and grow (doubling, up to the session's argument limit) only when a request
 * has more arguments than any before: no allocation in steady state.
 */
public final class Arguments
{
    /** Argument bytes are a chain of clones. */
    public static final byte CHAIN = 0;
    /** Argument bytes are in the session's scratch. */
    public static final byte SCRATCH = 1;
    /** Argument bytes were skipped, not kept. */
    public static final byte DISCARDED = 2;

    private static final int NONE = PacketRecord.NO_RECORD;

    private final PacketRecordPool pool;
    private final Nodes records;
    private final long scratch;
    private final long keyScratch;
    private byte[] kind = new byte[16];
    private int[] head = new int[16];
    private long[] length = new long[16];
    private int[] start = new int[16];
    private int count;

    /**
     * @param pool the pool over the stack's arena.
     * @param scratch the session's scratch (inline lines), valid for the session's life.
     */
    public Arguments(final PacketRecordPool pool, final long scratch)
    {
        this.pool = pool;
        this.records = new Nodes(pool.arena());
        this.scratch = scratch;
        this.keyScratch = UnsafeApi.allocateMemory(NodeLayout.MAX_KEY_LENGTH);
    }

    /** @return arguments held. */
    public int count()
    {
        return count;
    }

    /** Ensures room for {@code n} arguments. */
    public void ensureCapacity(final int n)
    {
        if (n > kind.length)
        {
            final int size = Math.max(n, kind.length * 2);
            kind = java.util.Arrays.copyOf(kind, size);
            head = java.util.Arrays.copyOf(head, size);
            length = java.util.Arrays.copyOf(length, size);
            start = java.util.Arrays.copyOf(start, size);
        }
    }

    /** Adds a chain of clones (NONE for an empty argument). */
    public void addChain(final int first, final long bytes)
    {
        ensureCapacity(count + 1);
        kind[count] = CHAIN;
        head[count] = first;
        length[count] = bytes;
        count++;
    }

    /** Adds a range of the scratch. */
    public void addScratch(final int offset, final int bytes)
    {
        ensureCapacity(count + 1);
        kind[count] = SCRATCH;
        head[count] = NONE;
        start[count] = offset;
        length[count] = bytes;
        count++;
    }

    /** Adds an argument whose bytes were skipped. */
    public void addDiscarded(final long bytes)
    {
        ensureCapacity(count + 1);
        kind[count] = DISCARDED;
        head[count] = NONE;
        length[count] = bytes;
        count++;
    }

    /** @return argument i's kind. */
    public byte kind(final int i)
    {
        return kind[i];
    }

    /** @return argument i's length in bytes. */
    public long length(final int i)
    {
        return length[i];
    }

    /** @return true if any argument was skipped (the request was refused while it arrived). */
    public boolean anyDiscarded()
    {
        for (int i = 0; i < count; i++)
        {
            if (kind[i] == DISCARDED)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the address of argument i's bytes if they are contiguous (a one-record chain or scratch),
     *         else copies up to {@code max} bytes into a key scratch and returns that (0 if longer).
     */
    public long address(final int i, final int max)
    {
        if (kind[i] == SCRATCH)
        {
            return scratch + start[i];
        }
        if (kind[i] != CHAIN || length[i] > max)
        {
            return 0;
        }
        final int first = head[i];
        if (first == NONE)
        {
            return keyScratch;   // empty argument: any address
        }
        if (records.dataLength(first) == length[i])
        {
            return records.dataAddress(first);
        }
        if (length[i] > NodeLayout.MAX_KEY_LENGTH)
        {
            return 0;
        }
        int done = 0;
        for (int r = first; r != NONE; r = records.next(r))
        {
            final int n = records.dataLength(r);
            UnsafeApi.copyMemory(records.dataAddress(r), keyScratch + done, n);
            done += n;
        }
        return keyScratch;
    }

    /** @return argument i as a key's address (contiguous, at most 1024 bytes), or 0 if it cannot be one. */
    public long key(final int i)
    {
        return length[i] >= 1 && length[i] <= NodeLayout.MAX_KEY_LENGTH ? address(i, NodeLayout.MAX_KEY_LENGTH) : 0;
    }

    /**
     * Takes argument i as a record to become an index node: its own clone when it is one record, else a
     * store copy (a key split across segments, or from an inline line).
     *
     * @return the record, or NO_RECORD if the argument cannot be a key or the arena is out of room.
     */
    public int takeKeyRecord(final int i, final KvStore store, final long timestampNs)
    {
        if (length[i] < 1 || length[i] > NodeLayout.MAX_KEY_LENGTH)
        {
            return NONE;
        }
        if (kind[i] == CHAIN && head[i] != NONE && records.dataLength(head[i]) == length[i])
        {
            final int record = head[i];
            head[i] = NONE;
            kind[i] = DISCARDED;
            return record;
        }
        final long address = address(i, NodeLayout.MAX_KEY_LENGTH);
        return address == 0 ? NONE : store.copyKey(address, (int)length[i], timestampNs);
    }

    /**
     * Takes argument i's chain (for a value); the argument is empty afterwards.
     *
     * @return the chain's first record, or NO_RECORD (empty value, or not a chain).
     */
    public int takeChain(final int i)
    {
        if (kind[i] != CHAIN)
        {
            return NONE;
        }
        final int first = head[i];
        head[i] = NONE;
        kind[i] = DISCARDED;
        return first;
    }

    /** @return the first record of argument i's chain (still owned here), NO_RECORD if none. */
    public int chain(final int i)
    {
        return kind[i] == CHAIN ? head[i] : NONE;
    }

    /** @return true if argument i equals the ASCII {@code word}, ignoring case. */
    public boolean is(final int i, final String word)
    {
        if (length[i] != word.length())
        {
            return false;
        }
        final long address = address(i, 64);
        if (address == 0)
        {
            return false;
        }
        for (int k = 0; k < word.length(); k++)
        {
            final int b = UnsafeApi.getByte(address + k) & 0xFF;
            final int c = word.charAt(k);
            if (b != c && Character.toLowerCase(b) != Character.toLowerCase(c))
            {
                return false;
            }
        }
        return true;
    }

    /** A value that is not a (signed 64-bit decimal) integer. */
    public static final long NOT_AN_INTEGER = Long.MIN_VALUE;

    /** @return argument i as a signed decimal integer, or {@link #NOT_AN_INTEGER}. */
    public long integer(final int i)
    {
        if (length[i] < 1 || length[i] > 20)
        {
            return NOT_AN_INTEGER;
        }
        final long address = address(i, 20);
        if (address == 0)
        {
            return NOT_AN_INTEGER;
        }
        final int n = (int)length[i];
        int k = 0;
        boolean negative = false;
        if (UnsafeApi.getByte(address) == '-')
        {
            negative = true;
            k = 1;
            if (n == 1)
            {
                return NOT_AN_INTEGER;
            }
        }
        long value = 0;
        for (; k < n; k++)
        {
            final int d = UnsafeApi.getByte(address + k) - '0';
            if (d < 0 || d > 9 || (k == (negative ? 1 : 0) && d == 0 && n > k + 1))
            {
                return NOT_AN_INTEGER;   // not a digit, or a leading zero
            }
            if (value > (Long.MAX_VALUE - d) / 10)
            {
                return NOT_AN_INTEGER;
            }
            value = value * 10 + d;
        }
        return negative ? -value : value;
    }

    /** Releases every argument not taken and forgets them. */
    public void clear()
    {
        for (int i = 0; i < count; i++)
        {
            if (kind[i] == CHAIN && head[i] != NONE)
            {
                pool.releaseChain(head[i]);
            }
            head[i] = NONE;
        }
        count = 0;
    }

    /** @return a printable rendering of argument i for error messages (at most {@code max} bytes; allocates). */
    public String printable(final int i, final int max)
    {
        final int n = (int)Math.min(length[i], max);
        final byte[] bytes = new byte[n];
        if (kind[i] == SCRATCH)
        {
            UnsafeApi.copyMemory(null, scratch + start[i], bytes, UnsafeApi.arrayBaseOffset(byte[].class), n);
        }
        else if (kind[i] == CHAIN)
        {
            int done = 0;
            for (int r = head[i]; r != NONE && done < n; r = records.next(r))
            {
                final int take = Math.min(n - done, records.dataLength(r));
                UnsafeApi.copyMemory(null, records.dataAddress(r), bytes, UnsafeApi.arrayBaseOffset(byte[].class) + done, take);
                done += take;
            }
        }
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }




}
