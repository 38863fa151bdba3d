package io.pktstore.kv.resp;

import io.pktstore.arena.Arena;
import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerStats;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.RecoveryReport;
import io.pktstore.kv.store.Scrubber;
import io.pktstore.stack.StackCounters;

import java.util.Locale;

/**
 * The INFO reply: Redis's sections and field names (clients read {@code redis_version},
 * {@code connected_clients}, {@code used_memory}, {@code loading}, {@code keyspace_hits},
 * {@code db0:keys=...}, {@code cluster_enabled}), plus a {@code pktstore} section with the arena,
 * the recovery report and the scrubber. Not on the hot path (allocates).
 */
final class RespInfo
{
    private static final String[] DEFAULT = {"server", "clients", "memory", "persistence", "stats", "replication",
        "cluster", "keyspace", "latencystats", "pktstore", "network"};
    private static final long START_MILLIS = System.currentTimeMillis();

    private RespInfo()
    {
    }

    static String text(final KvServer server, final Arguments args)
    {
        final StringBuilder sb = new StringBuilder(2048);
        for (final String section : DEFAULT)
        {
            if (wanted(args, section))
            {
                if (sb.length() > 0)
                {
                    sb.append("\r\n");
                }
                append(sb, server, section);
            }
        }
        return sb.toString();
    }

    private static boolean wanted(final Arguments args, final String section)
    {
        if (args.count() == 1)
        {
            return true;
        }
        for (int i = 1; i < args.count(); i++)
        {
            if (args.is(i, section) || args.is(i, "all") || args.is(i, "everything") || args.is(i, "default"))
            {
                return true;
            }
        }
        return false;
    }

    private static void line(final StringBuilder sb, final String key, final Object value)
    {
        sb.append(key).append(':').append(value).append("\r\n");
    }

    private static void append(final StringBuilder sb, final KvServer server, final String section)
    {
        final KvStore store = server.store();
        final Arena arena = store.arena();
        final ServerStats stats = server.stats();
        switch (section)
        {
            case "server":
                sb.append("# Server\r\n");
                line(sb, "redis_version", RespCommandRunner.REDIS_VERSION);
                line(sb, "redis_mode", server.config().cluster() == null ? "standalone" : "cluster");
                line(sb, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch"));
                line(sb, "arch_bits", 64);
                line(sb, "process_id", ProcessHandle.current().pid());
                line(sb, "tcp_port", server.config().respPort());
                line(sb, "uptime_in_seconds", (System.currentTimeMillis() - START_MILLIS) / 1000);
                line(sb, "pktstore_engine", store.engine().cliName());
                break;
            case "clients":
                sb.append("# Clients\r\n");
                line(sb, "connected_clients", server.openConnections());
                line(sb, "blocked_clients", 0);
                break;
            case "memory":
            {
                sb.append("# Memory\r\n");
                final long used = (long)(arena.geometry().recordCount() - arena.freeRecordCount()) * 64
                    + (long)(arena.geometry().bufferCount() - arena.freeBufferCount()) * arena.bufferSize();
                line(sb, "used_memory", used);
                line(sb, "used_memory_human", human(used));
                line(sb, "maxmemory", arena.geometry().requiredBytes());
                line(sb, "maxmemory_human", human(arena.geometry().requiredBytes()));
                line(sb, "maxmemory_policy", "noeviction");
                line(sb, "arena_records_free", arena.freeRecordCount());
                line(sb, "arena_records_total", arena.geometry().recordCount());
                line(sb, "arena_buffers_free", arena.freeBufferCount());
                line(sb, "arena_buffers_total", arena.geometry().bufferCount());
                line(sb, "arena_buffer_size", arena.bufferSize());
                line(sb, "arena_room_for_new_data", store.hasRoomForNewData() ? 1 : 0);
                break;
            }
            case "persistence":
                sb.append("# Persistence\r\n");
                line(sb, "loading", 0);
                line(sb, "async_loading", 0);
                line(sb, "rdb_changes_since_last_save", 0);
                line(sb, "rdb_bgsave_in_progress", 0);
                line(sb, "aof_enabled", 0);
                line(sb, "aof_rewrite_in_progress", 0);
                line(sb, "pktstore_persist_mode", arena.mode());
                line(sb, "pktstore_group_commits", stats.groupCommits);
                line(sb, "pktstore_link_batches", store.stats().batchCommits);
                line(sb, "pktstore_failed", server.failure() == null ? 0 : 1);
                break;
            case "stats":
                sb.append("# Stats\r\n");
                line(sb, "total_connections_received", server.acceptedConnections());
                line(sb, "total_commands_processed", stats.requests);
                line(sb, "rejected_connections", 0);
                line(sb, "keyspace_hits", stats.keyspaceHits);
                line(sb, "keyspace_misses", stats.keyspaceMisses);
                line(sb, "total_error_replies", stats.errorReplies);
                line(sb, "unexpected_error_replies", 0);
                line(sb, "pktstore_protocol_errors", stats.protocolErrors);
                line(sb, "pktstore_refused_full", stats.refusedFull);
                line(sb, "pktstore_auth_failures", stats.authFailures);
                line(sb, "pktstore_value_bytes_in", store.stats().valueBytesIn);
                line(sb, "pktstore_value_bytes_out", stats.valueBytesOut);
                line(sb, "pktstore_key_copies", store.stats().keyCopies);
                break;
            case "replication":
                sb.append("# Replication\r\n");
                line(sb, "role", "master");
                line(sb, "connected_slaves", 0);
                break;
            case "cluster":
                sb.append("# Cluster\r\n");
                line(sb, "cluster_enabled", server.config().cluster() == null ? 0 : 1);
                break;
            case "latencystats":
            {
                // Redis 7's format; pktstore's kinds instead of per-command histograms.
                sb.append("# Latencystats\r\n");
                final io.pktstore.kv.server.RequestLatency latency = server.latency();
                for (int kind = 0; kind < io.pktstore.kv.server.RequestLatency.KIND_NAMES.length; kind++)
                {
                    final org.HdrHistogram.Histogram h = latency.histogram(kind);
                    if (h.getTotalCount() == 0)
                    {
                        continue;
                    }
                    line(sb, "latency_percentiles_usec_" + io.pktstore.kv.server.RequestLatency.KIND_NAMES[kind],
                        String.format(Locale.ROOT, "p50=%.3f,p99=%.3f,p99.9=%.3f", h.getValueAtPercentile(50) / 1e3,
                            h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3));
                }
                break;
            }
            case "keyspace":
                sb.append("# Keyspace\r\n");
                if (store.count() > 0)
                {
                    line(sb, "db0", "keys=" + store.count() + ",expires=0,avg_ttl=0");
                }
                break;
            case "pktstore":
            {
                sb.append("# Pktstore\r\n");
                final RecoveryReport report = store.recoveryReport();
                line(sb, "recovery", report.summary().replace("\r", " ").replace("\n", " "));
                line(sb, "recovery_keys", report.keys());
                line(sb, "recovery_duration_us", report.durationNs() / 1000);
                line(sb, "damaged_keys", store.damagedCount());
                line(sb, "quarantined_keys", store.quarantinedCount());
                final Scrubber scrubber = server.scrubber();
                line(sb, "scrub_running", scrubber.running() ? 1 : 0);
                line(sb, "scrub_passes", scrubber.passes());
                line(sb, "scrub_nodes_checked", scrubber.nodesChecked());
                line(sb, "scrub_damaged_found", scrubber.damagedFound());
                line(sb, "scrub_index_problem", scrubber.indexProblem() == null ? "none" : scrubber.indexProblem());
                break;
            }
            case "network":
            {
                // the stack's counters (drops by reason among them) and TCP's, as /metrics has them
                sb.append("# Network\r\n");
                final StackCounters stack = server.stackCounters();
                line(sb, "frames_dropped", stack.totalDrops());
                for (int id = 0; id < StackCounters.COUNT; id++)
                {
                    line(sb, StackCounters.snakeName(id), stack.get(id));
                }
                for (final java.util.Map.Entry<String, Long> e : server.tcpCounters().snapshot().entrySet())
                {
                    line(sb, "tcp_" + e.getKey(), e.getValue());
                }
                break;
            }
            default:
                break;
        }
    }

    static String human(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        final double k = bytes / 1024.0;
        if (k < 1024)
        {
            return String.format(Locale.ROOT, "%.2fK", k);
        }
        final double m = k / 1024;
        return m < 1024 ? String.format(Locale.ROOT, "%.2fM", m) : String.format(Locale.ROOT, "%.2fG", m / 1024);
    }
}
