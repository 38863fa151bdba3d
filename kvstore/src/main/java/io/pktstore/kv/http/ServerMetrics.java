package io.pktstore.kv.http;

import io.pktstore.arena.Arena;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.RequestLatency;
import io.pktstore.kv.server.ServerStats;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.RecoveryReport;
import io.pktstore.kv.store.Scrubber;
import io.pktstore.kv.store.StoreStats;
import io.pktstore.stack.StackCounters;

/**
 * What the node exposes on {@code /_stats} and {@code /metrics}, listed once: the front ends' counters
 * ({@link ServerStats}) and requests' latency percentiles, the store's ({@link StoreStats}), the
 * arena's free records and buffers, what recovery found at startup, the online scrubber, and the
 * stack's and TCP's counters (frames dropped by reason among them). Add a metric here and both formats show it.
 * Allocates (an administrative path).
 */
final class ServerMetrics
{
    private ServerMetrics()
    {
    }

    /** Hands every metric of {@code server} to {@code sink}. */
    static void visit(final KvServer server, final MetricSink sink)
    {
        final ServerStats s = server.stats();
        final KvStore store = server.store();
        sink.value("connections_open", "Client connections open now (both protocols).", false, server.openConnections());
        sink.value("connections_accepted_total", "Client connections accepted.", true, server.acceptedConnections());
        sink.value("requests_total", "Requests run (both protocols).", true, s.requests);
        sink.value("error_replies_total", "Requests answered with an error.", true, s.errorReplies);
        sink.value("protocol_errors_total", "Malformed streams, answered and closed.", true, s.protocolErrors);
        sink.value("refused_full_total", "Writes refused because the store was below its reserve.", true, s.refusedFull);
        sink.value("auth_failures_total", "Wrong passwords and requests without authentication.", true, s.authFailures);
        sink.value("keyspace_hits_total", "Lookups that found their key.", true, s.keyspaceHits);
        sink.value("keyspace_misses_total", "Lookups that did not.", true, s.keyspaceMisses);
        sink.value("group_commits_total", "Group commits run by the server's duty-cycle hook.", true, s.groupCommits);
        sink.value("value_bytes_out_total", "Value bytes sent as clones of stored records.", true, s.valueBytesOut);
        httpFamilies(s, sink);
        latency(server.latency(), sink);

        final StoreStats st = store.stats();
        sink.text("engine", "The store's index engine.", store.engine().cliName());
        sink.value("store_keys", "Keys in the store.", false, store.count());
        sink.value("store_puts_total", "PUTs that stored a value.", true, st.puts);
        sink.value("store_gets_total", "Lookups by key.", true, st.gets);
        sink.value("store_deletes_total", "DELETEs that removed a key.", true, st.deletes);
        sink.value("store_scans_total", "Ordered scans.", true, st.scans);
        sink.value("store_refusals_total", "Writes the store refused (bad key, too large, failed).", true, st.refusals);
        sink.value("store_value_bytes_in_total", "Value bytes stored (as records, not copied).", true, st.valueBytesIn);
        sink.value("store_commits_total", "Store commits.", true, st.commits);
        sink.value("store_batch_commits_total", "Link batches committed (two barriers each).", true, st.batchCommits);
        sink.value("store_segments_persisted_total", "Datagrams persisted.", true, st.segmentsPersisted);
        sink.value("store_key_copies_total", "Keys copied (split across segments, or percent-decoded).", true, st.keyCopies);
        sink.value("store_key_bytes_copied_total", "Bytes of those copies.", true, st.keyBytesCopied);
        sink.value("store_damaged_keys", "Keys whose value failed verification.", false, store.damagedCount());
        sink.value("store_quarantined_keys", "Nodes whose key failed verification.", false, store.quarantinedCount());
        sink.value("store_has_room", "1 while new data is accepted (above the reserve).", false, store.hasRoomForNewData() ? 1 : 0);
        sink.value("store_failed", "1 once persistence failed (nothing more is acknowledged).", false,
            server.failure() != null ? 1 : 0);

        final Arena arena = store.arena();
        sink.value("arena_records", "Packet records in the arena.", false, arena.geometry().recordCount());
        sink.value("arena_records_free", "Free packet records.", false, arena.freeRecordCount());
        sink.value("arena_buffers", "Buffers in the arena.", false, arena.geometry().bufferCount());
        sink.value("arena_buffers_free", "Free buffers.", false, arena.freeBufferCount());

        final RecoveryReport r = store.recoveryReport();
        sink.value("recovery_keys", "Keys recovered at startup.", false, r.keys());
        sink.value("recovery_duration_ns", "How long recovery took.", false, r.durationNs());
        sink.value("recovery_damaged_keys", "Damaged keys recovery found.", false, r.damagedKeys());
        sink.value("recovery_quarantined", "Nodes quarantined at recovery.", false, r.quarantined());
        sink.value("recovery_rescued_nodes", "Nodes recovery linked again.", false, r.rescuedNodes());
        sink.value("recovery_records_reclaimed", "Records recovery freed.", false, r.recordsReclaimed());
        sink.value("recovery_clean_shutdown", "1 if the arena had been closed cleanly.", false, r.cleanShutdown() ? 1 : 0);

        final Scrubber scrubber = server.scrubber();
        sink.value("scrub_running", "1 while an online scrub pass runs.", false, scrubber.running() ? 1 : 0);
        sink.value("scrub_passes_total", "Completed scrub passes.", true, scrubber.passes());
        sink.value("scrub_nodes_checked_total", "Nodes verified by scrubbing.", true, scrubber.nodesChecked());
        sink.value("scrub_records_checked_total", "Records verified by scrubbing.", true, scrubber.recordsChecked());
        sink.value("scrub_damaged_found_total", "Nodes scrubbing flagged damaged.", true, scrubber.damagedFound());
        sink.text("scrub_index_problem", "What the last pass found wrong with the index, or none.",
            scrubber.indexProblem() == null ? "none" : scrubber.indexProblem());

        stack(server.stackCounters(), sink);
        for (final java.util.Map.Entry<String, Long> e : server.tcpCounters().snapshot().entrySet())
        {
            sink.value("tcp_" + e.getKey() + "_total", "TCP: " + e.getKey().replace('_', ' ') + ".", true, e.getValue());
        }
    }

    /** Percentiles of each request kind's time in the node (parse to reply's release after the commit). */
    private static void latency(final RequestLatency latency, final MetricSink sink)
    {
        for (int kind = 0; kind < RequestLatency.KIND_NAMES.length; kind++)
        {
            final org.HdrHistogram.Histogram h = latency.histogram(kind);
            final String name = "request_latency_" + RequestLatency.KIND_NAMES[kind];
            final String what = RequestLatency.KIND_NAMES[kind] + " requests' time in the node";
            sink.value(name + "_count", "How many " + RequestLatency.KIND_NAMES[kind] + " requests were timed.", true,
                h.getTotalCount());
            sink.value(name + "_p50_ns", "Median of " + what + ".", false, h.getValueAtPercentile(50));
            sink.value(name + "_p99_ns", "99th percentile of " + what + ".", false, h.getValueAtPercentile(99));
            sink.value(name + "_p999_ns", "99.9th percentile of " + what + ".", false, h.getValueAtPercentile(99.9));
            sink.value(name + "_max_ns", "Longest of " + what + ".", false, h.getMaxValue());
        }
    }

    /** The stack's counters: frames dropped as one family by reason, the others one by one. */
    private static void stack(final StackCounters counters, final MetricSink sink)
    {
        final int[] reasons = StackCounters.DROP_REASONS;
        final String[] names = new String[reasons.length];
        final long[] values = new long[reasons.length];
        final boolean[] isDrop = new boolean[StackCounters.COUNT];
        for (int i = 0; i < reasons.length; i++)
        {
            names[i] = StackCounters.snakeName(reasons[i]);
            values[i] = counters.get(reasons[i]);
            isDrop[reasons[i]] = true;
        }
        sink.family("stack_frames_dropped_total", "Received frames dropped, by reason.", "reason", names, values);
        for (int id = 0; id < StackCounters.COUNT; id++)
        {
            if (!isDrop[id])
            {
                final String name = StackCounters.snakeName(id);
                sink.value("stack_" + name + "_total", "Stack: " + StackCounters.name(id) + ".", true, counters.get(id));
            }
        }
    }

    private static void httpFamilies(final ServerStats s, final MetricSink sink)
    {
        final int methods = HttpMethods.POST + 1;
        final String[] methodNames = new String[methods];
        final long[] methodCounts = new long[methods];
        for (int id = 0; id < methods; id++)
        {
            methodNames[id] = HttpMethods.name(id);
            methodCounts[id] = s.httpRequests[id];
        }
        sink.family("http_requests_total", "HTTP requests by method.", "method", methodNames, methodCounts);
        int statuses = 0;
        for (final long n : s.httpResponses)
        {
            statuses += n > 0 ? 1 : 0;
        }
        final String[] codes = new String[statuses];
        final long[] counts = new long[statuses];
        int k = 0;
        for (int code = 0; code < s.httpResponses.length; code++)
        {
            if (s.httpResponses[code] > 0)
            {
                codes[k] = Integer.toString(code);
                counts[k++] = s.httpResponses[code];
            }
        }
        sink.family("http_responses_total", "HTTP responses by status.", "status", codes, counts);
    }
}
