package io.pktstore.kv.bench;

import java.util.List;
import java.util.Locale;

/** Every measured point as CSV, one row per system, round and connection count. */
final class PointsCsv
{
    /** The header row. */
    static final String HEADER = "round,system,protocol,value_bytes,keys,write_percent,connections,requests,errors,seconds,"
        + "throughput_rps,mean_us,p50_us,p90_us,p99_us,p999_us,max_us,cut_short,node_write_p50_us";

    private PointsCsv()
    {
    }

    /** @return the CSV text (header first). */
    static String of(final Workload w, final List<Measurement> measurements)
    {
        final StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (final Measurement m : measurements)
        {
            final PointResult p = m.point();
            sb.append(String.format(Locale.ROOT, "%d,%s,%s,%d,%d,%d,%d,%d,%d,%.6f,%.1f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%b,%s%n",
                m.round() + 1, m.system(), w.protocol().label(), w.valueBytes(), w.keyCount(), w.writePercent(),
                p.connections(), p.requests(), p.errors(), p.seconds(), p.throughput(), p.meanUs(), p.p50Us(), p.p90Us(),
                p.p99Us(), p.p999Us(), p.maxUs(), p.cutShort(),
                Double.isNaN(m.nodeWriteP50Us()) ? "" : String.format(Locale.ROOT, "%.2f", m.nodeWriteP50Us())));
        }
        return sb.toString();
    }
}
