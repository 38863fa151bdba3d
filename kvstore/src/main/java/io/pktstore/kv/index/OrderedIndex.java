package io.pktstore.kv.index;

import io.pktstore.kv.format.Engine;
import io.pktstore.stack.record.PacketRecord;

/**
 * An ordered index of nodes (packet records whose data range is the key, see
 * {@code io.pktstore.kv.format.NodeLayout}), persistent in the arena. Both engines implement it and
 * one contract test suite runs against both.
 *
 * <p>Changes are made through {@link LinkWords}: visible at once to this index's reads, durable when
 * the arena's link batch commits (the store decides when). The index never allocates records and
 * never releases them: {@link #upsert} and {@link #remove} return the node that left the index, and
 * the store releases it after the commit that made its removal durable.
 *
 * <p>Keys are contiguous byte ranges compared bytewise unsigned. Single-threaded.
 */
public interface OrderedIndex
{
    /** @return which engine this is. */
    Engine engine();

    /** @return nodes in the index. */
    long size();

    /**
     * @param key address of the key's first byte.
     * @param keyLength key bytes.
     * @return the node with exactly this key, or {@link PacketRecord#NO_RECORD}.
     */
    int find(long key, int keyLength);

    /**
     * Links {@code node} (a new node of the current batch: link words zero except the value length).
     * If a node with the same key is present, {@code node} takes its place.
     *
     * @param node the new node.
     * @return the node it replaced, or {@link PacketRecord#NO_RECORD}.
     */
    int upsert(int node);

    /**
     * @param key address of the key's first byte.
     * @param keyLength key bytes.
     * @return the node removed, or {@link PacketRecord#NO_RECORD} if no node has this key.
     */
    int remove(long key, int keyLength);

    /**
     * @param key address of the bound's first byte.
     * @param keyLength bound bytes.
     * @param inclusive true: the first node whose key is at least the bound; false: greater than it.
     * @return that node, or {@link PacketRecord#NO_RECORD}.
     */
    int ceiling(long key, int keyLength, boolean inclusive);

    /** @return the node with the smallest key, or {@link PacketRecord#NO_RECORD}. */
    int first();

    /**
     * @param node a node in the index.
     * @return the node after it in key order, or {@link PacketRecord#NO_RECORD}.
     */
    int successor(int node);

    /** @return the most link-batch words one {@link #upsert} or {@link #remove} may stage (for sizing batches). */
    int maxStagedWordsPerOperation();

    /**
     * The store released a node that left the index (after the commit): free any volatile resource
     * the index kept for it (e.g. a skip-list overflow block).
     *
     * @param node the node.
     */
    void forget(int node);

    /**
     * Recovery: walks the durable structure in key order and hands each node to {@code sink}, checking
     * every link before following it (inside the record table, not seen before, depth bounded).
     * Reads memory only (no batch is pending at recovery).
     *
     * @param sink receives the nodes and the structural problems found.
     */
    void walk(WalkSink sink);

    /**
     * Recovery: rebuilds the volatile state (size, skip-list upper levels) from the nodes of a walk
     * that found the durable structure sound. Call after the arena's recovery finished (it may
     * allocate overflow blocks).
     *
     * @param sorted the nodes in key order.
     * @param count how many.
     */
    void rebuildVolatile(int[] sorted, int count);

    /**
     * Repair: writes a new durable structure holding exactly {@code sorted} (in key order), directly,
     * persisted and fenced when this returns, then its volatile state. Only at recovery, when no link
     * log is live (the arena cleared it at open).
     *
     * @param sorted the nodes in key order.
     * @param count how many.
     */
    void rebuild(int[] sorted, int count);

    /**
     * Checks every invariant of the structure as it is now (including uncommitted changes).
     *
     * @return null if all hold, else a description of the first violation.
     */
    String checkInvariants();

    /** What a recovery walk reports to. */
    interface WalkSink
    {
        /**
         * @param node the next node in key order (already range-checked and not seen before).
         * @return false to stop the walk.
         */
        boolean node(int node);

        /**
         * A link that cannot be followed (out of range, seen before, too deep): the walk skips it.
         *
         * @param holder the node holding the link, or {@link PacketRecord#NO_RECORD} for the root slot.
         * @param link the raw link value.
         * @param problem what is wrong.
         */
        void badLink(int holder, long link, String problem);
    }
}
