package io.pktstore.kv.store;

import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.index.Nodes;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.collections.IntArrayList;

/**
 * Nodes whose own key bytes failed verification. Such a node cannot stay in the index (its key cannot
 * be compared), and dropping it silently would turn a damaged key into a missing one; so recovery
 * moves it onto a durable list of its own (root slot {@link KvFormat#ROOT_QUARANTINE}) together with
 * copies of the keys that were just before and after it. Every key strictly between those two answers
 * {@link StoreStatus#DAMAGED} instead of "not found", across restarts, until the key is written again or
 * an operator purges the quarantine.
 *
 * <pre>
 *  quarantined node:  link word 0 = next quarantined node + 1 (0: last)
 *                     link word 2 = record + 1 of a copy of the key before it (0: it was the first)
 *                     link word 3 = record + 1 of a copy of the key after it (0: it was the last)
 * </pre>
 * The copies are store-copy records (checked by their own checksum); the node and copies stay
 * allocated while quarantined. This class keeps the volatile view: the list of gaps to consult on a miss.
 */
final class Quarantine
{
    private static final int NONE = PacketRecord.NO_RECORD;

    private final Nodes nodes;
    private final IntArrayList quarantined = new IntArrayList();
    private final IntArrayList gapBefore = new IntArrayList();
    private final IntArrayList gapAfter = new IntArrayList();

    Quarantine(final Nodes nodes)
    {
        this.nodes = nodes;
    }

    /** Adds a quarantined node and its gap (copy records, or NONE for an open end) to the volatile view. */
    void add(final int node, final int before, final int after)
    {
        quarantined.addInt(node);
        gapBefore.addInt(before);
        gapAfter.addInt(after);
    }

    /** @return quarantined nodes. */
    int size()
    {
        return quarantined.size();
    }

    /** @return the i-th quarantined node. */
    int node(final int i)
    {
        return quarantined.getInt(i);
    }

    /** @return the copy of the key before the i-th gap, or NONE. */
    int before(final int i)
    {
        return gapBefore.getInt(i);
    }

    /** @return the copy of the key after the i-th gap, or NONE. */
    int after(final int i)
    {
        return gapAfter.getInt(i);
    }

    /**
     * @param key first byte of a key that is not in the index.
     * @param keyLength its length.
     * @return true if the key lies strictly inside a quarantined node's gap (it may be the lost key).
     */
    boolean covers(final long key, final int keyLength)
    {
        for (int i = 0; i < quarantined.size(); i++)
        {
            final int before = gapBefore.getInt(i);
            final int after = gapAfter.getInt(i);
            if ((before == NONE || nodes.compareKey(key, keyLength, before) > 0) &&
                (after == NONE || nodes.compareKey(key, keyLength, after) < 0))
            {
                return true;
            }
        }
        return false;
    }

    /** Forgets the volatile view (after a purge). */
    void clear()
    {
        quarantined.clear();
        gapBefore.clear();
        gapAfter.clear();
    }

    /** @return the link encoding of a record for the list's words. */
    static long link(final int record)
    {
        return NodeLayout.link(record);
    }
}
