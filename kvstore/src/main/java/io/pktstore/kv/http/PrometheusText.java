package io.pktstore.kv.http;

import io.pktstore.kv.server.KvServer;

/**
 * {@code GET /metrics}: every metric of {@link ServerMetrics} in the Prometheus text exposition format
 * (version 0.0.4), each name prefixed {@code pktstore_}, with HELP and TYPE lines; a text becomes an
 * info gauge ({@code pktstore_engine_info{value="skiplist"} 1}). Allocates (an administrative path).
 */
final class PrometheusText implements MetricSink
{
    /** The exposition format's content type. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PREFIX = "pktstore_";

    private final StringBuilder sb = new StringBuilder(8192);

    /** @return the exposition text (ASCII) for {@code server}. */
    static String render(final KvServer server)
    {
        final PrometheusText text = new PrometheusText();
        ServerMetrics.visit(server, text);
        return text.sb.toString();
    }

    @Override
    public void value(final String name, final String help, final boolean counter, final long value)
    {
        describe(name, help, counter ? "counter" : "gauge");
        sb.append(PREFIX).append(name).append(' ').append(value).append('\n');
    }

    @Override
    public void family(final String name, final String help, final String label, final String[] labelValues,
                       final long[] values)
    {
        describe(name, help, "counter");
        for (int i = 0; i < labelValues.length; i++)
        {
            sb.append(PREFIX).append(name).append('{').append(label).append("=\"");
            labelValue(labelValues[i]);
            sb.append("\"} ").append(values[i]).append('\n');
        }
    }

    @Override
    public void text(final String name, final String help, final String value)
    {
        final String info = name + "_info";
        describe(info, help, "gauge");
        sb.append(PREFIX).append(info).append("{value=\"");
        labelValue(value);
        sb.append("\"} 1\n");
    }

    private void describe(final String name, final String help, final String type)
    {
        sb.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    /** A label value: backslash, quote and line feed escaped, non-ASCII replaced (the body is ASCII). */
    private void labelValue(final String v)
    {
        for (int i = 0; i < v.length(); i++)
        {
            final char c = v.charAt(i);
            if (c == '\\' || c == '"')
            {
                sb.append('\\').append(c);
            }
            else if (c == '\n')
            {
                sb.append("\\n");
            }
            else
            {
                sb.append(c < 0x20 || c > 0x7E ? '?' : c);
            }
        }
    }
}
