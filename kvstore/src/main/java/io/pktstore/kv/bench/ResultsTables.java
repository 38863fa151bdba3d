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
        sb.append("| ratio (DESIGN.md target) | from medians | per round (min .. max) | target met |\n");
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
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < plan.rounds(); r++)
        {
            final double v = medians.inRound(a, connections, r, field) / medians.inRound(b, connections, r, field);
            if (!Double.isNaN(v))
            {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        row(sb, label, fromMedians, min, max, atMost ? fromMedians <= target : fromMedians >= target);
    }

    private void dataManagementRatio(final StringBuilder sb)
    {
        if (!medians.has(BenchPlan.ZERO_COPY_VOLATILE, 1) || !medians.has(BenchPlan.COPYING_VOLATILE, 1))
        {
            return;
        }
        final double fromMedians = dataManagement(BenchPlan.ZERO_COPY_VOLATILE, -1) / dataManagement(BenchPlan.COPYING_VOLATILE, -1);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < plan.rounds(); r++)
        {
            final double v = dataManagement(BenchPlan.ZERO_COPY_VOLATILE, r) / dataManagement(BenchPlan.COPYING_VOLATILE, r);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        row(sb, "data management, pktstore / copying store (<= 0.25)", fromMedians, min, max, fromMedians <= 0.25);
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

    /** @return the Table-1 style breakdown of a 1 KB (the workload's size) PUT at one connection, us (medians of p50). */
    String breakdown()
    {
        final StringBuilder sb = new StringBuilder();
        if (plan.stages().isEmpty())
        {
            return "No breakdown: the stage switches run only with a PUT-only workload.\n";
        }
        final double net = p50(BenchPlan.NET, -1);
        final double parse = p50(BenchPlan.PARSE_ONLY, -1);
        final double pkVolatile = p50(BenchPlan.ZERO_COPY_VOLATILE, -1);
        final double pk = p50(BenchPlan.SKIPLIST, -1);
        final double cpAlloc = p50(BenchPlan.COPYING_ALLOC_INSERT, -1);
        final double cpCopy = p50(BenchPlan.COPYING_COPY, -1);
        final double cpVolatile = p50(BenchPlan.COPYING_VOLATILE, -1);
        final double cp = p50(BenchPlan.COPYING, -1);
        sb.append(String.format(Locale.ROOT, "Round trip of a %d B PUT at one connection, %s, median over %d rounds of each "
                + "stage's median; a stage's cost is the difference between two configurations that differ only in it "
                + "(the paper's method), so small differences are within the noise and can come out negative.%n%n",
            plan.workload().valueBytes(), plan.workload().protocol().label().toUpperCase(Locale.ROOT), plan.rounds()));
        sb.append("| overhead | operation | pktstore, us | copying store, us | paper (NoveLSM), us |\n");
        sb.append("|---|---|---:|---:|---:|\n");
        line(sb, "**Networking**", "TCP/IP in client and server, the veth, discard with a reply", net, net, 26.71);
        line(sb, "Data mgmt.", "request preparation (parse into records)", parse - net, parse - net, 0.70);
        line(sb, "", "checksum (pktstore: none, the TCP checksum is kept)", 0, cpVolatile - cpCopy, 1.77);
        line(sb, "", "data copy (pktstore: none)", 0, cpCopy - cpAlloc, 1.14);
        line(sb, "", "allocation + insertion", pkVolatile - parse, cpAlloc - parse, 2.78);
        line(sb, "**Data mgmt.**", "total", pkVolatile - net, cpVolatile - net, 6.39);
        line(sb, "**Persistence**", "cache-line write-back of what the request stored", pk - pkVolatile, cp - cpVolatile, 1.94);
        line(sb, "**Total**", "", pk, cp, 34.79);
        sb.append("\nStages measured (median p50 @1, us): ");
        for (final String s : List.of(BenchPlan.NET, BenchPlan.PARSE_ONLY, BenchPlan.ZERO_COPY_VOLATILE, BenchPlan.SKIPLIST,
            BenchPlan.COPYING_ALLOC_INSERT, BenchPlan.COPYING_COPY, BenchPlan.COPYING_VOLATILE, BenchPlan.COPYING))
        {
            sb.append(String.format(Locale.ROOT, "%s %.2f; ", s, p50(s, -1)));
        }
        sb.append('\n');
        return sb.toString();
    }

    private static void line(final StringBuilder sb, final String overhead, final String operation, final double pktstore,
                             final double copying, final double paper)
    {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |%n", overhead, operation, pktstore, copying, paper));
    }

    private static String us(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String rate(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }
}
