package io.pktstore.kv.bench;

import io.pktstore.stack.StackConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One invocation of the benchmark ({@code ./pktstore bench}): builds the veth host, runs the plan in
 * alternating rounds, and writes the results folder:
 * <ul>
 *   <li>{@code points.csv}: every point of every round;</li>
 *   <li>{@code table.md}: the comparison (medians over rounds) and DESIGN.md's ratios;</li>
 *   <li>{@code breakdown.md}: the Table-1 style breakdown;</li>
 *   <li>{@code figure2.png}: latency against throughput, one line per system;</li>
 *   <li>{@code machine.md}: CPU, cores, kernel, JDK, load average at start and end, the command.</li>
 * </ul>
 * The host is removed on exit, also after a failure; a system still running is stopped.
 */
public final class Benchmark
{
    /**
     * What to run.
     *
     * @param workload    the requests.
     * @param connections connection counts.
     * @param rounds      alternating rounds.
     * @param idle        the stack's idle strategy.
     * @param only        names of systems to run (empty: all).
     * @param withRedis   run Redis (if installed).
     * @param out         the results folder (created; files in it replaced).
     * @param commandLine how this run was asked for (recorded in machine.md).
     */
    public record Settings(Workload workload, int[] connections, int rounds, StackConfig.IdleMode idle, Set<String> only,
                           boolean withRedis, Path out, String commandLine)
    {
    }

    private Benchmark()
    {
    }

    /**
     * Runs and writes the results.
     *
     * @return the plan's measurements.
     */
    public static List<Measurement> run(final Settings settings, final PrintWriter log) throws Exception
    {
        final MachineDescription machine = new MachineDescription();
        final boolean redis = settings.withRedis() && RedisSystem.installed();
        if (settings.withRedis() && !redis)
        {
            log.println("bench: " + RedisSystem.REDIS_SERVER + " is not installed (Debian package redis-server): Redis skipped");
        }
        BenchPlan plan = BenchPlan.standard(settings.workload(), settings.connections(), settings.rounds(), settings.idle(),
            redis);
        if (!settings.only().isEmpty())
        {
            plan = new BenchPlan(plan.compared().stream().filter(s -> settings.only().contains(s.name())).toList(),
                plan.stages().stream().filter(s -> settings.only().contains(s.name())).toList(), plan.workload(),
                plan.connections(), plan.rounds());
        }
        log.printf("bench: %d systems + %d stage switches, %d rounds, connections %s, results in %s%n",
            plan.compared().size(), plan.stages().size(), plan.rounds(), java.util.Arrays.toString(plan.connections()),
            settings.out());
        log.flush();
        final List<Measurement> measurements;
        try (BenchHost host = new BenchHost())
        {
            final BenchmarkRunner runner = new BenchmarkRunner(host, plan, log);
            final Thread hook = new Thread(runner::stopCurrent, "pktstore-bench-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try
            {
                measurements = runner.run();
            }
            finally
            {
                removeHook(hook);
            }
        }
        write(settings, plan, measurements, machine);
        return measurements;
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the hook runs
        }
    }

    private static void write(final Settings settings, final BenchPlan plan, final List<Measurement> measurements,
                              final MachineDescription machine) throws IOException
    {
        final Path out = settings.out();
        Files.createDirectories(out);
        final ResultsTables tables = new ResultsTables(plan, measurements);
        Files.writeString(out.resolve("points.csv"), PointsCsv.of(plan.workload(), measurements), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("table.md"), "# Systems compared\n\n" + tables.comparison(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("breakdown.md"), "# Table 1: where a PUT's round trip goes\n\n" + tables.breakdown(),
            StandardCharsets.UTF_8);
        Files.writeString(out.resolve("machine.md"), machine.markdown(settings.commandLine()), StandardCharsets.UTF_8);
        Figure2Plot.write(plan, measurements, out.resolve("figure2.png"));
    }
}
