package io.pktstore.arena;

/**
 * What {@link Recovery#finish()} rebuilt. "Live" slots are those the caller marked reachable;
 * "reclaimed" slots are all the others, which recovery put (back) on the free lists. Allocation
 * state is volatile (DESIGN rule 6), so recovery cannot tell a slot that was in use before the crash
 * but unreachable (leaked by an unfinished operation) from one that was already free: both are
 * counted as reclaimed.
 *
 * @param liveRecords        records marked reachable
 * @param liveBuffers        buffers marked reachable at least once
 * @param liveOverflow       overflow blocks marked reachable
 * @param bufferReferences   total buffer marks, i.e. the sum of the rebuilt reference counts
 * @param reclaimedRecords   records now on the free list
 * @param reclaimedBuffers   buffers now on the free list
 * @param reclaimedOverflow  overflow blocks now on the free list
 * @param duplicateMarks     record or overflow marks of a slot already marked (a record reachable
 *                           twice usually means a corrupt index; the slot is still kept once)
 * @param wasCleanShutdown   whether the arena had been closed cleanly before this open
 */
public record RecoveryReport(int liveRecords, int liveBuffers, int liveOverflow, long bufferReferences,
                             int reclaimedRecords, int reclaimedBuffers, int reclaimedOverflow,
                             long duplicateMarks, boolean wasCleanShutdown) {
}
