package io.pktstore.kv.store;

import io.pktstore.arena.Arena;
import io.pktstore.arena.Recovery;
import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.index.Nodes;
import io.pktstore.kv.index.OrderedIndex;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.StoredSegmentVerifier;
import org.agrona.UnsafeApi;
import org.agrona.collections.IntArrayList;

import java.util.ArrayList;
import java.util.List;

/**
 * Recovery of a store, once, before the stack starts (the arena has replayed its link log at open).
 * Nothing read from PM is followed before it is checked.
 *
 * <ol>
 *   <li><b>Walk</b> the index in key order (the engine checks every link: inside the record table, not
 *       seen before, depth bounded) and the quarantine list.</li>
 *   <li><b>Verify</b> every node and every record of its value chain: fields (l4 = l3 + IHL, data
 *       range inside the payload, tcpSeq and checksum field against the header), the TCP checksum
 *       re-computed from the buffer alone (once per buffer: pipelined requests share one), the
 *       chain's length against the node's value length, no record owned twice. A node whose key
 *       fails is to be quarantined; one whose value fails stays, flagged damaged.</li>
 *   <li><b>Cross-check</b> the record marks (one durable bit per node): a marked record the walk did
 *       not reach is either a node cut off by a damaged link (it verifies: rescued) or a stale mark
 *       (cleared). A reached node without a mark, keys out of order, or a bad link mean the structure
 *       itself is damaged.</li>
 *   <li><b>Mark</b> everything kept in the arena's {@link Recovery} (a record and its buffer together,
 *       once) and finish it: everything else is freed, buffer refcounts are rebuilt.</li>
 *   <li><b>Rebuild</b>: if the structure was sound, only its volatile state (sizes, skip-list towers);
 *       otherwise write a new index of the live nodes in key order, fix the marks, and move newly
 *       quarantined nodes onto the quarantine list with copies of their neighbours' keys.</li>
 * </ol>
 * Running it again on the result changes nothing (idempotent); a crash during a rebuild leaves marks
 * that let the next recovery redo it.
 */
final class KvRecovery
{
    private static final int NONE = PacketRecord.NO_RECORD;

    /** A node's verdict. */
    private static final int VALID = 0;
    private static final int VALUE_DAMAGED = 1;
    private static final int KEY_DAMAGED = 2;
    /** The node record itself was reached before (a damaged link): not a node of its own. */
    private static final int DUPLICATE = 3;

    private final KvStore store;
    private final Arena arena;
    private final Nodes nodes;
    private final OrderedIndex index;
    private final PacketRecord view = new PacketRecord();
    private final int recordCount;
    private final int bufferCount;
    /** Records already claimed by a node or a value chain in this recovery. */
    private final long[] claimed;
    /** Per buffer: 0 = checksum not checked yet, 1 = verifies, 2 = does not. */
    private final byte[] segmentState;
    private final List<String> problems = new ArrayList<>();
    private final List<String> damagedNames = new ArrayList<>();
    private long recordsVerified;
    private long segmentsChecksummed;
    private boolean structureDamaged;

    KvRecovery(final KvStore store)
    {
        this.store = store;
        this.arena = store.arena;
        this.nodes = store.nodes;
        this.index = store.index;
        this.recordCount = arena.geometry().recordCount();
        this.bufferCount = arena.geometry().bufferCount();
        this.claimed = new long[(recordCount + 63) >>> 6];
        this.segmentState = new byte[bufferCount];
    }

    RecoveryReport run()
    {
        final long startNs = System.nanoTime();
        final Recovery recovery = arena.recover();

        // 1-2. Walk and verify the index.
        final IntArrayList walked = new IntArrayList();
        index.walk(new OrderedIndex.WalkSink()
        {
            @Override
            public boolean node(final int node)
            {
                walked.addInt(node);
                return true;
            }

            @Override
            public void badLink(final int holder, final long link, final String problem)
            {
                structureDamaged = true;
                problem("index link " + (holder == NONE ? "in the root slot" : "of node " + holder) + " ("
                    + Long.toHexString(link) + "): " + problem);
            }
        });
        // Marked nodes first: they claim their value records before anything a damaged link may have
        // led the walk to (a link pointing into another node's value chain must not take it over).
        final int[] verdictOf = new int[walked.size()];
        for (int i = 0; i < walked.size(); i++)
        {
            final int node = walked.getInt(i);
            verdictOf[i] = arena.isRecordMarked(node) ? check(node) : -1;
        }

        // The quarantine list.
        final IntArrayList quarantined = walkQuarantine();

        // 3. Marked records the walks did not reach.
        final IntArrayList rescued = new IntArrayList();
        final IntArrayList rescuedVerdicts = new IntArrayList();
        final IntArrayList staleMarks = new IntArrayList();
        final int markWords = (recordCount + 63) >>> 6;
        for (int w = 0; w < markWords; w++)
        {
            long bits = arena.recordMarksWord(w) & ~claimed[w];
            while (bits != 0)
            {
                final int record = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                final int verdict = record < recordCount ? check(record) : DUPLICATE;
                if (verdict == VALID || verdict == VALUE_DAMAGED)
                {
                    rescued.addInt(record);
                    rescuedVerdicts.addInt(verdict);
                    structureDamaged = true;
                    problem("node " + record + " (" + keyName(record) + ") was cut off the index by a damaged link: rescued");
                }
                else
                {
                    staleMarks.addInt(record);
                    problem("record " + record + " is marked as a node but is none: mark cleared");
                }
            }
        }

        // Walked records without a mark: a node whose mark was lost, or a record a damaged link leads to.
        for (int i = 0; i < walked.size(); i++)
        {
            if (verdictOf[i] != -1)
            {
                continue;
            }
            final int node = walked.getInt(i);
            structureDamaged = true;
            if (isClaimed(node))
            {
                verdictOf[i] = DUPLICATE;
                problem("an index link leads to record " + node + ", which belongs to another node: the link is damaged");
                continue;
            }
            final int verdict = check(node);
            if (verdict == VALID || verdict == VALUE_DAMAGED)
            {
                verdictOf[i] = verdict;
                problem("node " + node + " (" + keyName(node) + ") is reachable but had no record mark: mark restored");
            }
            else
            {
                verdictOf[i] = DUPLICATE;
                problem("an index link leads to record " + node + ", which is no valid node: the link is damaged");
            }
        }
        final IntArrayList verdicts = new IntArrayList();
        int previousValid = NONE;
        for (int i = 0; i < walked.size(); i++)
        {
            final int verdict = verdictOf[i];
            verdicts.addInt(verdict);
            if (verdict == DUPLICATE)
            {
                structureDamaged = true;
            }
            else if (verdict != KEY_DAMAGED)
            {
                final int node = walked.getInt(i);
                if (previousValid != NONE && nodes.compareNodes(previousValid, node) >= 0)
                {
                    structureDamaged = true;
                    problem("keys out of order at node " + node);
                }
                previousValid = node;
            }
        }
        if (!staleMarks.isEmpty())
        {
            structureDamaged = true;   // the marks are rewritten with the index
        }

        // The live nodes: walked and rescued nodes whose key verifies.
        final IntArrayList live = new IntArrayList();
        final IntArrayList newlyQuarantined = new IntArrayList();
        final IntArrayList quarantineBefore = new IntArrayList();
        final IntArrayList quarantineAfter = new IntArrayList();
        for (int i = 0; i < walked.size(); i++)
        {
            final int verdict = verdicts.getInt(i);
            final int node = walked.getInt(i);
            if (verdict == KEY_DAMAGED)
            {
                newlyQuarantined.addInt(node);
                quarantineBefore.addInt(neighbour(walked, verdicts, i, -1));
                quarantineAfter.addInt(neighbour(walked, verdicts, i, +1));
                structureDamaged = true;
            }
            else if (verdict != DUPLICATE)
            {
                live.addInt(node);
                if (verdict == VALUE_DAMAGED)
                {
                    store.damaged.add(node);
                }
            }
        }
        for (int i = 0; i < rescued.size(); i++)
        {
            live.addInt(rescued.getInt(i));
            if (rescuedVerdicts.getInt(i) == VALUE_DAMAGED)
            {
                store.damaged.add(rescued.getInt(i));
            }
        }
        final int[] sorted = live.toIntArray();
        if (structureDamaged)
        {
            sortAndDropDuplicateKeys(sorted, live.size());
        }
        final int liveCount = structureDamaged ? countLive(sorted) : live.size();

        // 4. Mark what is kept and let the arena free the rest.
        for (int i = 0; i < liveCount; i++)
        {
            markNode(recovery, sorted[i]);
        }
        for (int i = 0; i < quarantined.size(); i++)
        {
            final int node = quarantined.getInt(i);
            markNode(recovery, node);
            markCopy(recovery, NodeLayout.record(UnsafeApi.getLong(nodes.recordAddress(node) + NodeLayout.WORD2)));
            markCopy(recovery, NodeLayout.record(UnsafeApi.getLong(nodes.recordAddress(node) + NodeLayout.WORD3)));
        }
        for (int i = 0; i < newlyQuarantined.size(); i++)
        {
            markNode(recovery, newlyQuarantined.getInt(i));
        }
        final io.pktstore.arena.RecoveryReport arenaReport = recovery.finish();

        // 5. Rebuild.
        for (int i = 0; i < quarantined.size(); i++)
        {
            final int node = quarantined.getInt(i);
            store.quarantine.add(node, NodeLayout.record(UnsafeApi.getLong(nodes.recordAddress(node) + NodeLayout.WORD2)),
                NodeLayout.record(UnsafeApi.getLong(nodes.recordAddress(node) + NodeLayout.WORD3)));
        }
        if (structureDamaged)
        {
            index.rebuild(sorted, liveCount);
            quarantine(newlyQuarantined, quarantineBefore, quarantineAfter, quarantined);
            rewriteMarks(sorted, liveCount, quarantined, newlyQuarantined);
            problem("index rebuilt from " + liveCount + " live nodes");
        }
        else
        {
            index.rebuildVolatile(sorted, liveCount);
        }
        long valueBytes = 0;
        for (int i = 0; i < liveCount; i++)
        {
            valueBytes += nodes.valueLength(sorted[i]);
        }
        for (final int node : store.damaged)
        {
            if (damagedNames.size() < RecoveryReport.MAX_LINES)
            {
                damagedNames.add(keyName(node));
            }
        }
        return new RecoveryReport(index.engine(), liveCount, valueBytes, recordsVerified, segmentsChecksummed,
            store.damaged.size(), store.quarantine.size(), newlyQuarantined.size(), rescued.size(), staleMarks.size(),
            structureDamaged, arena.linkLogReplay().applied(), arenaReport.liveRecords(), arenaReport.reclaimedRecords(),
            arenaReport.liveBuffers(), arenaReport.reclaimedBuffers(), arena.wasCleanShutdown(),
            System.nanoTime() - startNs, List.copyOf(problems), List.copyOf(damagedNames));
    }

    // ------------------------------------------------------------------------------------------
    // Verification (claims records as it goes, marks nothing in the arena)
    // ------------------------------------------------------------------------------------------

    /** Verifies a node and its value chain, claiming their records. */
    private int check(final int node)
    {
        if (!claim(node))
        {
            problem("node " + node + " is reached twice");
            return DUPLICATE;
        }
        view.wrap(arena, node);
        final int keyLength = view.dataLength();
        final int keyResult = verifyRecord(node);
        int verdict = VALID;
        if (keyResult != StoredSegmentVerifier.OK || keyLength < 1 || keyLength > NodeLayout.MAX_KEY_LENGTH)
        {
            problem("node " + node + ": key record fails: "
                + (keyResult != StoredSegmentVerifier.OK ? StoredSegmentVerifier.describe(keyResult) : "key length " + keyLength));
            verdict = KEY_DAMAGED;
        }
        final long valueLength = UnsafeApi.getLong(nodes.recordAddress(node) + NodeLayout.WORD1) & NodeLayout.LINK_MASK;
        long sum = 0;
        int owner = node;   // the last record of the chain this node owns
        int record = nodes.next(node);
        while (record != NONE)
        {
            if (record < 0 || record >= recordCount)
            {
                cutChain(owner);
                return damage(node, verdict, "value chain link " + record + " outside the record table: chain cut");
            }
            if (!claim(record))
            {
                cutChain(owner);
                return damage(node, verdict, "value record " + record + " belongs to another chain too: chain cut");
            }
            owner = record;
            final int result = verifyRecord(record);
            if (result != StoredSegmentVerifier.OK)
            {
                // The record is this chain's own (its link was valid): it stays, the node is damaged.
                verdict = damage(node, verdict, "value record " + record + " fails: " + StoredSegmentVerifier.describe(result));
            }
            sum += view.wrap(arena, record).dataLength();
            if (sum > valueLength && verdict == VALID)
            {
                verdict = damage(node, verdict, "value chain longer than the stored length " + valueLength);
            }
            record = nodes.next(record);
        }
        if (sum != valueLength && verdict == VALID)
        {
            return damage(node, verdict, "value chain holds " + sum + " bytes, the stored length is " + valueLength);
        }
        return verdict;
    }

    /**
     * Ends a chain after {@code owner} (durably, directly: recovery's repair) so that releasing the node
     * later never follows a link into records it does not own.
     */
    private void cutChain(final int owner)
    {
        UnsafeApi.putInt(nodes.recordAddress(owner) + PacketRecord.NEXT_OFFSET, NONE);
        arena.persistRecord(owner);
        arena.barrier();
    }

    private int damage(final int node, final int verdict, final String what)
    {
        problem("node " + node + (verdict == KEY_DAMAGED ? "" : " (" + keyName(node) + ")") + ": " + what);
        return verdict == KEY_DAMAGED ? KEY_DAMAGED : VALUE_DAMAGED;
    }



    /** Checks a record's fields and, once per buffer, its segment's checksum. */
    private int verifyRecord(final int record)
    {
        view.wrap(arena, record);
        recordsVerified++;
        final boolean checksums = store.config.verifyAtRecovery();
        final int fields = StoredSegmentVerifier.verify(arena, view, false);
        if (fields != StoredSegmentVerifier.OK || !checksums)
        {
            return fields;
        }
        if (view.checksumState() == PacketRecord.CHECKSUM_STORE_COPY
            || view.checksumState() == PacketRecord.CHECKSUM_STORE_CRC32C)
        {
            segmentsChecksummed++;
            return StoredSegmentVerifier.verifyChecksum(arena, view);
        }
        final int buffer = view.bufferIndex();
        if (segmentState[buffer] == 0)
        {
            segmentsChecksummed++;
            segmentState[buffer] = (byte)(StoredSegmentVerifier.verifyChecksum(arena, view) == StoredSegmentVerifier.OK ? 1 : 2);
        }
        return segmentState[buffer] == 1 ? StoredSegmentVerifier.OK : StoredSegmentVerifier.BAD_CHECKSUM;
    }

    private boolean isClaimed(final int record)
    {
        return (claimed[record >>> 6] & (1L << record)) != 0;
    }

    private boolean claim(final int record)
    {
        final long bit = 1L << record;
        if ((claimed[record >>> 6] & bit) != 0)
        {
            return false;
        }
        claimed[record >>> 6] |= bit;
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Quarantine
    // ------------------------------------------------------------------------------------------

    private IntArrayList walkQuarantine()
    {
        final IntArrayList list = new IntArrayList();
        long link = arena.root(KvFormat.ROOT_QUARANTINE);
        while (link != 0)
        {
            final int node = NodeLayout.record(link);
            if ((link >>> 32) != 0 || node < 0 || node >= recordCount || !claim(node))
            {
                problem("quarantine list link " + Long.toHexString(link) + " is damaged: the list is cut there");
                structureDamaged = true;
                break;
            }
            list.addInt(node);
            claimChain(node);
            link = UnsafeApi.getLong(nodes.recordAddress(node) + NodeLayout.WORD0);
        }
        return list;
    }

    /** Claims a quarantined node's value records as far as their links are valid (they stay allocated). */
    private void claimChain(final int node)
    {
        int owner = node;
        int record = nodes.next(node);
        while (record != NONE)
        {
            if (record < 0 || record >= recordCount || !claim(record))
            {
                cutChain(owner);
                return;
            }
            owner = record;
            record = nodes.next(record);
        }
    }

    /** @return the nearest walked node in direction {@code step} whose key verifies, or NONE. */
    private static int neighbour(final IntArrayList walked, final IntArrayList verdicts, final int at, final int step)
    {
        for (int i = at + step; i >= 0 && i < walked.size(); i += step)
        {
            final int v = verdicts.getInt(i);
            if (v == VALID || v == VALUE_DAMAGED)
            {
                return walked.getInt(i);
            }
        }
        return NONE;
    }

    /** Links the newly quarantined nodes in front of the existing list, with copies of their neighbours' keys. */
    private void quarantine(final IntArrayList fresh, final IntArrayList before, final IntArrayList after,
                            final IntArrayList existing)
    {
        long head = existing.isEmpty() ? 0 : NodeLayout.link(existing.getInt(0));
        for (int i = fresh.size() - 1; i >= 0; i--)
        {
            final int node = fresh.getInt(i);
            final int beforeCopy = copyKeyOf(before.getInt(i), node);
            final int afterCopy = copyKeyOf(after.getInt(i), node);
            final long address = nodes.recordAddress(node);
            UnsafeApi.putLong(address + NodeLayout.WORD0, head);
            UnsafeApi.putLong(address + NodeLayout.WORD2, NodeLayout.link(beforeCopy));
            UnsafeApi.putLong(address + NodeLayout.WORD3, NodeLayout.link(afterCopy));
            arena.persistRecord(node);
            head = NodeLayout.link(node);
            store.quarantine.add(node, beforeCopy, afterCopy);
            problem("node " + node + " (its key reads " + keyName(node) + ", unverified) quarantined: its key cannot be "
                + "verified; keys between "
                + (beforeCopy == NONE ? "the start" : keyName(beforeCopy)) + " and "
                + (afterCopy == NONE ? "the end" : keyName(afterCopy)) + " answer an error until written again");
        }
        arena.barrier();
        arena.setRoot(KvFormat.ROOT_QUARANTINE, head);
    }

    /** @return a persisted store copy of {@code node}'s key, or NONE (no neighbour, or no room). */
    private int copyKeyOf(final int node, final int forNode)
    {
        if (node == NONE)
        {
            return NONE;
        }
        final int copy = store.copyKey(nodes.keyAddress(node), nodes.keyLength(node), nodes.keyTimestampNs(node));
        if (copy == NONE)
        {
            problem("no room to copy the neighbour key of quarantined node " + forNode + ": its gap is open on that side");
        }
        return copy;
    }

    // ------------------------------------------------------------------------------------------
    // Marking and repair
    // ------------------------------------------------------------------------------------------

    /** Marks a kept node and its value chain in the arena (record and buffer together, once). */
    private void markNode(final Recovery recovery, final int node)
    {
        markRecord(recovery, node);
        int record = nodes.next(node);
        int guard = 0;
        while (record >= 0 && record < recordCount && guard++ < recordCount)
        {
            if (!markRecord(recovery, record))
            {
                break;
            }
            record = nodes.next(record);
        }
    }

    private void markCopy(final Recovery recovery, final int copy)
    {
        if (copy >= 0 && copy < recordCount)
        {
            markRecord(recovery, copy);
        }
    }

    private boolean markRecord(final Recovery recovery, final int record)
    {
        final int buffer = view.wrap(arena, record).bufferIndex();
        return buffer >= 0 && buffer < bufferCount ? recovery.markRecordAndBuffer(record, buffer) : recovery.markRecord(record);
    }

    /** Sorts by key in place; of equal keys keeps the first (walked before rescued) and drops the others (NONE). */
    private void sortAndDropDuplicateKeys(final int[] sorted, final int count)
    {
        final Integer[] boxed = new Integer[count];
        for (int i = 0; i < count; i++)
        {
            boxed[i] = sorted[i];
        }
        java.util.Arrays.sort(boxed, nodes::compareNodes);   // stable: walked nodes stay ahead of rescued ones
        int out = 0;
        for (int i = 0; i < count; i++)
        {
            if (out > 0 && nodes.compareNodes(sorted[out - 1], boxed[i]) == 0)
            {
                problem("two nodes hold key " + keyName(boxed[i]) + ": node " + boxed[i] + " dropped");
                store.damaged.remove(boxed[i].intValue());
                continue;
            }
            sorted[out++] = boxed[i];
        }
        for (int i = out; i < count; i++)
        {
            sorted[i] = NONE;
        }
    }

    private static int countLive(final int[] sorted)
    {
        int n = 0;
        while (n < sorted.length && sorted[n] != NONE)
        {
            n++;
        }
        return n;
    }

    /** Writes the record marks so that exactly the live and quarantined nodes are marked (repair, direct). */
    private void rewriteMarks(final int[] live, final int liveCount, final IntArrayList quarantined,
                              final IntArrayList newlyQuarantined)
    {
        final int words = (recordCount + 63) >>> 6;
        final long[] wanted = new long[words];
        for (int i = 0; i < liveCount; i++)
        {
            wanted[live[i] >>> 6] |= 1L << live[i];
        }
        for (final IntArrayList list : List.of(quarantined, newlyQuarantined))
        {
            for (int i = 0; i < list.size(); i++)
            {
                wanted[list.getInt(i) >>> 6] |= 1L << list.getInt(i);
            }
        }
        final long base = arena.region().address();
        for (int w = 0; w < words; w++)
        {
            if (arena.recordMarksWord(w) != wanted[w])
            {
                final long offset = arena.geometry().recordMarksOffset() + ((long)w << 3);
                UnsafeApi.putLongVolatile(null, base + offset, wanted[w]);
                arena.persist(offset, Long.BYTES);
            }
        }
        arena.barrier();
    }

    // ------------------------------------------------------------------------------------------

    private void problem(final String line)
    {
        if (problems.size() < RecoveryReport.MAX_LINES)
        {
            problems.add(line);
        }
    }

    /** @return a printable, bounded rendering of a node's key (only for nodes whose key range is sane). */
    String keyName(final int node)
    {
        view.wrap(arena, node);
        final int buffer = view.bufferIndex();
        final int length = view.dataLength();
        if (buffer < 0 || buffer >= bufferCount || view.dataOffset() + length > arena.bufferSize())
        {
            return "<unreadable key>";
        }
        return KeyNames.printable(nodes.keyAddress(node), length);
    }
}
