package io.pktstore.kv.index;

import io.pktstore.arena.Arena;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

import java.util.SplittableRandom;

/**
 * A persistent skip list (NoveLSM's memtable over PM) whose nodes are packet records.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>A node's key, value chain, value length and height are immutable once it is linked.</li>
 *   <li>Level 0 is the durable truth: root slot {@link KvFormat#ROOT_INDEX} names the first node,
 *       each node's link word 0 the next; keys strictly increase along it.</li>
 *   <li>Levels 1 and up are volatile: kept in link words 2-3 and in an overflow block, written
 *       without persisting, never trusted after a crash; recovery rebuilds them from level 0 and the
 *       heights. Why volatile: a durable tower would cost a persisted word per level per insert and
 *       gain nothing recovery cannot rebuild in one pass (level 0 is walked anyway to verify).</li>
 *   <li>Every level is a subsequence of level 0, in the same order.</li>
 *   <li>Commit: the new node (key, value, next, height) is written and persisted while unreachable;
 *       its predecessor's link word 0 (or the root) changes through the link batch, which makes it
 *       durable with the batch's other changes behind one commit word ({@link LinkWords}).</li>
 * </ol>
 *
 * <pre>
 *  link word 0:  63      40 39   32 31                 0
 *               +----------+-------+--------------------+
 *               | 0        | height| level-0 next + 1   |     durable
 *               +----------+-------+--------------------+
 *  link word 1:  overflow block + 1 (high u32, volatile) | value length (low u32, durable)
 *  link word 2:  level 2 next + 1 (high) | level 1 next + 1 (low)      volatile
 *  link word 3:  level 4 next + 1 (high) | level 3 next + 1 (low)      volatile
 *  overflow block (64 B): levels 5..20, one u32 (next + 1) each
 * </pre>
 * Heights follow p = 1/4 from a seeded generator (deterministic runs), at most {@link #MAX_HEIGHT}.
 */
public final class SkipListIndex implements OrderedIndex
{
    /** Tallest tower: 5 levels in the record plus 16 in one overflow block. */
    public static final int MAX_HEIGHT = 21;
    private static final int IN_RECORD_LEVELS = 5;
    private static final int HEAD = Integer.MIN_VALUE;
    private static final int NONE = PacketRecord.NO_RECORD;

    private final Arena arena;
    private final Nodes nodes;
    private final LinkWords links;
    private final SplittableRandom random;
    /** Volatile head of levels 1..MAX_HEIGHT-1 (record index or NONE); level 0's head is the root slot. */
    private final int[] headNext = new int[MAX_HEIGHT];
    private final int[] preds = new int[MAX_HEIGHT];
    /** Highest level in use + 1. */
    private int levels = 1;
    private long size;

    /**
     * @param links link-word access over the store's arena.
     * @param seed seed of the tower heights.
     */
    public SkipListIndex(final LinkWords links, final long seed)
    {
        this.links = links;
        this.nodes = links.nodes();
        this.arena = nodes.arena();
        this.random = new SplittableRandom(seed);
        java.util.Arrays.fill(headNext, NONE);
    }

    @Override
    public Engine engine()
    {
        return Engine.SKIPLIST;
    }

    @Override
    public long size()
    {
        return size;
    }

    // ------------------------------------------------------------------------------------------
    // Link accessors: the ordering of durable and volatile words lives here
    // ------------------------------------------------------------------------------------------

    private int next(final int node, final int level)
    {
        if (node == HEAD)
        {
            return level == 0 ? NodeLayout.record(links.loadRoot(KvFormat.ROOT_INDEX)) : headNext[level];
        }
        switch (level)
        {
            case 0:
                return NodeLayout.record(links.load(node, NodeLayout.WORD0));
            case 1:
                return (int)links.loadVolatile(node, NodeLayout.WORD2) - 1;
            case 2:
                return (int)(links.loadVolatile(node, NodeLayout.WORD2) >>> 32) - 1;
            case 3:
                return (int)links.loadVolatile(node, NodeLayout.WORD3) - 1;
            case 4:
                return (int)(links.loadVolatile(node, NodeLayout.WORD3) >>> 32) - 1;
            default:
                return UnsafeApi.getInt(overflowAddress(node) + (long)(level - IN_RECORD_LEVELS) * Integer.BYTES) - 1;
        }
    }

    private void setNext(final int node, final int level, final int target)
    {
        if (node == HEAD)
        {
            if (level == 0)
            {
                links.storeRoot(KvFormat.ROOT_INDEX, NodeLayout.link(target));
            }
            else
            {
                headNext[level] = target;
            }
            return;
        }
        final int link = (int)NodeLayout.link(target);
        switch (level)
        {
            case 0:
                links.store(node, NodeLayout.WORD0, ((long)height(node) << 32) | NodeLayout.link(target));
                break;
            case 1:
                setHalf(node, NodeLayout.WORD2, false, link);
                break;
            case 2:
                setHalf(node, NodeLayout.WORD2, true, link);
                break;
            case 3:
                setHalf(node, NodeLayout.WORD3, false, link);
                break;
            case 4:
                setHalf(node, NodeLayout.WORD3, true, link);
                break;
            default:
                UnsafeApi.putInt(overflowAddress(node) + (long)(level - IN_RECORD_LEVELS) * Integer.BYTES, link);
                break;
        }
    }

    private void setHalf(final int node, final int word, final boolean high, final int value)
    {
        final long old = links.loadVolatile(node, word);
        links.storeVolatile(node, word, high ? (old & 0xFFFF_FFFFL) | ((long)value << 32)
            : (old & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL));
    }

    private int height(final int node)
    {
        return (int)(links.load(node, NodeLayout.WORD0) >>> 32) & 0xFF;
    }

    private long overflowAddress(final int node)
    {
        return arena.overflowAddress((int)(links.loadVolatile(node, NodeLayout.WORD1) >>> 32) - 1);
    }

    /** Gives a node the volatile tower storage its height needs; returns the height it can have. */
    private int provideTower(final int node, final int height)
    {
        // Upper levels start empty (a reused record may hold old values in its link words).
        final long word1 = links.loadVolatile(node, NodeLayout.WORD1) & NodeLayout.LINK_MASK;
        links.storeVolatile(node, NodeLayout.WORD1, word1);
        links.storeVolatile(node, NodeLayout.WORD2, 0);
        links.storeVolatile(node, NodeLayout.WORD3, 0);
        if (height <= IN_RECORD_LEVELS)
        {
            return height;
        }
        final int block = arena.allocateOverflow();
        if (block == Arena.NONE)
        {
            return IN_RECORD_LEVELS;   // no overflow block left: a shorter tower is still correct
        }
        UnsafeApi.setMemory(arena.overflowAddress(block), 64, (byte)0);
        links.storeVolatile(node, NodeLayout.WORD1, word1 | ((block + 1L) << 32));
        return height;
    }

    private int randomHeight()
    {
        int h = 1;
        while (h < MAX_HEIGHT && (random.nextInt() & 3) == 0)
        {
            h++;
        }
        return h;
    }

    // ------------------------------------------------------------------------------------------
    // Operations
    // ------------------------------------------------------------------------------------------

    /**
     * A search that takes more steps than there are nodes (plus slack for the levels) has met a cycle:
     * the index is damaged in memory. Throwing ends the request instead of spinning the stack's thread.
     */
    private long stepLimit()
    {
        return size + 64L * MAX_HEIGHT;
    }

    private static IllegalStateException damagedIndex()
    {
        return new IllegalStateException("skip list damaged: a search did not end (a cycle); restart to repair it");
    }

    /** Fills {@link #preds} with the last node before the key at every level; returns level 0's next. */
    private int findPredecessors(final long key, final int keyLength)
    {
        int x = HEAD;
        long steps = 0;
        final long limit = stepLimit();
        for (int level = levels - 1; level >= 0; level--)
        {
            int n = next(x, level);
            while (n != NONE && nodes.compareKey(key, keyLength, n) > 0)
            {
                if (++steps > limit)
                {
                    throw damagedIndex();
                }
                x = n;
                n = next(x, level);
            }
            preds[level] = x;
        }
        return next(preds[0], 0);
    }

    @Override
    public int find(final long key, final int keyLength)
    {
        int x = HEAD;
        long steps = 0;
        final long limit = stepLimit();
        for (int level = levels - 1; level >= 0; level--)
        {
            int n = next(x, level);
            while (n != NONE)
            {
                if (++steps > limit)
                {
                    throw damagedIndex();
                }
                final int c = nodes.compareKey(key, keyLength, n);
                if (c == 0)
                {
                    return n;
                }
                if (c < 0)
                {
                    break;
                }
                x = n;
                n = next(x, level);
            }
        }
        return NONE;
    }

    @Override
    public int upsert(final int node)
    {
        final int candidate = findPredecessors(nodes.keyAddress(node), nodes.keyLength(node));
        if (candidate != NONE && nodes.compareNodes(node, candidate) == 0)
        {
            // Take the old node's place at every level it occupies, with its height.
            final int height = provideTower(node, height(candidate));
            links.store(node, NodeLayout.WORD0, ((long)height << 32) | NodeLayout.link(next(candidate, 0)));
            for (int level = 1; level < height; level++)
            {
                setNext(node, level, next(candidate, level));
            }
            for (int level = 0; level < height(candidate); level++)
            {
                if (level < height)
                {
                    setNext(preds[level], level, node);
                }
                else
                {
                    setNext(preds[level], level, next(candidate, level));   // the shorter tower skips it
                }
            }
            return candidate;
        }
        int height = randomHeight();
        height = provideTower(node, height);
        for (int level = levels; level < height; level++)
        {
            preds[level] = HEAD;
        }
        levels = Math.max(levels, height);
        links.store(node, NodeLayout.WORD0, ((long)height << 32) | NodeLayout.link(candidate));
        for (int level = 1; level < height; level++)
        {
            setNext(node, level, next(preds[level], level));
        }
        for (int level = 0; level < height; level++)
        {
            setNext(preds[level], level, node);
        }
        size++;
        return NONE;
    }

    @Override
    public int remove(final long key, final int keyLength)
    {
        final int candidate = findPredecessors(key, keyLength);
        if (candidate == NONE || nodes.compareKey(key, keyLength, candidate) != 0)
        {
            return NONE;
        }
        final int height = height(candidate);
        for (int level = 0; level < height && level < levels; level++)
        {
            if (next(preds[level], level) == candidate)
            {
                setNext(preds[level], level, next(candidate, level));
            }
        }
        while (levels > 1 && headNext[levels - 1] == NONE)
        {
            levels--;
        }
        size--;
        return candidate;
    }

    @Override
    public int ceiling(final long key, final int keyLength, final boolean inclusive)
    {
        int n = findPredecessors(key, keyLength);
        if (!inclusive && n != NONE && nodes.compareKey(key, keyLength, n) == 0)
        {
            n = next(n, 0);
        }
        return n;
    }

    @Override
    public int first()
    {
        return next(HEAD, 0);
    }

    @Override
    public int successor(final int node)
    {
        return next(node, 0);
    }

    @Override
    public int maxStagedWordsPerOperation()
    {
        return 1;   // one level-0 link (or the root); marks are the store's
    }

    @Override
    public void forget(final int node)
    {
        final int block = (int)(links.loadVolatile(node, NodeLayout.WORD1) >>> 32) - 1;
        if (block >= 0 && block < arena.geometry().overflowBlockCount() && arena.isOverflowAllocated(block))
        {
            arena.freeOverflow(block);
        }
        links.storeVolatile(node, NodeLayout.WORD1, links.loadVolatile(node, NodeLayout.WORD1) & NodeLayout.LINK_MASK);
    }

    // ------------------------------------------------------------------------------------------
    // Recovery
    // ------------------------------------------------------------------------------------------

    @Override
    public void walk(final WalkSink sink)
    {
        final int recordCount = arena.geometry().recordCount();
        final long[] seen = new long[(recordCount + 63) >>> 6];
        int holder = NONE;
        long link = UnsafeApi.getLongVolatile(null, arena.region().address() + arena.rootOffset(KvFormat.ROOT_INDEX));
        while (true)
        {
            // The root slot holds only a link; link word 0 a link and a height (bits 32..39).
            if ((link >>> (holder == NONE ? 32 : 40)) != 0)
            {
                sink.badLink(holder, link, "reserved bits are set");
                return;
            }
            if (holder != NONE)
            {
                final int height = (int)(link >>> 32);
                if (height < 1 || height > MAX_HEIGHT)
                {
                    sink.badLink(holder, link, "height " + height + " out of range 1.." + MAX_HEIGHT);
                    return;
                }
            }
            final int node = NodeLayout.record(link);
            if (node == NONE)
            {
                return;
            }
            if (node < 0 || node >= recordCount)
            {
                sink.badLink(holder, link, "link outside the record table");
                return;
            }
            if ((seen[node >>> 6] & (1L << node)) != 0)
            {
                sink.badLink(holder, link, "link to a node already walked (a cycle)");
                return;
            }
            seen[node >>> 6] |= 1L << node;
            if (!sink.node(node))
            {
                return;
            }
            holder = node;
            link = UnsafeApi.getLongVolatile(null, nodes.recordAddress(node) + NodeLayout.WORD0);
        }
    }

    @Override
    public void rebuildVolatile(final int[] sorted, final int count)
    {
        java.util.Arrays.fill(headNext, NONE);
        final int[] last = new int[MAX_HEIGHT];
        java.util.Arrays.fill(last, HEAD);
        levels = 1;
        for (int i = 0; i < count; i++)
        {
            final int node = sorted[i];
            final int stored = height(node);
            final int height = provideTower(node, Math.max(1, Math.min(MAX_HEIGHT, stored)));
            if (height != stored)
            {
                // Shortened (no overflow block) or out of range: the height lives in the durable word,
                // so keep it consistent with the tower; written directly (recovery, no batch is live).
                links.storeVolatile(node, NodeLayout.WORD0,
                    (links.loadVolatile(node, NodeLayout.WORD0) & NodeLayout.LINK_MASK) | ((long)height << 32));
                arena.persistRecord(node);
            }
            for (int level = 1; level < height; level++)
            {
                setNext(last[level], level, node);
                last[level] = node;
            }
            levels = Math.max(levels, height);
        }
        for (int level = 1; level < MAX_HEIGHT; level++)
        {
            if (last[level] != HEAD)
            {
                setNext(last[level], level, NONE);
            }
        }
        size = count;
    }

    @Override
    public void rebuild(final int[] sorted, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int node = sorted[i];
            final int height = Math.max(1, Math.min(MAX_HEIGHT, height(node)));
            final int next = i + 1 < count ? sorted[i + 1] : NONE;
            links.storeVolatile(node, NodeLayout.WORD0, ((long)height << 32) | NodeLayout.link(next));
            arena.persistRecord(node);
        }
        arena.barrier();
        arena.setRoot(KvFormat.ROOT_INDEX, count == 0 ? 0 : NodeLayout.link(sorted[0]));
        rebuildVolatile(sorted, count);
    }

    @Override
    public String checkInvariants()
    {
        long count = 0;
        int previous = NONE;
        for (int n = next(HEAD, 0); n != NONE; n = next(n, 0))
        {
            if (previous != NONE && nodes.compareNodes(previous, n) >= 0)
            {
                return "level 0 not strictly increasing at node " + n;
            }
            final int h = height(n);
            if (h < 1 || h > MAX_HEIGHT)
            {
                return "node " + n + " has height " + h;
            }
            previous = n;
            if (++count > size + 1)
            {
                return "level 0 longer than the size " + size + " (a cycle?)";
            }
        }
        if (count != size)
        {
            return "level 0 holds " + count + " nodes, size says " + size;
        }
        for (int level = 1; level < levels; level++)
        {
            // Every node on this level must appear on level 0 after the previous one, and be tall enough.
            int cursor = next(HEAD, 0);
            for (int n = next(HEAD, level); n != NONE; n = next(n, level))
            {
                while (cursor != NONE && cursor != n)
                {
                    cursor = next(cursor, 0);
                }
                if (cursor == NONE)
                {
                    return "level " + level + " holds node " + n + " out of level-0 order or not on level 0";
                }
                if (height(n) <= level)
                {
                    return "node " + n + " of height " + height(n) + " is linked on level " + level;
                }
            }
        }
        for (int level = levels; level < MAX_HEIGHT; level++)
        {
            if (headNext[level] != NONE)
            {
                return "level " + level + " is above the level count " + levels + " but not empty";
            }
        }
        return null;
    }
}
