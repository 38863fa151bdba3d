package io.pktstore.kv.http;

import io.pktstore.kv.server.KvServer;

/**
 * {@code GET /_stats}: every metric of {@link ServerMetrics} as one JSON object, a family as a nested
 * object keyed by its label's values. Allocates (an administrative path).
 */
final class StatsJson implements MetricSink
{
    private final StringBuilder sb = new StringBuilder(4096);

    /** @return the JSON text (ASCII) for {@code server}. */
    static String render(final KvServer server)
    {
        final StatsJson json = new StatsJson();
        json.sb.append('{');
        ServerMetrics.visit(server, json);
        json.sb.append("}\n");
        return json.sb.toString();
    }

    @Override
    public void value(final String name, final String help, final boolean counter, final long value)
    {
        key(name).append(value);
    }

    @Override
    public void family(final String name, final String help, final String label, final String[] labelValues,
                       final long[] values)
    {
        key(name).append('{');
        for (int i = 0; i < labelValues.length; i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            string(labelValues[i]).append(':').append(values[i]);
        }
        sb.append('}');
    }

    @Override
    public void text(final String name, final String help, final String value)
    {
        string(value, key(name));
    }

    private StringBuilder key(final String name)
    {
        if (sb.length() > 1)
        {
            sb.append(',');
        }
        return string(name).append(':');
    }

    private StringBuilder string(final String s)
    {
        return string(s, sb);
    }

    /** A JSON string: quotes, backslashes and anything outside printable ASCII escaped. */
    private static StringBuilder string(final String s, final StringBuilder out)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append('"');
    }
}
