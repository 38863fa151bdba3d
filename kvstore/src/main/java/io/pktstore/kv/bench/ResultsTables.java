package io.pktstore.kv.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The markdown the benchmark writes: the comparison table (round trip at one connection, throughput
 * and median latency at every connection count, medians over rounds), DESIGN.md's target ratios, and
 * the Table-1 style breakdown found by switching stages off as the paper did.
 */
final class ResultsTables
{
    private static final ToDoubleFunction<PointResult> P50 = PointResult::p50Us;
    private static final ToDoubleFunction<PointResult> P99 = PointResult::p99Us;
    private static final ToDoubleFunction<PointResult> TPUT = PointResult::throughput;

    private final BenchPlan plan;
    private final RoundMedians medians;

    ResultsTables(final BenchPlan plan, final List<Measurement> measurements)
    {
        this.plan = plan;
        this.medians = new RoundMedians(measurements);
    }

    /** @return the comparison table and the ratios. */
    String comparison()
    {
        final Workload w = plan.workload();
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d B values, %d keys, %d%% PUTs, %s; %d warm-up + %d measured requests per "
                + "point; medians over %d alternating rounds. Latency: round trip seen by the client, us. Throughput: "
                + "requests/s.%n%n", w.valueBytes(), w.keyCount(), w.writePercent(), w.protocol().label().toUpperCase(Locale.ROOT),
            w.warmupRequests(), w.requests(), plan.rounds()));
        sb.append("| system | RTT p50 @1 | RTT p99 @1 |");
        for (final int c : plan.connections())
        {
            sb.append(" req/s @").append(c).append(" | p50 @").append(c).append(" |");
        }
        sb.append('\n').append("|---|---:|---:|");
        for (final int ignored : plan.connections())
        {
            sb.append("---:|---:|");
        }
        sb.append('\n');
        for (final BenchSystem s : plan.compared())
        {
            sb.append("| ").append(s.name()).append(" | ").append(us(medians.median(s.name(), 1, P50))).append(" | ")
                .append(us(medians.median(s.name(), 1, P99))).append(" |");
            for (final int c : plan.connections())
            {
                sb.append(' ').append(rate(medians.median(s.name(), c, TPUT))).append(" | ")
                    .append(us(medians.median(s.name(), c, P50))).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
        for (final BenchSystem s : plan.compared())
        {
            sb.append("- `").append(s.name()).append("`: ").append(s.description()).append('\n');
        }
        sb.append('\n').append(ratios());
        return sb.toString();
    }

    /** @return DESIGN.md's ratios: from the medians, with the spread of the same ratio taken within each round. */
    String ratios()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("| ratio (target) | from medians | per round (min .. max) | target met |\n");
        sb.append("|---|---:|---:|:---:|\n");
        ratio(sb, "store RTT / networking-only RTT, skip list (<= 1.05)", BenchPlan.SKIPLIST, BenchPlan.NET, 1, P50, 1.05, true);
        ratio(sb, "store RTT / networking-only RTT, red-black tree (<= 1.05)", BenchPlan.RBTREE, BenchPlan.NET, 1, P50, 1.05,
            true);
        dataManagementRatio(sb);
        for (final int c : plan.connections())
        {
            ratio(sb, "PUT throughput / networking-only throughput @" + c + " (>= 0.95)", BenchPlan.SKIPLIST, BenchPlan.NET,
                c, TPUT, 0.95, false);
        }
        ratio(sb, "our stack / kernel TCP, same store, RTT median (<= 1.0)", BenchPlan.SKIPLIST, BenchPlan.KERNEL, 1, P50, 1.0,
            true);
        ratio(sb, "our stack / kernel TCP, same store, RTT p99 (<= 1.2)", BenchPlan.SKIPLIST, BenchPlan.KERNEL, 1, P99, 1.2,
            true);
        for (final int c : plan.connections())
        {
            ratio(sb, "throughput / Redis appendfsync always @" + c + " (>= 1.5)", BenchPlan.SKIPLIST, BenchPlan.REDIS_ALWAYS, c,
                TPUT, 1.5, false);
        }
        ratio(sb, "RTT / Redis without persistence, median @1 (< 1.0)", BenchPlan.SKIPLIST, BenchPlan.REDIS_OFF, 1, P50,
            0.99999, true);
        return sb.toString();
    }

    private void ratio(final StringBuilder sb, final String label, final String a, final String b, final int connections,
                       final ToDoubleFunction<PointResult> field, final double target, final boolean atMost)
    {
        if (!medians.has(a, connections) || !medians.has(b, connections))
        {
            return;
        }
        final double fromMedians = medians.median(a, connections, field) / medians.median(b, connections, field);
        final Spread perRound = new Spread();
        for (int r = 0; r < plan.rounds(); r++)
        {
            perRound.add(medians.inRound(a, connections, r, field) / medians.inRound(b, connections, r, field));
        }
        row(sb, label, fromMedians, perRound.min, perRound.max, atMost ? fromMedians <= target : fromMedians >= target);
    }

    /**
     * pktstore's data-management time over the copying store's, from the node's own write latency
     * (server side: end of parse to reply release) of the no-persistence stages minus that of the
     * parse-only stage; and, for comparison, from round trips minus the networking-only round trip (the
     * paper's method, at the mercy of the network's noise).
     */
    private void dataManagementRatio(final StringBuilder sb)
    {
        if (!medians.has(BenchPlan.ZERO_COPY_VOLATILE, 1) || !medians.has(BenchPlan.COPYING_VOLATILE, 1)
            || !medians.has(BenchPlan.PARSE_ONLY, 1))
        {
            return;
        }
        final Spread inNode = new Spread();
        final Spread roundTrips = new Spread();
        for (int r = 0; r < plan.rounds(); r++)
        {
            inNode.add(afterParse(BenchPlan.ZERO_COPY_VOLATILE, r) / afterParse(BenchPlan.COPYING_VOLATILE, r));
            roundTrips.add(dataManagement(BenchPlan.ZERO_COPY_VOLATILE, r) / dataManagement(BenchPlan.COPYING_VOLATILE, r));
        }
        final double fromNode = afterParse(BenchPlan.ZERO_COPY_VOLATILE, -1) / afterParse(BenchPlan.COPYING_VOLATILE, -1);
        row(sb, "data management, pktstore / copying store, in the node (<= 0.25)", fromNode, inNode.min, inNode.max,
            fromNode <= 0.25);
        final double fromRtt = dataManagement(BenchPlan.ZERO_COPY_VOLATILE, -1) / dataManagement(BenchPlan.COPYING_VOLATILE, -1);
        row(sb, "data management, pktstore / copying store, from round trips (<= 0.25)", fromRtt, roundTrips.min,
            roundTrips.max, fromRtt <= 0.25);
    }

    /** Smallest and largest of per-round values. */
    private static final class Spread
    {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(final double v)
        {
            if (!Double.isNaN(v))
            {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
    }

    /** @return a stage's in-node write time beyond the parse-only stage's, us; round -1 = medians. */
    private double afterParse(final String stage, final int round)
    {
        return node(stage, round) - node(BenchPlan.PARSE_ONLY, round);
    }

    private double node(final String stage, final int round)
    {
        return round < 0 ? medians.medianNodeWrite(stage) : medians.nodeWriteInRound(stage, round);
    }

    /** @return a store's data-management time (RTT without persistence minus networking only), us; round -1 = medians. */
    private double dataManagement(final String volatileStage, final int round)
    {
        return p50(volatileStage, round) - p50(BenchPlan.NET, round);
    }

    private double p50(final String system, final int round)
    {
        return round < 0 ? medians.median(system, 1, P50) : medians.inRound(system, 1, round, P50);
    }

    private static void row(final StringBuilder sb, final String label, final double value, final double min, final double max,
                            final boolean met)
    {
        sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f .. %.2f | %s |%n", label, value, min, max,
            met ? "yes" : "**no**"));
    }

    /**
     * @return the Table-1 style breakdown of a PUT of the workload's size at one connection, us: from round
     *         trips (the paper's method) and from the node's own write latency (server side, after the parse).
     */
    String breakdown()
    {
        final StringBuilder sb = new StringBuilder();
        if (plan.stages().isEmpty())
        {
            return "No breakdown: the stage switches run only with a PUT-only workload.\n";
        }
        sb.append(String.format(Locale.ROOT, "A %d B PUT at one connection, %s, medians over %d rounds. Each stage's cost is "
                + "the difference between two configurations that differ only in it (the paper's method). **Round trip** "
                + "columns subtract client-side round-trip medians: the network's and the client's noise stays in them, "
                + "and on a shared machine differences of a microsecond or two (even negative ones) are noise. **In node** "
                + "columns subtract the node's own median write latency (end of parse to reply release after the group "
                + "commit, `INFO latencystats`): the server's work alone; parsing happens before that clock starts.%n%n",
            plan.workload().valueBytes(), plan.workload().protocol().label().toUpperCase(Locale.ROOT), plan.rounds()));
        sb.append("| overhead | operation | pktstore, round trip | copying, round trip | pktstore, in node | "
            + "copying, in node | paper (NoveLSM) |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        final double net = p50(BenchPlan.NET, -1);
        final double parse = p50(BenchPlan.PARSE_ONLY, -1);
        final double nParse = node(BenchPlan.PARSE_ONLY, -1);
        line(sb, "**Networking**", "TCP/IP in client and server, the veth, discard with a reply", net, net, Double.NaN,
            Double.NaN, 26.71);
        line(sb, "Data mgmt.", "request preparation (parse into records)", parse - net, parse - net, Double.NaN, Double.NaN,
            0.70);
        line(sb, "", "checksum (pktstore: none, the TCP checksum is kept)", 0,
            stage(BenchPlan.COPYING_VOLATILE, BenchPlan.COPYING_COPY, false), 0,
            stage(BenchPlan.COPYING_VOLATILE, BenchPlan.COPYING_COPY, true), 1.77);
        line(sb, "", "data copy (pktstore: none)", 0, stage(BenchPlan.COPYING_COPY, BenchPlan.COPYING_ALLOC_INSERT, false), 0,
            stage(BenchPlan.COPYING_COPY, BenchPlan.COPYING_ALLOC_INSERT, true), 1.14);
        line(sb, "", "allocation + insertion", stage(BenchPlan.ZERO_COPY_VOLATILE, BenchPlan.PARSE_ONLY, false),
            stage(BenchPlan.COPYING_ALLOC_INSERT, BenchPlan.PARSE_ONLY, false),
            stage(BenchPlan.ZERO_COPY_VOLATILE, BenchPlan.PARSE_ONLY, true),
            stage(BenchPlan.COPYING_ALLOC_INSERT, BenchPlan.PARSE_ONLY, true), 2.78);
        line(sb, "**Data mgmt.**", "total (in node: after the parse)", p50(BenchPlan.ZERO_COPY_VOLATILE, -1) - net,
            p50(BenchPlan.COPYING_VOLATILE, -1) - net, node(BenchPlan.ZERO_COPY_VOLATILE, -1) - nParse,
            node(BenchPlan.COPYING_VOLATILE, -1) - nParse, 6.39);
        line(sb, "**Persistence**", "write-back of what the request stored, barriers, the link log",
            stage(BenchPlan.ZERO_COPY_FULL, BenchPlan.ZERO_COPY_VOLATILE, false),
            stage(BenchPlan.COPYING_FULL, BenchPlan.COPYING_VOLATILE, false),
            stage(BenchPlan.ZERO_COPY_FULL, BenchPlan.ZERO_COPY_VOLATILE, true),
            stage(BenchPlan.COPYING_FULL, BenchPlan.COPYING_VOLATILE, true), 1.94);
        line(sb, "**Total**", "round trip; in node: write latency", p50(BenchPlan.ZERO_COPY_FULL, -1),
            p50(BenchPlan.COPYING_FULL, -1), node(BenchPlan.ZERO_COPY_FULL, -1), node(BenchPlan.COPYING_FULL, -1), 34.79);
        sb.append("\nStages measured, median round trip p50 / in-node write p50 at one connection, us:\n\n");
        for (final String s : List.of(BenchPlan.NET, BenchPlan.PARSE_ONLY, BenchPlan.ZERO_COPY_VOLATILE, BenchPlan.ZERO_COPY_FULL,
            BenchPlan.COPYING_ALLOC_INSERT, BenchPlan.COPYING_COPY, BenchPlan.COPYING_VOLATILE, BenchPlan.COPYING_FULL))
        {
            sb.append(String.format(Locale.ROOT, "- `%s`: %s / %s%n", s, us(p50(s, -1)), us(node(s, -1))));
        }
        return sb.toString();
    }

    /** @return the cost of the stage that {@code with} has and {@code without} lacks, us (medians). */
    private double stage(final String with, final String without, final boolean inNode)
    {
        return inNode ? node(with, -1) - node(without, -1) : p50(with, -1) - p50(without, -1);
    }

    private static void line(final StringBuilder sb, final String overhead, final String operation, final double pkRtt,
                             final double cpRtt, final double pkNode, final double cpNode, final double paper)
    {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f |%n", overhead, operation, us2(pkRtt),
            us2(cpRtt), us2(pkNode), us2(cpNode), paper));
    }

    private static String us(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String us2(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String rate(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }
}
