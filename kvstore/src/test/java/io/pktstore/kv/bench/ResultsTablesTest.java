package io.pktstore.kv.bench;

import io.pktstore.stack.StackConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables' arithmetic on made-up measurements whose answers are known: medians over rounds, a
 * ratio taken from the medians with its per-round spread, and the breakdown's stage differences in
 * both columns.
 */
class ResultsTablesTest
{
    private static final Workload PUTS = new Workload(Protocol.RESP, 1024, 100, 100, 10, 100, 1000, 1);

    @Test
    void mediansOverRoundsAndAnOddCount()
    {
        assertEquals(2.0, RoundMedians.median(new double[] {3, 1, 2}));
        assertEquals(2.5, RoundMedians.median(new double[] {4, 1, 2, 3}));
        assertTrue(Double.isNaN(RoundMedians.median(new double[0])));
    }

    @Test
    void ratiosComeFromTheMediansAndTheirSpreadFromEachRound()
    {
        final BenchPlan plan = BenchPlan.standard(PUTS, new int[] {1}, 3, StackConfig.IdleMode.BACKOFF, false);
        final List<Measurement> m = new ArrayList<>();
        // net-only 20, 22, 24 us; the skip list 21, 30, 25 us: medians 22 and 25, per round 1.05, 1.36, 1.04.
        add(m, BenchPlan.NET, new double[] {20, 22, 24}, Double.NaN);
        add(m, BenchPlan.SKIPLIST, new double[] {21, 30, 25}, Double.NaN);
        final String ratios = new ResultsTables(plan, m).ratios();
        assertTrue(ratios.contains("| store RTT / networking-only RTT, skip list (<= 1.05) | 1.14 | 1.04 .. 1.36 | **no** |"),
            ratios);
    }

    @Test
    void breakdownSubtractsStagesInBothColumns()
    {
        final BenchPlan plan = BenchPlan.standard(PUTS, new int[] {1}, 1, StackConfig.IdleMode.BACKOFF, false);
        final List<Measurement> m = new ArrayList<>();
        add(m, BenchPlan.NET, new double[] {20}, Double.NaN);
        add(m, BenchPlan.PARSE_ONLY, new double[] {21}, 0.5);
        add(m, BenchPlan.ZERO_COPY_VOLATILE, new double[] {22}, 1.5);
        add(m, BenchPlan.ZERO_COPY_FULL, new double[] {23}, 2.5);
        add(m, BenchPlan.COPYING_ALLOC_INSERT, new double[] {23}, 2.0);
        add(m, BenchPlan.COPYING_COPY, new double[] {24}, 3.0);
        add(m, BenchPlan.COPYING_VOLATILE, new double[] {26}, 4.0);
        add(m, BenchPlan.COPYING_FULL, new double[] {28}, 6.0);
        final ResultsTables tables = new ResultsTables(plan, m);
        final String breakdown = tables.breakdown();
        // checksum: copying 26 - 24 = 2 (round trip), 4 - 3 = 1 (in node)
        assertTrue(breakdown.contains("| 0.00 | 2.00 | 0.00 | 1.00 | 1.77 |"), breakdown);
        // allocation + insertion: 22 - 21, 23 - 21 | 1.5 - 0.5, 2 - 0.5
        assertTrue(breakdown.contains("| allocation + insertion | 1.00 | 2.00 | 1.00 | 1.50 |"), breakdown);
        // persistence: 23 - 22, 28 - 26 | 2.5 - 1.5, 6 - 4
        assertTrue(breakdown.contains("| 1.00 | 2.00 | 1.00 | 2.00 | 1.94 |"), breakdown);
        // data management in the node: (1.5 - 0.5) / (4 - 0.5)
        assertTrue(tables.ratios().contains("| data management, pktstore / copying store, in the node (<= 0.25) | 0.29 |"),
            tables.ratios());
    }

    private static void add(final List<Measurement> into, final String system, final double[] p50PerRound,
                            final double nodeWriteUs)
    {
        for (int round = 0; round < p50PerRound.length; round++)
        {
            final double p50 = p50PerRound[round];
            into.add(new Measurement(round, system, new PointResult(1, 100, 0, 1, 1e6 / p50, p50, p50, p50, p50 * 2,
                p50 * 3, p50 * 4, false), nodeWriteUs));
        }
    }
}
