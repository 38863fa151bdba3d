package io.pktstore.kv.http;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pktstore.kv.http.HttpSessionTest.bytes;
import static io.pktstore.kv.http.HttpSessionTest.delete;
import static io.pktstore.kv.http.HttpSessionTest.get;
import static io.pktstore.kv.http.HttpSessionTest.put;
import static io.pktstore.kv.http.HttpSessionTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parser resumes at any byte boundary: a pipeline of mixed requests (PUT with and without
 * Expect: 100-continue, a percent-encoded key, empty lines between requests, GET, HEAD, a scan, a
 * refused request whose body is skipped, HTTP/1.0 keep-alive, DELETE) delivered as 1, 2 or 3 records
 * cut at every position (the second cut at every fourth) gives exactly the responses it gives in one
 * piece. The value timestamps name the segment a value arrived in, which moves with the cuts, so they
 * are checked apart (each is the receive time of a segment of its run) and masked for the comparison.
 * The pipeline deletes its keys at the end, so every run starts from the same state.
 */
class HttpSplitTest
{
    private static final String PIPELINE = put("alpha", "first value", "Expect: 100-continue")
        + get("alpha")
        + "\r\n\r\n"
        + put("b%20c", "")
        + request("HEAD", "/kv/alpha", null)
        + request("GET", "/kv?start=a&limit=1", null)
        + request("POST", "/kv/alpha", "xyz")
        + put("alpha", "second")
        + "GET /kv/alpha HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        + delete("alpha")
        + delete("b%20c")
        + get("alpha");

    private static final Pattern TIMESTAMP = Pattern.compile("X-Pktstore-Timestamp: (\\d+)\r\n");

    @Test
    void everySplitIntoTwoAndThreeRecordsGivesTheSameResponses()
    {
        try (SessionHarness harness = new SessionHarness(Engine.SKIPLIST, 4096, ServerConfig.defaults(), HttpSession::new))
        {
            final byte[] bytes = bytes(PIPELINE);
            final long firstTimestamp = harness.segments.timestampNs;
            SessionHarness.Client client = harness.client();
            final String whole = client.send(bytes, bytes.length);
            final String expected = masked(whole, firstTimestamp, harness.segments.timestampNs);
            assertEquals(HttpSessionTest.CONTINUE + HttpSessionTest.CREATED
                + "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 11\r\nX-Pktstore-Timestamp: T\r\n\r\n"
                + "first value"
                + HttpSessionTest.CREATED
                + "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 11\r\nX-Pktstore-Timestamp: T\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 6\r\n"
                + "X-Pktstore-Next-After: alpha\r\n\r\nalpha\n"
                + HttpSessionTest.text("405 Method Not Allowed", "method not allowed here", "Allow: GET, HEAD, PUT, DELETE")
                + HttpSessionTest.NO_CONTENT
                + "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 6\r\nX-Pktstore-Timestamp: T\r\n"
                + "Connection: keep-alive\r\n\r\nsecond"
                + HttpSessionTest.NO_CONTENT + HttpSessionTest.NO_CONTENT + HttpSessionTest.NO_SUCH_KEY, expected);
            int runs = 0;
            for (int i = 1; i < bytes.length; i++)
            {
                client = harness.reconnect(client);
                long before = harness.segments.timestampNs;
                assertEquals(expected, masked(client.send(bytes, i), before, harness.segments.timestampNs), "split at " + i);
                runs++;
                for (int j = 1; i + j < bytes.length; j += 4)
                {
                    client = harness.reconnect(client);
                    before = harness.segments.timestampNs;
                    assertEquals(expected, masked(client.send(bytes, i, j), before, harness.segments.timestampNs),
                        "split at " + i + " and " + (i + j));
                    runs++;
                }
            }
            final int[] ones = new int[bytes.length];
            java.util.Arrays.fill(ones, 1);
            client = harness.reconnect(client);
            final long before = harness.segments.timestampNs;
            assertEquals(expected, masked(client.send(bytes, ones), before, harness.segments.timestampNs), "one byte per record");
            assertEquals(0, harness.store.count());
            assertTrue(runs > 20_000, "runs: " + runs);
            System.out.println("HttpSplitTest: " + runs + " splits of a " + bytes.length + "-byte pipeline");
        }
    }

    /** Replaces each timestamp by T after checking it is the receive time of one of the run's segments. */
    private static String masked(final String responses, final long from, final long to)
    {
        final Matcher m = TIMESTAMP.matcher(responses);
        while (m.find())
        {
            final long ts = Long.parseLong(m.group(1));
            assertTrue(ts >= from && ts < to, "timestamp " + ts + " not of a segment of this run [" + from + ", " + to + ")");
        }
        return m.replaceAll("X-Pktstore-Timestamp: T\r\n");
    }
}
