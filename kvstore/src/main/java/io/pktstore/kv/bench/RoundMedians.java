package io.pktstore.kv.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The medians over rounds of every system's points, and any one round's values: what the tables
 * quote (medians over alternating rounds) and the ratios per round (a ratio is taken between points
 * of the same round, measured minutes apart on the same machine state).
 */
final class RoundMedians
{
    private final Map<String, List<Measurement>> bySystemAndConnections = new LinkedHashMap<>();

    RoundMedians(final List<Measurement> measurements)
    {
        for (final Measurement m : measurements)
        {
            bySystemAndConnections.computeIfAbsent(key(m.system(), m.point().connections()), k -> new ArrayList<>()).add(m);
        }
    }

    /** @return true if the system was measured at that connection count. */
    boolean has(final String system, final int connections)
    {
        return bySystemAndConnections.containsKey(key(system, connections));
    }

    /** @return the median over rounds of a field of a system's point, or NaN if not measured. */
    double median(final String system, final int connections, final ToDoubleFunction<PointResult> field)
    {
        final List<Measurement> points = bySystemAndConnections.get(key(system, connections));
        if (points == null)
        {
            return Double.NaN;
        }
        return median(points.stream().mapToDouble(m -> field.applyAsDouble(m.point())).toArray());
    }

    /** @return the median over rounds of a system's in-node write latency (us), or NaN if not measured. */
    double medianNodeWrite(final String system)
    {
        final List<Measurement> points = bySystemAndConnections.get(key(system, 1));
        return points == null ? Double.NaN : median(points.stream().mapToDouble(Measurement::nodeWriteP50Us).toArray());
    }

    /** @return a system's in-node write latency (us) in one round, or NaN. */
    double nodeWriteInRound(final String system, final int round)
    {
        final List<Measurement> points = bySystemAndConnections.get(key(system, 1));
        if (points != null)
        {
            for (final Measurement m : points)
            {
                if (m.round() == round)
                {
                    return m.nodeWriteP50Us();
                }
            }
        }
        return Double.NaN;
    }

    /** @return the field in one round, or NaN if not measured then. */
    double inRound(final String system, final int connections, final int round, final ToDoubleFunction<PointResult> field)
    {
        final List<Measurement> points = bySystemAndConnections.get(key(system, connections));
        if (points != null)
        {
            for (final Measurement m : points)
            {
                if (m.round() == round)
                {
                    return field.applyAsDouble(m.point());
                }
            }
        }
        return Double.NaN;
    }

    /** @return the median of the values (the mean of the middle two for an even count). */
    static double median(final double[] values)
    {
        if (values.length == 0)
        {
            return Double.NaN;
        }
        final double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String key(final String system, final int connections)
    {
        return system + "@" + connections;
    }
}
