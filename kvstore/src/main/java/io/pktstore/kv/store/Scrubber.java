package io.pktstore.kv.store;

import io.pktstore.kv.format.NodeLayout;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.StoredSegmentVerifier;
import org.agrona.UnsafeApi;

/**
 * Re-verifies stored data while the store serves, a little per duty cycle: walks the keys in order
 * from where the last step stopped (a copy of the last key, so deletes and inserts in between do not
 * matter) and checks each node's key record and value records exactly as recovery does (fields, TCP
 * checksum from the buffer alone, chain length). A node that fails is flagged damaged: from then on
 * it answers {@link StoreStatus#DAMAGED}, never data. It reads only; it never touches the arena's
 * allocation state and never re-enters recovery (a node whose key fails cannot be moved out of the
 * index while serving; it is flagged, and the next recovery quarantines it).
 *
 * <p>Single-threaded (the store's thread); allocation-free after construction.
 */
public final class Scrubber
{
    private static final int NONE = PacketRecord.NO_RECORD;

    private final KvStore store;
    private final PacketRecord view = new PacketRecord();
    private final long lastKey;
    private final int[] one = new int[1];
    private String indexProblem;
    private int lastKeyLength = -1;   // -1: no pass running
    private long passes;
    private long nodesChecked;
    private long recordsChecked;
    private long damagedFound;
    private long passNodes;
    private long passDamaged;

    /** @param store the store to scrub. */
    public Scrubber(final KvStore store)
    {
        this.store = store;
        this.lastKey = UnsafeApi.allocateMemory(NodeLayout.MAX_KEY_LENGTH);
    }

    /** Starts a pass from the first key (or restarts the running one). */
    public void start()
    {
        lastKeyLength = 0;
        passNodes = 0;
        passDamaged = 0;
    }

    /** @return true while a pass is running. */
    public boolean running()
    {
        return lastKeyLength >= 0;
    }

    /**
     * Verifies nodes until about {@code recordBudget} records were checked or the pass ends.
     *
     * @param recordBudget records to check in this step (a node and its value records count).
     * @return records checked (0 when no pass is running).
     */
    public int step(final int recordBudget)
    {
        if (lastKeyLength < 0)
        {
            return 0;
        }
        int checked = 0;
        while (checked < recordBudget)
        {
            final int found = store.scan(lastKey, lastKeyLength, false, 0, -1, one, 1);
            if (found == 0)
            {
                finishPass();
                return checked;
            }
            final int node = one[0];
            checked += verify(node);
            final int length = store.nodes.keyLength(node);
            if (length > NodeLayout.MAX_KEY_LENGTH)
            {
                indexProblem = "node " + node + " has a key of " + length + " bytes: its record is damaged";
                lastKeyLength = -1;   // a key this long cannot be in the index: stop rather than misread
                passes++;
                return checked;
            }
            UnsafeApi.copyMemory(store.nodes.keyAddress(node), lastKey, length);
            lastKeyLength = length;
        }
        return checked;
    }

    /** End of a pass: the index's structure is checked too (its invariants, in one walk). */
    private void finishPass()
    {
        lastKeyLength = -1;
        passes++;
        indexProblem = store.checkInvariants();
    }

    /** @return what the last completed pass found wrong with the index's structure, or null. */
    public String indexProblem()
    {
        return indexProblem;
    }

    /** Runs a whole pass now (offline scrub, tests). */
    public void runPass()
    {
        start();
        while (running())
        {
            step(Integer.MAX_VALUE);
        }
    }

    /** Verifies one node and its chain; flags it damaged on any failure. @return records checked. */
    private int verify(final int node)
    {
        nodesChecked++;
        passNodes++;
        int records = 1;
        boolean ok = StoredSegmentVerifier.verify(store.arena, view.wrap(store.arena, node)) == StoredSegmentVerifier.OK;
        final long valueLength = store.nodes.valueLength(node);
        final int recordCount = store.arena.geometry().recordCount();
        long sum = 0;
        int r = store.nodes.valueHead(node);
        while (ok && r != NONE)
        {
            if (r < 0 || r >= recordCount || records > recordCount)
            {
                ok = false;
                break;
            }
            records++;
            ok = StoredSegmentVerifier.verify(store.arena, view.wrap(store.arena, r)) == StoredSegmentVerifier.OK;
            sum += view.dataLength();
            r = view.next();
        }
        recordsChecked += records;
        if (!ok || sum != valueLength)
        {
            if (store.damaged.add(node))
            {
                damagedFound++;
                passDamaged++;
            }
        }
        return records;
    }

    /** @return completed passes. */
    public long passes()
    {
        return passes;
    }

    /** @return nodes verified in all passes. */
    public long nodesChecked()
    {
        return nodesChecked;
    }

    /** @return records verified in all passes. */
    public long recordsChecked()
    {
        return recordsChecked;
    }

    /** @return nodes newly flagged damaged by scrubbing. */
    public long damagedFound()
    {
        return damagedFound;
    }

    /** @return nodes verified in the current (or last) pass. */
    public long passNodes()
    {
        return passNodes;
    }

    /** @return nodes flagged in the current (or last) pass. */
    public long passDamaged()
    {
        return passDamaged;
    }
}
