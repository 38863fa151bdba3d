package io.pktstore.kv.index;

import io.pktstore.arena.Arena;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

/**
 * A persistent red-black tree whose nodes are packet records (CLRS, chapter 13, without parent
 * pointers: each operation keeps the path from the root in an array, so a rotation changes three
 * link words instead of six).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>A node's key, value chain and value length are immutable once linked; its links and colour
 *       change.</li>
 *   <li>Every link and colour is durable. Root slot {@link KvFormat#ROOT_INDEX} names the root.</li>
 *   <li>Binary search order, strictly increasing in order; the root is black; no red node has a red
 *       child; every path from the root to a missing child passes the same number of black nodes.</li>
 *   <li>Commit: a rotation or recolouring changes several words of reachable nodes; all of them, for
 *       every operation of a batch, go through the link batch and become durable together behind one
 *       commit word, so no crash can leave half a rotation ({@link LinkWords}). A new node's own words
 *       are written directly while it is unreachable, and persisted by the store before the commit.</li>
 * </ol>
 *
 * <pre>
 *  link word 0:  63        33 32 31                 0
 *               +------------+--+--------------------+
 *               | 0          |R |  left child + 1    |     R = red
 *               +------------+--+--------------------+
 *  link word 1:  value length (low u32)
 *  link word 2:  0 (high u32) | right child + 1 (low u32)
 *  link word 3:  0
 * </pre>
 */
public final class RedBlackIndex implements OrderedIndex
{
    /** Deepest path an operation follows: a red-black tree of 2^31 nodes is at most 62 deep. */
    public static final int MAX_DEPTH = 128;
    private static final long RED = 1L << 32;
    private static final int NONE = PacketRecord.NO_RECORD;

    private final Arena arena;
    private final Nodes nodes;
    private final LinkWords links;
    /** Ancestors of the node an operation works on, root first; room for a rotation's insertion. */
    private final int[] path = new int[MAX_DEPTH + 2];
    private long size;

    /** @param links link-word access over the store's arena. */
    public RedBlackIndex(final LinkWords links)
    {
        this.links = links;
        this.nodes = links.nodes();
        this.arena = nodes.arena();
    }

    @Override
    public Engine engine()
    {
        return Engine.RBTREE;
    }

    @Override
    public long size()
    {
        return size;
    }

    // ------------------------------------------------------------------------------------------
    // Link accessors
    // ------------------------------------------------------------------------------------------

    private int root()
    {
        return NodeLayout.record(links.loadRoot(KvFormat.ROOT_INDEX));
    }

    private void setRoot(final int node)
    {
        links.storeRoot(KvFormat.ROOT_INDEX, NodeLayout.link(node));
    }

    private int left(final int node)
    {
        return NodeLayout.record(links.load(node, NodeLayout.WORD0) & NodeLayout.LINK_MASK);
    }

    private int right(final int node)
    {
        return NodeLayout.record(links.load(node, NodeLayout.WORD2));
    }

    private boolean isRed(final int node)
    {
        return node != NONE && (links.load(node, NodeLayout.WORD0) & RED) != 0;
    }

    private void setLeft(final int node, final int child)
    {
        final long word = links.load(node, NodeLayout.WORD0);
        final long updated = (word & RED) | NodeLayout.link(child);
        if (updated != word)
        {
            links.store(node, NodeLayout.WORD0, updated);
        }
    }

    private void setRight(final int node, final int child)
    {
        final long updated = NodeLayout.link(child);
        if (links.load(node, NodeLayout.WORD2) != updated)
        {
            links.store(node, NodeLayout.WORD2, updated);
        }
    }

    private void setRed(final int node, final boolean red)
    {
        final long word = links.load(node, NodeLayout.WORD0);
        final long updated = (word & NodeLayout.LINK_MASK) | (red ? RED : 0);
        if (updated != word)
        {
            links.store(node, NodeLayout.WORD0, updated);
        }
    }

    /** Makes {@code parent}'s link to {@code old} (or the root, for parent NONE) point to {@code replacement}. */
    private void replaceChild(final int parent, final int old, final int replacement)
    {
        if (parent == NONE)
        {
            setRoot(replacement);
        }
        else if (left(parent) == old)
        {
            setLeft(parent, replacement);
        }
        else
        {
            setRight(parent, replacement);
        }
    }

    /** @return the node's right child if {@code right}, else its left child. */
    private int child(final int node, final boolean right)
    {
        return right ? right(node) : left(node);
    }

    private void setChild(final int node, final boolean right, final int child)
    {
        if (right)
        {
            setRight(node, child);
        }
        else
        {
            setLeft(node, child);
        }
    }

    /**
     * Rotates {@code x} down to the side {@code down} (a left rotation for {@code down = false}... the
     * child on the other side comes up): CLRS LEFT-ROTATE is {@code rotate(x, parent, false)}, RIGHT-ROTATE
     * {@code rotate(x, parent, true)}. Three link words change: x's, the risen child's and the parent's.
     */
    private void rotate(final int x, final int parent, final boolean down)
    {
        final int y = child(x, !down);
        setChild(x, !down, child(y, down));
        setChild(y, down, x);
        replaceChild(parent, x, y);
    }

    private void push(final int depth, final int node)
    {
        if (depth >= MAX_DEPTH)
        {
            throw new IllegalStateException("red-black tree deeper than " + MAX_DEPTH + ": the index is damaged");
        }
        path[depth] = node;
    }

    // ------------------------------------------------------------------------------------------
    // Operations
    // ------------------------------------------------------------------------------------------

    @Override
    public int find(final long key, final int keyLength)
    {
        int x = root();
        int depth = 0;
        while (x != NONE)
        {
            if (++depth > MAX_DEPTH)
            {
                throw new IllegalStateException("red-black tree deeper than " + MAX_DEPTH + ": the index is damaged");
            }
            final int c = nodes.compareKey(key, keyLength, x);
            if (c == 0)
            {
                return x;
            }
            x = c < 0 ? left(x) : right(x);
        }
        return NONE;
    }

    @Override
    public int upsert(final int node)
    {
        // The new node is unreachable: its words are written directly (LinkWords knows).
        links.store(node, NodeLayout.WORD0, RED);
        links.store(node, NodeLayout.WORD2, 0);
        int x = root();
        if (x == NONE)
        {
            setRed(node, false);
            setRoot(node);
            size++;
            return NONE;
        }
        final long key = nodes.keyAddress(node);
        final int keyLength = nodes.keyLength(node);
        int depth = 0;
        while (true)
        {
            final int c = nodes.compareKey(key, keyLength, x);
            if (c == 0)
            {
                // Same key: the new node takes the old one's place, links and colour.
                links.store(node, NodeLayout.WORD0, links.load(x, NodeLayout.WORD0));
                links.store(node, NodeLayout.WORD2, links.load(x, NodeLayout.WORD2));
                replaceChild(depth > 0 ? path[depth - 1] : NONE, x, node);
                return x;
            }
            push(depth++, x);
            final int next = c < 0 ? left(x) : right(x);
            if (next == NONE)
            {
                if (c < 0)
                {
                    setLeft(x, node);
                }
                else
                {
                    setRight(x, node);
                }
                break;
            }
            x = next;
        }
        size++;
        insertFixup(node, depth);
        return NONE;
    }

    /** CLRS RB-INSERT-FIXUP with {@code path[0..depth-1]} the ancestors of red {@code x}. */
    private void insertFixup(final int inserted, final int ancestors)
    {
        int x = inserted;
        int depth = ancestors;
        while (depth >= 2)
        {
            int p = path[depth - 1];
            if (!isRed(p))
            {
                break;
            }
            final int g = path[depth - 2];
            final int greatGrandparent = depth >= 3 ? path[depth - 3] : NONE;
            // The two mirrored cases of CLRS in one: "side" is the side of g that p is on.
            final boolean side = p != left(g);
            final int uncle = child(g, !side);
            if (isRed(uncle))
            {
                setRed(p, false);
                setRed(uncle, false);
                setRed(g, true);
                x = g;
                depth -= 2;
                continue;
            }
            if (x == child(p, !side))
            {
                rotate(p, g, side);
                final int t = x;
                x = p;
                p = t;
            }
            setRed(p, false);
            setRed(g, true);
            rotate(g, greatGrandparent, !side);
            break;
        }
        final int r = root();
        if (isRed(r))
        {
            setRed(r, false);
        }
    }

    @Override
    public int remove(final long key, final int keyLength)
    {
        int depth = 0;
        int z = root();
        while (z != NONE)
        {
            final int c = nodes.compareKey(key, keyLength, z);
            if (c == 0)
            {
                break;
            }
            push(depth++, z);
            z = c < 0 ? left(z) : right(z);
        }
        if (z == NONE)
        {
            return NONE;
        }
        final int zDepth = depth;
        final int zParent = zDepth > 0 ? path[zDepth - 1] : NONE;
        final int x;
        final int top;          // index in path of x's parent; -1: x is the root
        final boolean xIsLeft;  // which side of its parent x is (needed when x is NONE)
        final boolean removedRed;
        if (left(z) == NONE || right(z) == NONE)
        {
            x = left(z) != NONE ? left(z) : right(z);
            xIsLeft = zParent != NONE && left(zParent) == z;
            removedRed = isRed(z);
            replaceChild(zParent, z, x);
            top = zDepth - 1;
        }
        else
        {
            // z's successor y (leftmost of the right subtree) takes z's place, links and colour.
            push(zDepth, z);
            int d = zDepth + 1;
            int y = right(z);
            while (left(y) != NONE)
            {
                push(d++, y);
                y = left(y);
            }
            removedRed = isRed(y);
            x = right(y);
            if (d - 1 == zDepth)
            {
                xIsLeft = false;    // y is z's right child; x stays y's right child
                top = zDepth;
            }
            else
            {
                setLeft(path[d - 1], x);
                setRight(y, right(z));
                xIsLeft = true;
                top = d - 1;
            }
            setLeft(y, left(z));
            setRed(y, isRed(z));
            replaceChild(zParent, z, y);
            path[zDepth] = y;
        }
        size--;
        if (!removedRed)
        {
            deleteFixup(x, top, xIsLeft);
        }
        return z;
    }

    /** CLRS RB-DELETE-FIXUP with {@code path[0..top]} the ancestors of {@code x}, x possibly NONE. */
    private void deleteFixup(final int start, final int parentIndex, final boolean startIsLeft)
    {
        int x = start;
        int top = parentIndex;
        boolean xIsLeft = startIsLeft;
        while (top >= 0 && !isRed(x))
        {
            final int p = path[top];
            final boolean onLeft = x != NONE ? left(p) == x : xIsLeft;
            final boolean side = !onLeft;   // the side of p that x is on (mirrored cases of CLRS in one)
            final int grandparent = top > 0 ? path[top - 1] : NONE;
            int w = child(p, !side);
            if (w == NONE)
            {
                throw new IllegalStateException("red-black tree: a doubly black node without a sibling, the index is damaged");
            }
            if (isRed(w))
            {
                setRed(w, false);
                setRed(p, true);
                rotate(p, grandparent, side);
                // w is p's parent now: it enters the path where p was.
                push(top + 1, p);
                path[top] = w;
                top++;
                w = child(p, !side);
            }
            final int nearChild = child(w, side);
            final int farChild = child(w, !side);
            if (!isRed(nearChild) && !isRed(farChild))
            {
                setRed(w, true);
                x = p;
                top--;
                xIsLeft = top >= 0 && left(path[top]) == p;
                continue;
            }
            if (!isRed(farChild))
            {
                setRed(nearChild, false);
                setRed(w, true);
                rotate(w, p, !side);
                w = child(p, !side);
            }
            setRed(w, isRed(p));
            setRed(p, false);
            setRed(child(w, !side), false);
            rotate(p, top > 0 ? path[top - 1] : NONE, side);
            x = root();
            break;
        }
        if (x != NONE && isRed(x))
        {
            setRed(x, false);
        }
    }

    @Override
    public int ceiling(final long key, final int keyLength, final boolean inclusive)
    {
        int best = NONE;
        int x = root();
        int depth = 0;
        while (x != NONE)
        {
            if (++depth > MAX_DEPTH)
            {
                throw new IllegalStateException("red-black tree deeper than " + MAX_DEPTH + ": the index is damaged");
            }
            final int c = nodes.compareKey(key, keyLength, x);
            if (c == 0 && inclusive)
            {
                return x;
            }
            if (c < 0)
            {
                best = x;
                x = left(x);
            }
            else
            {
                x = right(x);
            }
        }
        return best;
    }

    @Override
    public int first()
    {
        int x = root();
        if (x == NONE)
        {
            return NONE;
        }
        for (int l = left(x); l != NONE; l = left(x))
        {
            x = l;
        }
        return x;
    }

    @Override
    public int successor(final int node)
    {
        return ceiling(nodes.keyAddress(node), nodes.keyLength(node), false);
    }

    @Override
    public int maxStagedWordsPerOperation()
    {
        // Height is at most 2 log2(n + 1); a fix-up recolours at most three words per two levels
        // (insert) or one per level (delete) and rotates at most three times (three words each);
        // a delete's successor splice adds five.
        final int height = 2 * (64 - Long.numberOfLeadingZeros(size + 1));
        return 3 * height + 16;
    }

    @Override
    public void forget(final int node)
    {
        // Nothing volatile per node.
    }

    // ------------------------------------------------------------------------------------------
    // Recovery
    // ------------------------------------------------------------------------------------------

    @Override
    public void walk(final WalkSink sink)
    {
        final int recordCount = arena.geometry().recordCount();
        final long[] seen = new long[(recordCount + 63) >>> 6];
        final long base = arena.region().address();
        final int[] stack = new int[MAX_DEPTH];
        int depth = 0;
        int x = checkedChild(NONE, UnsafeApi.getLongVolatile(null, base + arena.rootOffset(KvFormat.ROOT_INDEX)), true,
            recordCount, seen, sink);
        while (x != NONE || depth > 0)
        {
            while (x != NONE)
            {
                if (depth == MAX_DEPTH)
                {
                    sink.badLink(x, 0, "deeper than " + MAX_DEPTH + " levels");
                    return;
                }
                stack[depth++] = x;
                final long word0 = UnsafeApi.getLongVolatile(null, nodes.recordAddress(x) + NodeLayout.WORD0);
                x = checkedChild(x, word0, false, recordCount, seen, sink);
            }
            final int node = stack[--depth];
            if (!sink.node(node))
            {
                return;
            }
            final long word2 = UnsafeApi.getLongVolatile(null, nodes.recordAddress(node) + NodeLayout.WORD2);
            x = checkedChild(node, word2, true, recordCount, seen, sink);
        }
    }

    /** Decodes a child link read from PM, checking it; a bad one is reported and treated as absent. */
    private static int checkedChild(final int holder, final long word, final boolean plainLink, final int recordCount,
                                    final long[] seen, final WalkSink sink)
    {
        if ((word >>> (plainLink ? 32 : 33)) != 0)
        {
            sink.badLink(holder, word, "reserved bits are set");
            return NONE;
        }
        final int child = NodeLayout.record(word & NodeLayout.LINK_MASK);
        if (child == NONE)
        {
            return NONE;
        }
        if (child < 0 || child >= recordCount)
        {
            sink.badLink(holder, word, "link outside the record table");
            return NONE;
        }
        if ((seen[child >>> 6] & (1L << child)) != 0)
        {
            sink.badLink(holder, word, "link to a node already walked (a cycle or a shared subtree)");
            return NONE;
        }
        seen[child >>> 6] |= 1L << child;
        return child;
    }

    @Override
    public void rebuildVolatile(final int[] sorted, final int count)
    {
        size = count;
    }

    @Override
    public void rebuild(final int[] sorted, final int count)
    {
        final int redDepth = count == 0 ? -1 : 31 - Integer.numberOfLeadingZeros(count);
        final int root = build(sorted, 0, count - 1, 0, redDepth);
        arena.barrier();
        arena.setRoot(KvFormat.ROOT_INDEX, NodeLayout.link(root));
        size = count;
    }

    /**
     * Writes a balanced subtree of {@code sorted[lo..hi]} directly (no batch: repair at recovery) and
     * persists it. Nodes on the deepest level are red unless it is the root's: every path then has
     * {@code redDepth} black nodes.
     */
    private int build(final int[] sorted, final int lo, final int hi, final int depth, final int redDepth)
    {
        if (lo > hi)
        {
            return NONE;
        }
        final int mid = (lo + hi) >>> 1;
        final int node = sorted[mid];
        final int left = build(sorted, lo, mid - 1, depth + 1, redDepth);
        final int right = build(sorted, mid + 1, hi, depth + 1, redDepth);
        final boolean red = depth == redDepth && depth > 0;
        links.storeVolatile(node, NodeLayout.WORD0, NodeLayout.link(left) | (red ? RED : 0));
        links.storeVolatile(node, NodeLayout.WORD2, NodeLayout.link(right));
        links.storeVolatile(node, NodeLayout.WORD3, 0);
        arena.persistRecord(node);
        return node;
    }

    @Override
    public String checkInvariants()
    {
        final int root = root();
        if (isRed(root))
        {
            return "the root is red";
        }
        final long[] count = {0};
        final int[] previous = {NONE};
        final String[] problem = {null};
        check(root, 0, count, previous, problem);
        if (problem[0] != null)
        {
            return problem[0];
        }
        if (count[0] != size)
        {
            return "the tree holds " + count[0] + " nodes, size says " + size;
        }
        return null;
    }

    /** @return the black height of the subtree, or -1 after recording a problem. */
    private int check(final int node, final int depth, final long[] count, final int[] previous, final String[] problem)
    {
        if (node == NONE)
        {
            return 1;
        }
        if (depth > MAX_DEPTH || count[0] > size + 1)
        {
            problem[0] = "deeper than " + MAX_DEPTH + " or more nodes than the size (a cycle?)";
            return -1;
        }
        if (isRed(node) && (isRed(left(node)) || isRed(right(node))))
        {
            problem[0] = "red node " + node + " has a red child";
            return -1;
        }
        final int leftHeight = check(left(node), depth + 1, count, previous, problem);
        if (leftHeight < 0)
        {
            return -1;
        }
        if (previous[0] != NONE && nodes.compareNodes(previous[0], node) >= 0)
        {
            problem[0] = "in-order keys not strictly increasing at node " + node;
            return -1;
        }
        previous[0] = node;
        count[0]++;
        final int rightHeight = check(right(node), depth + 1, count, previous, problem);
        if (rightHeight < 0)
        {
            return -1;
        }
        if (leftHeight != rightHeight)
        {
            problem[0] = "node " + node + " has black heights " + leftHeight + " (left) and " + rightHeight + " (right)";
            return -1;
        }
        return leftHeight + (isRed(node) ? 0 : 1);
    }
}
