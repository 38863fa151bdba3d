package io.pktstore.kv.server;

import io.pktstore.kv.index.Nodes;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;

/**
 * The clones of one value (a RESP bulk argument, an HTTP body) as its bytes arrive, linked first to
 * last through {@code next}: what a parser hands to {@link Arguments} as one chain, without copying a
 * byte. Shared by the RESP and HTTP parsers. Single-threaded.
 */
public final class ValueChain
{
    private static final int NONE = PacketRecord.NO_RECORD;

    private final PacketRecordPool pool;
    private final Nodes records;
    private int head = NONE;
    private int tail = NONE;

    /** @param pool the records' pool. */
    public ValueChain(final PacketRecordPool pool)
    {
        this.pool = pool;
        this.records = new Nodes(pool.arena());
    }

    /**
     * Clones the next {@code n} bytes of the input onto the end of the chain.
     *
     * @return false if the arena had no record left: the bytes are skipped (parsing keeps in step, the
     *         request will be refused) and the chain built so far is let go.
     */
    public boolean cloneFrom(final InputQueue in, final long n)
    {
        final int first = in.cloneRange(n);
        if (first == NONE)
        {
            in.skip(n);
            release();
            return false;
        }
        if (tail == NONE)
        {
            head = first;
        }
        else
        {
            records.setNext(tail, first);
        }
        tail = in.lastClone();
        return true;
    }

    /** @return the chain's first record (NO_RECORD if empty), now the caller's; this chain starts empty. */
    public int take()
    {
        final int first = head;
        head = NONE;
        tail = NONE;
        return first;
    }

    /** Lets the chain go (the request is refused, or the connection gone); it starts empty. */
    public void release()
    {
        pool.releaseChain(take());
    }
}
