package io.pktstore.kv.bench;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.store.KvStoreConfig.WriteMode;
import io.pktstore.stack.StackConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What one invocation measures: the systems compared over every connection count, the Table-1 stage
 * switches measured at one connection, the workload and the number of alternating rounds.
 *
 * @param compared    systems measured at every connection count.
 * @param stages      stage switches for the breakdown, measured at one connection.
 * @param workload    requests, sizes and mix.
 * @param connections connection counts, e.g. 1, 4, 16, 64.
 * @param rounds      rounds; each runs every system once, in alternating order.
 */
public record BenchPlan(List<BenchSystem> compared, List<BenchSystem> stages, Workload workload, int[] connections,
                        int rounds)
{
    /** Names the breakdown reads (the systems below carry them). */
    static final String NET = "net-only";
    static final String SKIPLIST = "pktstore-skiplist";
    static final String RBTREE = "pktstore-rbtree";
    static final String COPYING = "copying-store";
    static final String KERNEL = "kernel-nio-store";
    static final String REDIS_ALWAYS = "redis-aof-always";
    static final String REDIS_OFF = "redis-no-persistence";
    static final String PARSE_ONLY = "stage-parse-only";
    static final String ZERO_COPY_VOLATILE = "stage-pktstore-no-persist";
    static final String COPYING_ALLOC_INSERT = "stage-copying-alloc-insert";
    static final String COPYING_COPY = "stage-copying-copy";
    static final String COPYING_VOLATILE = "stage-copying-no-persist";
    static final String ZERO_COPY_FULL = "stage-pktstore-full";
    static final String COPYING_FULL = "stage-copying-full";

    /**
     * The full plan: every system of the issue, the stage switches, Redis if installed (over RESP: Redis
     * speaks nothing else). With GETs in the mix there is no networking-only baseline and no breakdown:
     * both rely on every request being a PUT of one size.
     *
     * @param idle the stack's idle strategy.
     */
    public static BenchPlan standard(final Workload workload, final int[] connections, final int rounds,
                                     final StackConfig.IdleMode idle, final boolean withRedis)
    {
        final List<BenchSystem> compared = new ArrayList<>();
        if (workload.writePercent() == 100)
        {
            // Discard with a reply answers requests of one size: PUTs only (GETs are shorter).
            compared.add(StackSystem.networkingOnly(idle));
        }
        compared.addAll(List.of(
            StackSystem.store(SKIPLIST, "pktstore, zero-copy store, skip list, on our stack", Engine.SKIPLIST,
                WriteMode.ZERO_COPY, true, idle),
            StackSystem.store(RBTREE, "pktstore, zero-copy store, red-black tree, on our stack", Engine.RBTREE,
                WriteMode.ZERO_COPY, true, idle),
            StackSystem.store(COPYING, "copying store (LevelDB-style: copy + CRC32C + own allocation), skip list, on our stack",
                Engine.SKIPLIST, WriteMode.COPYING, true, idle),
            new KernelStoreSystem(Engine.SKIPLIST)));
        if (withRedis && workload.protocol() == Protocol.RESP)
        {
            compared.add(new RedisSystem(true));
            compared.add(new RedisSystem(false));
        }
        final List<BenchSystem> stages = List.of(
            StackSystem.store(PARSE_ONLY, "stage: request parsed into records, then dropped (no store)", Engine.SKIPLIST,
                WriteMode.PARSE_ONLY, false, idle),
            StackSystem.store(ZERO_COPY_VOLATILE, "stage: zero-copy store without persistence", Engine.SKIPLIST,
                WriteMode.ZERO_COPY, false, idle),
            StackSystem.store(COPYING_ALLOC_INSERT, "stage: copying store's allocation + insertion only (no copy, no CRC, "
                + "no persistence)", Engine.SKIPLIST, WriteMode.COPYING_NO_COPY, false, idle),
            StackSystem.store(COPYING_COPY, "stage: copying store with the copy, no CRC, no persistence", Engine.SKIPLIST,
                WriteMode.COPYING_NO_CHECKSUM, false, idle),
            StackSystem.store(COPYING_VOLATILE, "stage: copying store with copy and CRC32C, no persistence", Engine.SKIPLIST,
                WriteMode.COPYING, false, idle),
            // The whole stores again, at one connection only, so the node's own write latency (which a
            // compared system's round mixes over every connection count) covers persistence too.
            StackSystem.store(ZERO_COPY_FULL, "stage: zero-copy store, persistent (as pktstore-skiplist)", Engine.SKIPLIST,
                WriteMode.ZERO_COPY, true, idle),
            StackSystem.store(COPYING_FULL, "stage: copying store, persistent (as copying-store)", Engine.SKIPLIST,
                WriteMode.COPYING, true, idle));
        return new BenchPlan(compared, workload.writePercent() == 100 ? stages : List.of(), workload, connections, rounds);
    }
}
