package io.pktstore.kv.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link LoadGenerator} as a JVM of its own in the client namespace ({@code ip netns exec NS
 * java ...}), so the client is on the kernel's TCP across the veth from the server and its JIT and GC
 * are not the server's. Same java binary and class path as this JVM. Bounded: the process is killed
 * (by its pid, through its handle) if it outlives every point's time limit plus a margin.
 */
final class GeneratorProcess
{
    private static final long STARTUP_MARGIN_MS = 60_000;

    private GeneratorProcess()
    {
    }

    /**
     * @return one result per connection count, in order.
     * @throws IllegalStateException with the generator's output if it failed
     */
    static List<PointResult> run(final BenchHost host, final int port, final Workload w, final int[] connections)
        throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName(),
            "--host", BenchHost.SERVER_IP, "--port", Integer.toString(port), "--protocol", w.protocol().label(),
            "--value-size", Integer.toString(w.valueBytes()), "--keys", Integer.toString(w.keyCount()),
            "--write-percent", Integer.toString(w.writePercent()), "--warmup", Long.toString(w.warmupRequests()),
            "--requests", Long.toString(w.requests()), "--time-limit-ms", Long.toString(w.timeLimitMs()),
            "--seed", Long.toString(w.seed()), "--connections", join(connections)));
        final Process p = host.startInClientNamespace(command);
        final List<String> out = new ArrayList<>();
        final StringBuilder err = new StringBuilder();
        final Thread errReader = drain(p, err);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            final long limitMs = STARTUP_MARGIN_MS + (w.timeLimitMs() + 5_000) * (connections.length + (w.reads() ? 2 : 0));
            final Thread outReader = new Thread(() ->
            {
                try
                {
                    for (String line; (line = r.readLine()) != null; )
                    {
                        synchronized (out)
                        {
                            out.add(line);
                        }
                    }
                }
                catch (final IOException ignored)
                {
                    // the process ended or was killed
                }
            }, "generator-out");
            outReader.start();
            if (!p.waitFor(limitMs, TimeUnit.MILLISECONDS))
            {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the load generator did not finish within " + limitMs + " ms");
            }
            outReader.join(5_000);
            errReader.join(5_000);
        }
        final List<PointResult> results = new ArrayList<>();
        synchronized (out)
        {
            for (final String line : out)
            {
                if (PointResult.isResultLine(line))
                {
                    results.add(PointResult.parse(line));
                }
            }
        }
        if (p.exitValue() != 0 || results.size() != connections.length)
        {
            throw new IllegalStateException("the load generator exited with " + p.exitValue() + " after " + results.size()
                + " of " + connections.length + " points: " + err.toString().trim());
        }
        return results;
    }

    private static Thread drain(final Process p, final StringBuilder into)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                final String s = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (into)
                {
                    into.append(s);
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        }, "generator-err");
        t.start();
        return t;
    }

    private static String join(final int[] values)
    {
        final StringBuilder sb = new StringBuilder();
        for (final int v : values)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(v);
        }
        return sb.toString();
    }
}
