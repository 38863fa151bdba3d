package io.pktstore.kv.cli;

import io.pktstore.kv.bench.Benchmark;
import io.pktstore.kv.bench.Measurement;
import io.pktstore.kv.bench.Protocol;
import io.pktstore.kv.bench.Workload;
import io.pktstore.stack.StackConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pktstore bench}: the paper's Table 1 and Figure 2 against the alternatives, in one invocation
 * on one veth (see {@link Benchmark} and README.md, "Benchmarks").
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmark pktstore against networking only, a copying store, kernel TCP and Redis, in alternating "
        + "rounds on one veth pair it creates; writes CSV, tables, the breakdown, a PNG plot and the machine description.")
public final class BenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--out", defaultValue = "results/latest", description = "Results folder (default ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds (default ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--requests", defaultValue = "20000", description = "Measured requests per point (default ${DEFAULT-VALUE}).")
    private long requests;

    @Option(names = "--warmup", defaultValue = "3000", description = "Warm-up requests per point (default ${DEFAULT-VALUE}).")
    private long warmup;

    @Option(names = "--connections", defaultValue = "1,4,16,64", split = ",",
        description = "Connection counts (default ${DEFAULT-VALUE}).")
    private int[] connections;

    @Option(names = "--value-size", defaultValue = "1024", description = "Value bytes (default ${DEFAULT-VALUE}).")
    private int valueSize;

    @Option(names = "--keys", defaultValue = "10000", description = "Keys drawn from (default ${DEFAULT-VALUE}).")
    private int keys;

    @Option(names = "--write-percent", defaultValue = "100",
        description = "PUTs per 100 requests, the rest GETs (default ${DEFAULT-VALUE}; the breakdown needs 100).")
    private int writePercent;

    @Option(names = "--protocol", defaultValue = "resp", description = "resp (default) or http (without Redis, which speaks "
        + "only RESP).")
    private String protocol;

    @Option(names = "--time-limit", defaultValue = "60", description = "Seconds a point may take at most (default ${DEFAULT-VALUE}).")
    private int timeLimitSeconds;

    @Option(names = "--idle", defaultValue = "DEVICE_WAIT",
        description = "The stack's idle strategy, as the node's --idle (and its default): DEVICE_WAIT, BUSY_SPIN or BACKOFF "
            + "(default ${DEFAULT-VALUE}).")
    private StackConfig.IdleMode idle;

    @Option(names = "--systems", split = ",", description = "Only these systems (names as in the tables).")
    private List<String> only = List.of();

    @Option(names = "--no-redis", description = "Leave Redis out.")
    private boolean noRedis;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of key and operation choices (default ${DEFAULT-VALUE}).")
    private long seed;

    @Override
    public Integer call() throws Exception
    {
        final Workload workload = workload();
        final PrintWriter log = spec.commandLine().getOut();
        final Benchmark.Settings settings = new Benchmark.Settings(workload, connections, rounds, idle,
            new LinkedHashSet<>(only), !noRedis, out, "pktstore " + String.join(" ", spec.commandLine().getParseResult()
            .originalArgs()));
        final List<Measurement> measurements = Benchmark.run(settings, log);
        log.println(Files.readString(out.resolve("table.md")));
        log.println(Files.readString(out.resolve("breakdown.md")));
        log.printf("bench: wrote %s (points.csv, table.md, breakdown.md, figure2.png, machine.md)%n", out);
        log.flush();
        return measurements.stream().anyMatch(m -> m.point().errors() > 0 || m.point().cutShort()) ? 3 : 0;
    }

    private Workload workload()
    {
        if (rounds < 1 || rounds > 100)
        {
            throw new ParameterException(spec.commandLine(), "--rounds must be 1..100, got " + rounds);
        }
        if (connections.length == 0 || Arrays.stream(connections).anyMatch(c -> c < 1 || c > 1024))
        {
            throw new ParameterException(spec.commandLine(), "--connections must be 1..1024 each");
        }
        if (Arrays.stream(connections).noneMatch(c -> c == 1))
        {
            throw new ParameterException(spec.commandLine(), "--connections must include 1 (the round trips and ratios use it)");
        }
        try
        {
            return new Workload(Protocol.parse(protocol), valueSize, keys, writePercent, warmup, requests,
                timeLimitSeconds * 1000L, seed);
        }
        catch (final IllegalArgumentException e)
        {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
