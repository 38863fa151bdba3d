package io.pktstore.kv.index;

import io.pktstore.arena.Arena;
import io.pktstore.arena.LinkBatch;
import org.agrona.UnsafeApi;

/**
 * The one place where the engines read and write durable link words, so the commit rule lives here
 * and nowhere else:
 * <ul>
 *   <li>a node that is already committed (its record mark is set in memory) is reachable from the
 *       durable index: its words change only through the arena's {@link LinkBatch}, which makes all
 *       changes of a batch durable together;</li>
 *   <li>a node created in the current batch (mark staged, not yet in memory) is reachable from
 *       nothing durable: its words are written directly, and the store persists its line before the
 *       batch commits.</li>
 * </ul>
 * Reads go through the batch, so an engine sees its own uncommitted changes. Root slots are always
 * batch words.
 */
public final class LinkWords
{
    private final Arena arena;
    private final LinkBatch batch;
    private final Nodes nodes;

    /**
     * @param arena the arena.
     * @param nodes node accessors over the same arena.
     */
    public LinkWords(final Arena arena, final Nodes nodes)
    {
        this.arena = arena;
        this.batch = arena.linkBatch();
        this.nodes = nodes;
    }

    /** @return the batch the durable changes go through. */
    public LinkBatch batch()
    {
        return batch;
    }

    /** @return the node accessors. */
    public Nodes nodes()
    {
        return nodes;
    }

    /**
     * @param node a node.
     * @param word byte offset of the link word in the record ({@code NodeLayout.WORD0} ...).
     * @return the word as the current batch sees it.
     */
    public long load(final int node, final int word)
    {
        return batch.load(arena.recordOffset(node) + word);
    }

    /** Writes a durable link word of {@code node} (see the class comment for how). */
    public void store(final int node, final int word, final long value)
    {
        if (arena.isRecordMarked(node))
        {
            batch.store(arena.recordOffset(node) + word, value);
        }
        else
        {
            UnsafeApi.putLong(nodes.recordAddress(node) + word, value);
        }
    }

    /** @return root slot {@code slot} as the current batch sees it. */
    public long loadRoot(final int slot)
    {
        return batch.load(arena.rootOffset(slot));
    }

    /** Stages a new value for root slot {@code slot}. */
    public void storeRoot(final int slot, final long value)
    {
        batch.store(arena.rootOffset(slot), value);
    }

    /** Stages setting or clearing {@code node}'s record mark. */
    public void mark(final int node, final boolean marked)
    {
        final long offset = arena.recordMarkWordOffset(node);
        final long bit = Arena.recordMarkBit(node);
        final long word = batch.load(offset);
        batch.store(offset, marked ? word | bit : word & ~bit);
    }

    /** @return true if the node's mark is set as the current batch sees it. */
    public boolean isMarked(final int node)
    {
        return (batch.load(arena.recordMarkWordOffset(node)) & Arena.recordMarkBit(node)) != 0;
    }

    /** @return a volatile (never persisted, rebuilt at recovery) word of {@code node}, read from memory. */
    public long loadVolatile(final int node, final int word)
    {
        return UnsafeApi.getLong(nodes.recordAddress(node) + word);
    }

    /** Writes a volatile word of {@code node} directly (recovery rebuilds it; no batch, no persist). */
    public void storeVolatile(final int node, final int word, final long value)
    {
        UnsafeApi.putLong(nodes.recordAddress(node) + word, value);
    }
}
