package io.pktstore.stack.tcp.algo;

import static io.pktstore.stack.tcp.algo.SegmentRecordFields.LINK_LEFT_OFFSET;
import static io.pktstore.stack.tcp.algo.SegmentRecordFields.LINK_PARENT_OFFSET;
import static io.pktstore.stack.tcp.algo.SegmentRecordFields.LINK_RIGHT_OFFSET;
import static io.pktstore.stack.tcp.algo.SegmentRecordFields.LINK_SPARE_OFFSET;

/**
 * Out-of-order receive queue of one connection: a red-black tree of packet records keyed by
 * sequence number, as Linux's {@code out_of_order_queue}. The tree lives in the records' link words
 * (bytes 32..63, see {@link SegmentRecordFields}), so queuing allocates nothing and copies no bytes.
 * <p>
 * Invariants (checked by {@link #verifyInvariants()}):
 * <ol>
 *   <li>red-black: the root is black, a red node has no red child, every root-to-leaf path has the
 *       same number of black nodes; parent links agree with child links;</li>
 *   <li>ordered and disjoint: in-order, each segment's sequence range [seq, seq + span) ends at or
 *       before the next one starts (span = payload bytes + 1 for FIN); no segment is empty;</li>
 *   <li>{@link #count()} and {@link #bytes()} equal the number of records and the sum of their
 *       payload lengths.</li>
 * </ol>
 * Keys compare modulo 2^32 ({@link SequenceNumbers}); that is a total order because everything
 * queued lies inside the receive window (less than 2^30 from RCV.NXT, RFC 7323 2.3).
 * <p>
 * Overlaps are resolved on insert so invariant 2 holds (Linux keeps overlaps and trims later; we
 * keep the tree exact so SACK blocks and byte counts are exact): the new segment's prefix already
 * received or already queued is trimmed away (the record's dataOffset/dataLength/tcpSeq move,
 * bytes stay where they are); queued segments the new one fully covers are removed and released; if
 * the new segment runs into a queued one, its tail is trimmed. A segment that brings nothing new is
 * released. Ownership: {@link #insert} always takes the record; everything the queue discards goes
 * to the {@link RecordReleaser}; records returned by {@link #pollInOrder} and {@link #removeFirst}
 * belong to the caller again with their link words zeroed.
 * <p>
 * Single-threaded (the stack's agent thread). Costs: insert / poll O(log n) plus the records
 * removed; {@link #sackBlocks} walks the blocks it reports.
 */
public final class OutOfOrderQueue
{
    /** No record. */
    public static final int NIL = -1;
    /** Recent insertions remembered for SACK ordering (RFC 2018 section 4). */
    private static final int RECENT = 4;
    private static final long RED_BIT = 1L << 32;

    private final RecordAddressing addressing;
    private final RecordReleaser releaser;
    private int root = NIL;
    /** Lowest and highest records, cached (as Linux's rb_root_cached) so that the in-order check of
     * every received segment and the common append at the right edge skip the O(log n) walk. */
    private int leftmost = NIL;
    private int rightmost = NIL;
    private int count;
    private long bytes;
    private final int[] recentSeq = new int[RECENT];
    private int recentCount;
    private int recentHead;

    /**
     * @param addressing where records live (e.g. {@code arena::recordAddress}).
     * @param releaser   where discarded records go (e.g. {@code pool::release}).
     */
    public OutOfOrderQueue(final RecordAddressing addressing, final RecordReleaser releaser)
    {
        this.addressing = addressing;
        this.releaser = releaser;
    }

    // ---------------------------------------------------------------- public operations

    /**
     * Queues an out-of-order segment, resolving overlaps (see class comment). Takes ownership.
     *
     * @param record a record whose tcpSeq/dataOffset/dataLength/flags describe the segment; its link
     *               words are overwritten.
     * @param rcvNxt RCV.NXT: everything before it was already received.
     * @return sequence numbers of new data actually queued (payload bytes plus FIN); 0 means the
     *         segment was a duplicate and has been released.
     */
    public int insert(final int record, final int rcvNxt)
    {
        final long a = addr(record);
        int start = SegmentRecordFields.seq(a);
        int end = start + SegmentRecordFields.span(a);
        if (end == start || SequenceNumbers.le(end, rcvNxt))
        {
            // no sequence space (a bare ACK has nothing to queue) or all of it already received
            releaser.release(record);
            return 0;
        }
        if (SequenceNumbers.lt(start, rcvNxt))
        {
            SegmentRecordFields.trimFront(a, rcvNxt - start);
            start = rcvNxt;
        }

        // Predecessor: the queued segment with the greatest start <= start. Usually the new segment
        // extends the right edge (the next one after a hole), so check the rightmost first.
        final int pred = root == NIL ? NIL
            : SequenceNumbers.ge(start, startOf(rightmost)) ? rightmost : floor(start);
        if (pred != NIL)
        {
            final int predEnd = endOf(pred);
            if (SequenceNumbers.ge(predEnd, end))
            {
                releaser.release(record);
                return 0;
            }
            if (SequenceNumbers.gt(predEnd, start))
            {
                SegmentRecordFields.trimFront(a, predEnd - start);
                start = predEnd;
            }
        }

        // Successors that start before our end: remove those we cover, trim our tail at the first we don't.
        int succ = pred == rightmost ? NIL : pred != NIL ? successor(pred) : leftmost;
        int alreadyQueued = 0;
        while (succ != NIL && SequenceNumbers.lt(startOf(succ), end))
        {
            if (SequenceNumbers.le(endOf(succ), end))
            {
                final int next = successor(succ);
                alreadyQueued += SegmentRecordFields.span(addr(succ));
                removeAndAccount(succ);
                releaser.release(succ);
                succ = next;
            }
            else if (startOf(succ) == start)
            {
                // Covered by its predecessor's tail and this successor: nothing new (nothing removed yet).
                releaser.release(record);
                return 0;
            }
            else
            {
                SegmentRecordFields.trimBackTo(a, startOf(succ) - start);
                end = startOf(succ);
                break;
            }
        }

        insertNode(record, start);
        count++;
        bytes += SegmentRecordFields.dataLength(a);
        rememberRecent(start);
        return end - start - alreadyQueued;
    }

    /**
     * Takes the first queued segment if it is now in order (starts at or before {@code rcvNxt}),
     * trimming the part before {@code rcvNxt}; segments entirely before {@code rcvNxt} are released
     * on the way. Call in a loop, advancing RCV.NXT by each returned record's span.
     *
     * @param rcvNxt RCV.NXT now.
     * @return the in-order record (caller owns it; its seq == rcvNxt), or {@link #NIL}.
     */
    public int pollInOrder(final int rcvNxt)
    {
        while (root != NIL)
        {
            final int first = leftmost;
            final int start = startOf(first);
            if (SequenceNumbers.gt(start, rcvNxt))
            {
                return NIL;
            }
            removeAndAccount(first);
            final long a = addr(first);
            if (SequenceNumbers.le(start + SegmentRecordFields.span(a), rcvNxt))
            {
                releaser.release(first);
                continue;
            }
            if (SequenceNumbers.lt(start, rcvNxt))
            {
                SegmentRecordFields.trimFront(a, rcvNxt - start);
            }
            return first;
        }
        return NIL;
    }

    /** @return the queued record with the lowest sequence number, or {@link #NIL}. It stays queued. */
    public int first()
    {
        return leftmost;
    }

    /**
     * In-order iteration without removing: {@code for (r = first(); r != NIL; r = next(r))}.
     *
     * @param record a queued record.
     * @return the queued record following it in sequence order, or {@link #NIL}.
     */
    public int next(final int record)
    {
        return successor(record);
    }

    /** @return and removes the lowest record (caller owns it), or {@link #NIL} if empty. */
    public int removeFirst()
    {
        if (root == NIL)
        {
            return NIL;
        }
        final int first = leftmost;
        removeAndAccount(first);
        return first;
    }

    /** Releases every queued record (connection closed or reset). */
    public void clear()
    {
        int r;
        while ((r = removeFirst()) != NIL)
        {
            releaser.release(r);
        }
        recentCount = 0;
    }

    /** @return number of queued records. */
    public int count()
    {
        return count;
    }

    /** @return payload bytes queued (sum of dataLength). */
    public long bytes()
    {
        return bytes;
    }

    /** @return true if nothing is queued. */
    public boolean isEmpty()
    {
        return root == NIL;
    }

    /**
     * @return the sequence number just after the highest queued segment (its end), meaningful only
     *         when not empty: e.g. to know how far the peer has sent.
     * @throws IllegalStateException if the queue is empty.
     */
    public int highestEnd()
    {
        if (root == NIL)
        {
            throw new IllegalStateException("highestEnd() of an empty out-of-order queue");
        }
        return endOf(rightmost);
    }

    /**
     * SACK blocks for our next ACK (RFC 2018 section 4): contiguous queued ranges, the first containing
     * the most recently received segment, then those of the other recent arrivals, then the lowest
     * remaining ranges; no block repeated.
     *
     * @param left  receives left edges (first sequence number of each block).
     * @param right receives right edges (sequence number after the block).
     * @param max   blocks wanted (3 with timestamps, 4 without; at most the arrays' length).
     * @return blocks written, 0..max.
     */
    public int sackBlocks(final int[] left, final int[] right, final int max)
    {
        int n = 0;
        for (int i = 0; i < recentCount && n < max; i++)
        {
            final int seq = recentSeq[(recentHead - 1 - i + RECENT) % RECENT];
            final int node = floor(seq);
            if (node == NIL || !SequenceNumbers.lt(seq, endOf(node)))
            {
                continue; // delivered or replaced since
            }
            n = addBlock(node, left, right, n);
        }
        int node = leftmost;
        while (node != NIL && n < max)
        {
            n = addBlock(node, left, right, n);
            // skip to the first node after this contiguous block
            int last = node;
            int next = successor(last);
            while (next != NIL && startOf(next) == endOf(last))
            {
                last = next;
                next = successor(next);
            }
            node = next;
        }
        return n;
    }

    private int addBlock(final int node, final int[] left, final int[] right, final int n)
    {
        int first = node;
        int prev = predecessor(first);
        while (prev != NIL && endOf(prev) == startOf(first))
        {
            first = prev;
            prev = predecessor(prev);
        }
        int last = node;
        int next = successor(last);
        while (next != NIL && startOf(next) == endOf(last))
        {
            last = next;
            next = successor(next);
        }
        final int l = startOf(first);
        for (int i = 0; i < n; i++)
        {
            if (left[i] == l)
            {
                return n;
            }
        }
        left[n] = l;
        right[n] = endOf(last);
        return n + 1;
    }

    /**
     * Checks every invariant of the class comment; for tests.
     *
     * @return the black height of the tree.
     * @throws IllegalStateException naming the first violated invariant.
     */
    public int verifyInvariants()
    {
        if (root != NIL && (isRed(root) || parent(root) != NIL))
        {
            throw new IllegalStateException("root " + root + " is red or has a parent");
        }
        final int blackHeight = verifySubtree(root);
        if (leftmost != (root == NIL ? NIL : minimum(root)) || rightmost != (root == NIL ? NIL : maximum(root)))
        {
            throw new IllegalStateException("cached leftmost/rightmost " + leftmost + "/" + rightmost + " are stale");
        }
        int seen = 0;
        long seenBytes = 0;
        int prev = NIL;
        for (int n = root == NIL ? NIL : minimum(root); n != NIL; n = successor(n))
        {
            final long a = addr(n);
            if (SegmentRecordFields.span(a) <= 0)
            {
                throw new IllegalStateException("record " + n + " covers no sequence space");
            }
            if (prev != NIL && SequenceNumbers.gt(endOf(prev), startOf(n)))
            {
                throw new IllegalStateException("records " + prev + " and " + n + " overlap or are out of order");
            }
            seen++;
            seenBytes += SegmentRecordFields.dataLength(a);
            prev = n;
        }
        if (seen != count || seenBytes != bytes)
        {
            throw new IllegalStateException("count/bytes " + count + "/" + bytes + " but tree holds " + seen + "/" + seenBytes);
        }
        return blackHeight;
    }

    private int verifySubtree(final int n)
    {
        if (n == NIL)
        {
            return 1;
        }
        final int l = left(n);
        final int r = right(n);
        if (l != NIL && parent(l) != n || r != NIL && parent(r) != n)
        {
            throw new IllegalStateException("parent link of a child of " + n + " is wrong");
        }
        if (isRed(n) && (isRed(l) || isRed(r)))
        {
            throw new IllegalStateException("red record " + n + " has a red child");
        }
        if (l != NIL && !SequenceNumbers.lt(startOf(l), startOf(n)) || r != NIL && !SequenceNumbers.gt(startOf(r), startOf(n)))
        {
            throw new IllegalStateException("search order violated at " + n);
        }
        final int lh = verifySubtree(l);
        final int rh = verifySubtree(r);
        if (lh != rh)
        {
            throw new IllegalStateException("black heights differ under " + n + ": " + lh + " vs " + rh);
        }
        return lh + (isRed(n) ? 0 : 1);
    }

    // ---------------------------------------------------------------- record fields and links

    private long addr(final int record)
    {
        if (record < 0)
        {
            // A bug in this class, never bad input: fail loudly instead of touching memory before the table.
            throw new IllegalStateException("out-of-order tree dereferenced NIL");
        }
        return addressing.recordAddress(record);
    }

    private int startOf(final int record)
    {
        return SegmentRecordFields.seq(addr(record));
    }

    private int endOf(final int record)
    {
        final long a = addr(record);
        return SegmentRecordFields.seq(a) + SegmentRecordFields.span(a);
    }

    private int left(final int n)
    {
        return (int)SegmentRecordFields.getLong(addr(n) + LINK_LEFT_OFFSET);
    }

    private int right(final int n)
    {
        return (int)SegmentRecordFields.getLong(addr(n) + LINK_RIGHT_OFFSET);
    }

    private int parent(final int n)
    {
        return (int)SegmentRecordFields.getLong(addr(n) + LINK_PARENT_OFFSET);
    }

    private boolean isRed(final int n)
    {
        return n != NIL && (SegmentRecordFields.getLong(addr(n) + LINK_PARENT_OFFSET) & RED_BIT) != 0;
    }

    private void setLeft(final int n, final int child)
    {
        SegmentRecordFields.putLong(addr(n) + LINK_LEFT_OFFSET, child);
    }

    private void setRight(final int n, final int child)
    {
        SegmentRecordFields.putLong(addr(n) + LINK_RIGHT_OFFSET, child);
    }

    private void setParent(final int n, final int p)
    {
        final long a = addr(n) + LINK_PARENT_OFFSET;
        SegmentRecordFields.putLong(a, (SegmentRecordFields.getLong(a) & RED_BIT) | (p & 0xFFFF_FFFFL));
    }

    private void setRed(final int n, final boolean red)
    {
        final long a = addr(n) + LINK_PARENT_OFFSET;
        final long w = SegmentRecordFields.getLong(a);
        SegmentRecordFields.putLong(a, red ? w | RED_BIT : w & ~RED_BIT);
    }

    private void clearLinks(final int n)
    {
        final long a = addr(n);
        SegmentRecordFields.putLong(a + LINK_LEFT_OFFSET, 0);
        SegmentRecordFields.putLong(a + LINK_RIGHT_OFFSET, 0);
        SegmentRecordFields.putLong(a + LINK_PARENT_OFFSET, 0);
        SegmentRecordFields.putLong(a + LINK_SPARE_OFFSET, 0);
    }

    private void rememberRecent(final int seq)
    {
        recentSeq[recentHead] = seq;
        recentHead = (recentHead + 1) % RECENT;
        recentCount = Math.min(RECENT, recentCount + 1);
    }

    // ---------------------------------------------------------------- navigation

    private int minimum(int n)
    {
        int l;
        while ((l = left(n)) != NIL)
        {
            n = l;
        }
        return n;
    }

    private int maximum(int n)
    {
        int r;
        while ((r = right(n)) != NIL)
        {
            n = r;
        }
        return n;
    }

    private int successor(int n)
    {
        final int r = right(n);
        if (r != NIL)
        {
            return minimum(r);
        }
        int p = parent(n);
        while (p != NIL && n == right(p))
        {
            n = p;
            p = parent(p);
        }
        return p;
    }

    private int predecessor(int n)
    {
        final int l = left(n);
        if (l != NIL)
        {
            return maximum(l);
        }
        int p = parent(n);
        while (p != NIL && n == left(p))
        {
            n = p;
            p = parent(p);
        }
        return p;
    }

    /** @return the node with the greatest start <= seq, or NIL. */
    private int floor(final int seq)
    {
        int n = root;
        int best = NIL;
        while (n != NIL)
        {
            if (SequenceNumbers.le(startOf(n), seq))
            {
                best = n;
                n = right(n);
            }
            else
            {
                n = left(n);
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- red-black insertion (CLRS 13.3)

    private void insertNode(final int z, final int key)
    {
        int y = NIL;
        if (root != NIL && SequenceNumbers.gt(key, startOf(rightmost)))
        {
            y = rightmost; // append: the rightmost node has no right child, attach there directly
        }
        else
        {
            int x = root;
            while (x != NIL)
            {
                y = x;
                x = SequenceNumbers.lt(key, startOf(x)) ? left(x) : right(x);
            }
        }
        if (root == NIL || SequenceNumbers.lt(key, startOf(leftmost)))
        {
            leftmost = z;
        }
        if (root == NIL || SequenceNumbers.gt(key, startOf(rightmost)))
        {
            rightmost = z;
        }
        final long a = addr(z);
        SegmentRecordFields.putLong(a + LINK_LEFT_OFFSET, NIL);
        SegmentRecordFields.putLong(a + LINK_RIGHT_OFFSET, NIL);
        SegmentRecordFields.putLong(a + LINK_PARENT_OFFSET, (y & 0xFFFF_FFFFL) | RED_BIT);
        SegmentRecordFields.putLong(a + LINK_SPARE_OFFSET, 0);
        if (y == NIL)
        {
            root = z;
        }
        else if (SequenceNumbers.lt(key, startOf(y)))
        {
            setLeft(y, z);
        }
        else
        {
            setRight(y, z);
        }
        insertFixup(z);
    }

    private void insertFixup(int z)
    {
        while (isRed(parent(z)))
        {
            final int p = parent(z);
            final int g = parent(p);
            if (p == left(g))
            {
                final int uncle = right(g);
                if (isRed(uncle))
                {
                    setRed(p, false);
                    setRed(uncle, false);
                    setRed(g, true);
                    z = g;
                }
                else
                {
                    if (z == right(p))
                    {
                        z = p;
                        rotateLeft(z);
                    }
                    final int p2 = parent(z);
                    final int g2 = parent(p2);
                    setRed(p2, false);
                    setRed(g2, true);
                    rotateRight(g2);
                }
            }
            else
            {
                final int uncle = left(g);
                if (isRed(uncle))
                {
                    setRed(p, false);
                    setRed(uncle, false);
                    setRed(g, true);
                    z = g;
                }
                else
                {
                    if (z == left(p))
                    {
                        z = p;
                        rotateRight(z);
                    }
                    final int p2 = parent(z);
                    final int g2 = parent(p2);
                    setRed(p2, false);
                    setRed(g2, true);
                    rotateLeft(g2);
                }
            }
        }
        setRed(root, false);
    }

    private void rotateLeft(final int x)
    {
        final int y = right(x);
        final int yl = left(y);
        setRight(x, yl);
        if (yl != NIL)
        {
            setParent(yl, x);
        }
        final int xp = parent(x);
        setParent(y, xp);
        if (xp == NIL)
        {
            root = y;
        }
        else if (x == left(xp))
        {
            setLeft(xp, y);
        }
        else
        {
            setRight(xp, y);
        }
        setLeft(y, x);
        setParent(x, y);
    }

    private void rotateRight(final int x)
    {
        final int y = left(x);
        final int yr = right(y);
        setLeft(x, yr);
        if (yr != NIL)
        {
            setParent(yr, x);
        }
        final int xp = parent(x);
        setParent(y, xp);
        if (xp == NIL)
        {
            root = y;
        }
        else if (x == right(xp))
        {
            setRight(xp, y);
        }
        else
        {
            setLeft(xp, y);
        }
        setRight(y, x);
        setParent(x, y);
    }

    // ---------------------------------------------------------------- red-black deletion (CLRS 13.4, NIL-free)

    private void removeAndAccount(final int z)
    {
        delete(z);
        count--;
        bytes -= SegmentRecordFields.dataLength(addr(z));
    }

    private void delete(final int z)
    {
        if (z == leftmost)
        {
            leftmost = successor(z);
        }
        if (z == rightmost)
        {
            rightmost = predecessor(z);
        }
        int y = z;
        boolean yWasRed = isRed(y);
        final int x;
        final int xParent;
        if (left(z) == NIL)
        {
            x = right(z);
            xParent = parent(z);
            transplant(z, x);
        }
        else if (right(z) == NIL)
        {
            x = left(z);
            xParent = parent(z);
            transplant(z, x);
        }
        else
        {
            y = minimum(right(z));
            yWasRed = isRed(y);
            x = right(y);
            if (parent(y) == z)
            {
                xParent = y;
            }
            else
            {
                xParent = parent(y);
                transplant(y, x);
                setRight(y, right(z));
                setParent(right(y), y);
            }
            transplant(z, y);
            setLeft(y, left(z));
            setParent(left(y), y);
            setRed(y, isRed(z));
        }
        if (!yWasRed)
        {
            deleteFixup(x, xParent);
        }
        clearLinks(z);
    }

    private void transplant(final int u, final int v)
    {
        final int up = parent(u);
        if (up == NIL)
        {
            root = v;
        }
        else if (u == left(up))
        {
            setLeft(up, v);
        }
        else
        {
            setRight(up, v);
        }
        if (v != NIL)
        {
            setParent(v, up);
        }
    }

    private void deleteFixup(int x, int xParent)
    {
        while (x != root && !isRed(x))
        {
            if (x == left(xParent))
            {
                int w = right(xParent);
                if (isRed(w))
                {
                    setRed(w, false);
                    setRed(xParent, true);
                    rotateLeft(xParent);
                    w = right(xParent);
                }
                if (!isRed(left(w)) && !isRed(right(w)))
                {
                    setRed(w, true);
                    x = xParent;
                    xParent = parent(x);
                }
                else
                {
                    if (!isRed(right(w)))
                    {
                        setRed(left(w), false);
                        setRed(w, true);
                        rotateRight(w);
                        w = right(xParent);
                    }
                    setRed(w, isRed(xParent));
                    setRed(xParent, false);
                    setRed(right(w), false);
                    rotateLeft(xParent);
                    x = root;
                    xParent = NIL;
                }
            }
            else
            {
                int w = left(xParent);
                if (isRed(w))
                {
                    setRed(w, false);
                    setRed(xParent, true);
                    rotateRight(xParent);
                    w = left(xParent);
                }
                if (!isRed(right(w)) && !isRed(left(w)))
                {
                    setRed(w, true);
                    x = xParent;
                    xParent = parent(x);
                }
                else
                {
                    if (!isRed(left(w)))
                    {
                        setRed(right(w), false);
                        setRed(w, true);
                        rotateLeft(w);
                        w = left(xParent);
                    }
                    setRed(w, isRed(xParent));
                    setRed(xParent, false);
                    setRed(left(w), false);
                    rotateRight(xParent);
                    x = root;
                    xParent = NIL;
                }
            }
        }
        if (x != NIL)
        {
            setRed(x, false);
        }
    }
}
