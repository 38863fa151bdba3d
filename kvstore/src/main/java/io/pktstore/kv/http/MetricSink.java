package io.pktstore.kv.http;

/**
 * Receives the node's metrics from {@link ServerMetrics}, one call each, to render them in a format
 * ({@link StatsJson}, {@link PrometheusText}). Names are snake_case; counters end in {@code _total}.
 */
interface MetricSink
{
    /** A counter (only grows) or a gauge. */
    void value(String name, String help, boolean counter, long value);

    /** Counters of one family told apart by one label (e.g. responses by status). */
    void family(String name, String help, String label, String[] labelValues, long[] values);

    /** A piece of text (an engine's name, a problem found): an info metric in Prometheus. */
    void text(String name, String help, String value);
}
