package io.pktstore.kv.http;

import io.pktstore.kv.server.KvServer;

/**
 * The administrative resources: {@code GET/HEAD /_stats} (JSON), {@code GET/HEAD /metrics}
 * (Prometheus text) and {@code POST /_scrub} (starts an online scrub pass; 202). These allocate.
 */
final class HttpAdmin
{
    private final KvServer server;
    private final HttpResponses responses;

    HttpAdmin(final KvServer server, final HttpResponses responses)
    {
        this.server = server;
        this.responses = responses;
    }

    void stats(final HttpRequestHead head, final boolean close)
    {
        document("application/json", StatsJson.render(server), head, close);
    }

    void metrics(final HttpRequestHead head, final boolean close)
    {
        document(PrometheusText.CONTENT_TYPE, PrometheusText.render(server), head, close);
    }

    /** Starts a pass from the first key (restarts a running one), as {@code PKS.SCRUB START} does. */
    void scrub(final HttpRequestHead head, final boolean close)
    {
        server.scrubber().start();
        responses.text(202, "scrub pass started: see scrub_* in /_stats", null, null, close, head.minorVersion(), false);
    }

    private void document(final String type, final String body, final HttpRequestHead head, final boolean close)
    {
        responses.status(200);
        responses.header("Content-Type", type);
        responses.header("Content-Length", body.length());
        responses.endHead(close, head.minorVersion());
        if (head.method() != HttpMethods.HEAD)
        {
            responses.body(body);
        }
    }
}
