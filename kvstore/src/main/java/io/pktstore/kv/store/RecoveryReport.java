package io.pktstore.kv.store;

import io.pktstore.kv.format.Engine;

import java.util.List;

/**
 * What recovery found and did when a store was opened (also what {@code inspect} and the stats show).
 *
 * @param engine             the store's engine
 * @param keys               keys in the index after recovery
 * @param valueBytes         bytes of their values
 * @param recordsVerified    stored records whose fields were checked (nodes and value records)
 * @param segmentsChecksummed distinct segments whose TCP checksum was re-verified
 * @param damagedKeys        keys kept in the index whose value failed verification (they answer an error)
 * @param quarantined        nodes whose key failed verification, kept on the quarantine list
 * @param newlyQuarantined   of those, found by this recovery
 * @param rescuedNodes       nodes unreachable through the index (a damaged link) found by their record
 *                           mark and linked again
 * @param staleMarksCleared  record marks on records that are no nodes, cleared
 * @param indexRebuilt       true if recovery rewrote the index (damaged links, order, quarantine)
 * @param linkLogEntriesReplayed link-log entries the arena replayed at open
 * @param recordsLive        records kept (nodes, value records, copies)
 * @param recordsReclaimed   records freed (everything unreachable: unacknowledged requests, garbage)
 * @param buffersLive        buffers kept
 * @param buffersReclaimed   buffers freed
 * @param cleanShutdown      whether the arena had been closed cleanly
 * @param durationNs         how long recovery took
 * @param problems           what was wrong, one line each (bounded)
 * @param damagedKeyNames    printable names of damaged keys (bounded)
 */
public record RecoveryReport(
    Engine engine, long keys, long valueBytes, long recordsVerified, long segmentsChecksummed, long damagedKeys,
    long quarantined, long newlyQuarantined, long rescuedNodes, long staleMarksCleared, boolean indexRebuilt,
    long linkLogEntriesReplayed, long recordsLive, long recordsReclaimed, long buffersLive, long buffersReclaimed,
    boolean cleanShutdown, long durationNs, List<String> problems, List<String> damagedKeyNames)
{
    /** Most problem lines and key names a report keeps. */
    public static final int MAX_LINES = 100;

    /** @return the report of a store that was just created. */
    static RecoveryReport empty(final Engine engine)
    {
        return new RecoveryReport(engine, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, true, 0, List.of(), List.of());
    }

    /** @return keys recovered per second (0 for an empty or instant recovery). */
    public double keysPerSecond()
    {
        return durationNs == 0 ? 0 : keys * 1e9 / durationNs;
    }

    /** @return true if nothing was damaged, rescued or repaired. */
    public boolean isClean()
    {
        return damagedKeys == 0 && quarantined == 0 && rescuedNodes == 0 && staleMarksCleared == 0 && !indexRebuilt
            && problems.isEmpty();
    }

    /** @return a one-line summary for the node's startup output. */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(keys).append(" keys (").append(valueBytes).append(" value bytes) in ")
            .append(String.format("%.1f ms", durationNs / 1e6));
        if (keys >= 10_000 && durationNs > 0)
        {
            sb.append(String.format(", %.2f M keys/s", keysPerSecond() / 1e6));
        }
        sb.append("; ").append(recordsVerified).append(" records and ").append(segmentsChecksummed)
            .append(" segments verified; reclaimed ").append(recordsReclaimed).append(" records, ")
            .append(buffersReclaimed).append(" buffers");
        if (linkLogEntriesReplayed > 0)
        {
            sb.append("; replayed ").append(linkLogEntriesReplayed).append(" link-log entries");
        }
        if (!cleanShutdown)
        {
            sb.append("; after a crash");
        }
        if (!isClean())
        {
            sb.append("; DAMAGE: ").append(damagedKeys).append(" damaged keys, ").append(quarantined)
                .append(" quarantined (").append(newlyQuarantined).append(" new), ").append(rescuedNodes)
                .append(" nodes rescued, ").append(staleMarksCleared).append(" stale marks cleared")
                .append(indexRebuilt ? ", index rebuilt" : "");
        }
        return sb.toString();
    }
}
