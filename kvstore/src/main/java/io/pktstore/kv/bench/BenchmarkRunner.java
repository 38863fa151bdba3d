package io.pktstore.kv.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs a plan back to back on one host: every round starts each system fresh, runs the load generator
 * against it, stops it; odd rounds run the systems in reverse order (A B C, C B A, ...), so a drift of
 * the machine's load over the invocation does not favour whichever system always comes first.
 */
final class BenchmarkRunner
{
    private final BenchHost host;
    private final BenchPlan plan;
    private final PrintWriter log;
    /** The system running now, for a shutdown hook to stop (Redis is a child process the JVM would leave behind). */
    private volatile BenchSystem.Running current;

    BenchmarkRunner(final BenchHost host, final BenchPlan plan, final PrintWriter log)
    {
        this.host = host;
        this.plan = plan;
        this.log = log;
    }

    /** @return every point of every round. */
    List<Measurement> run() throws Exception
    {
        final List<Measurement> all = new ArrayList<>();
        final List<BenchSystem> order = new ArrayList<>(plan.compared());
        order.addAll(plan.stages());
        for (int round = 0; round < plan.rounds(); round++)
        {
            final List<BenchSystem> thisRound = new ArrayList<>(order);
            if (round % 2 == 1)
            {
                Collections.reverse(thisRound);
            }
            for (final BenchSystem system : thisRound)
            {
                final int[] connections = plan.stages().contains(system) ? new int[] {1} : plan.connections();
                final Served served = measure(system, connections);
                for (final PointResult p : served.points())
                {
                    all.add(new Measurement(round, system.name(), p, served.nodeWriteP50Us()));
                    log.printf("bench: round %d %-28s %3d conn  %9.0f req/s  p50 %8.1f us  p99 %8.1f us%s%n", round + 1,
                        system.name(), p.connections(), p.throughput(), p.p50Us(), p.p99Us(),
                        p.errors() > 0 ? "  ERRORS " + p.errors() : p.cutShort() ? "  (cut short)" : "");
                    log.flush();
                }
            }
        }
        return all;
    }

    /** What one system's round gave: the generator's points and the node's own write latency. */
    private record Served(List<PointResult> points, double nodeWriteP50Us)
    {
    }

    private Served measure(final BenchSystem system, final int[] connections) throws Exception
    {
        try (BenchSystem.Running running = system.start(host, plan.workload()))
        {
            current = running;
            final List<PointResult> points = GeneratorProcess.run(host, running.port(plan.workload().protocol()),
                plan.workload(), connections);
            if (running.failure() != null)
            {
                throw new IllegalStateException(system.name() + " failed while serving", running.failure());
            }
            return new Served(points, running.nodeWriteMicrosP50());
        }
        finally
        {
            current = null;
        }
    }

    /** Stops the system running now, if any (from a shutdown hook: Ctrl-C or SIGTERM during a run). */
    void stopCurrent()
    {
        final BenchSystem.Running running = current;
        if (running != null)
        {
            try
            {
                running.close();
            }
            catch (final Exception ignored)
            {
                // exiting anyway
            }
        }
    }
}
