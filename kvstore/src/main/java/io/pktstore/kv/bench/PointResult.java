package io.pktstore.kv.bench;

import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one point of a run measured: throughput and the per-request round-trip distribution at one
 * connection count. The load generator prints it as one line ({@link #toLine}) that the benchmark
 * command reads back ({@link #parse}): the two run in different JVMs and namespaces.
 *
 * @param connections   concurrent connections (one request outstanding on each).
 * @param requests      measured requests completed.
 * @param errors        measured requests answered with an error (RESP -ERR, HTTP 4xx/5xx).
 * @param seconds       wall time of the measured requests.
 * @param throughput    measured requests per second.
 * @param meanUs        mean round trip, microseconds.
 * @param p50Us         median round trip.
 * @param p90Us         90th percentile.
 * @param p99Us         99th percentile.
 * @param p999Us        99.9th percentile.
 * @param maxUs         slowest.
 * @param cutShort      true if the point's time limit stopped it before its count.
 */
public record PointResult(int connections, long requests, long errors, double seconds, double throughput, double meanUs,
                          double p50Us, double p90Us, double p99Us, double p999Us, double maxUs, boolean cutShort)
{
    private static final String PREFIX = "point ";

    /** @return the result of a point from its histogram (nanoseconds) and wall time. */
    static PointResult of(final int connections, final Histogram ns, final long errors, final long elapsedNs,
                          final boolean cutShort)
    {
        final long n = ns.getTotalCount();
        final double seconds = elapsedNs / 1e9;
        return new PointResult(connections, n, errors, seconds, n == 0 ? 0 : n / seconds, ns.getMean() / 1e3,
            ns.getValueAtPercentile(50) / 1e3, ns.getValueAtPercentile(90) / 1e3, ns.getValueAtPercentile(99) / 1e3,
            ns.getValueAtPercentile(99.9) / 1e3, ns.getMaxValue() / 1e3, cutShort);
    }

    /** @return this result as the generator's output line. */
    public String toLine()
    {
        return String.format(Locale.ROOT, PREFIX + "connections=%d requests=%d errors=%d seconds=%.6f throughput=%.1f "
                + "mean_us=%.2f p50_us=%.2f p90_us=%.2f p99_us=%.2f p999_us=%.2f max_us=%.2f cut_short=%b",
            connections, requests, errors, seconds, throughput, meanUs, p50Us, p90Us, p99Us, p999Us, maxUs, cutShort);
    }

    /** @return true if {@code line} is a result line. */
    public static boolean isResultLine(final String line)
    {
        return line.startsWith(PREFIX);
    }

    /** @return the result a {@link #toLine} line holds. */
    public static PointResult parse(final String line)
    {
        final Map<String, String> f = new HashMap<>();
        for (final String pair : line.substring(PREFIX.length()).trim().split(" "))
        {
            final int eq = pair.indexOf('=');
            f.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new PointResult(Integer.parseInt(f.get("connections")), Long.parseLong(f.get("requests")),
            Long.parseLong(f.get("errors")), Double.parseDouble(f.get("seconds")), Double.parseDouble(f.get("throughput")),
            Double.parseDouble(f.get("mean_us")), Double.parseDouble(f.get("p50_us")), Double.parseDouble(f.get("p90_us")),
            Double.parseDouble(f.get("p99_us")), Double.parseDouble(f.get("p999_us")), Double.parseDouble(f.get("max_us")),
            Boolean.parseBoolean(f.get("cut_short")));
    }
}
