package io.pktstore.kv.http;

import io.pktstore.arena.ArenaException;
import io.pktstore.arena.Arena;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.testing.SessionHarness;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/1.1 requests and their exact responses (status line, every header, body), on a session fed
 * with received records, both engines.
 */
class HttpSessionTest
{
    static final String CREATED = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n";
    static final String CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

    private SessionHarness harness;

    private SessionHarness.Client client(final Engine engine)
    {
        return client(engine, ServerConfig.defaults());
    }

    private SessionHarness.Client client(final Engine engine, final ServerConfig config)
    {
        harness = new SessionHarness(engine, 2048, config, HttpSession::new);
        return harness.client();
    }

    @AfterEach
    void close()
    {
        if (harness != null)
        {
            harness.close();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Request and response builders (shared with the other HTTP tests)
    // ------------------------------------------------------------------------------------------

    /** A request with a Host header, the given header lines, and a body with its Content-Length if non-null. */
    static String request(final String method, final String target, final String body, final String... headers)
    {
        final StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: pktstore\r\n");
        for (final String h : headers)
        {
            sb.append(h).append("\r\n");
        }
        if (body != null)
        {
            sb.append("Content-Length: ").append(body.length()).append("\r\n");
        }
        return sb.append("\r\n").append(body == null ? "" : body).toString();
    }

    static String put(final String key, final String value, final String... headers)
    {
        return request("PUT", "/kv/" + key, value, headers);
    }

    static String get(final String key, final String... headers)
    {
        return request("GET", "/kv/" + key, null, headers);
    }

    static String delete(final String key, final String... headers)
    {
        return request("DELETE", "/kv/" + key, null, headers);
    }

    /** The exact text response this server sends: plain text body {@code why} + LF. */
    static String text(final String statusLine, final String why, final String... headers)
    {
        final StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(statusLine)
            .append("\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: ").append(why.length() + 1).append("\r\n");
        for (final String h : headers)
        {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").append(why).append('\n').toString();
    }

    /** As {@link #text} for a response that closes the connection. */
    static String textClose(final String statusLine, final String why, final String... headers)
    {
        final String[] all = java.util.Arrays.copyOf(headers, headers.length + 1);
        all[headers.length] = "Connection: close";
        return text(statusLine, why, all);
    }

    static final String NO_SUCH_KEY = text("404 Not Found", "no such key");

    /** The exact 200 response to a GET of {@code value} stored at {@code timestamp}. */
    static String value(final String value, final long timestamp, final String... headers)
    {
        final StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ")
            .append(value.length()).append("\r\nX-Pktstore-Timestamp: ").append(timestamp).append("\r\n");
        for (final String h : headers)
        {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").append(value).toString();
    }

    /** @return the stored value's receive timestamp (what X-Pktstore-Timestamp must say). */
    static long timestamp(final SessionHarness harness, final String key)
    {
        return harness.store.valueTimestampNs(node(harness, key));
    }

    static int node(final SessionHarness harness, final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        final long a = UnsafeApi.allocateMemory(k.length);
        UnsafeApi.copyMemory(k, UnsafeApi.arrayBaseOffset(byte[].class), null, a, k.length);
        final int node = harness.store.get(a, k.length);
        UnsafeApi.freeMemory(a);
        return node;
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Engine.class)
    void putGetHeadDeleteAnswerExactly(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        assertEquals(NO_SUCH_KEY, c.send(get("k1")));
        assertEquals(CREATED, c.send(put("k1", "v1")), "201 for a new key");
        final long ts = timestamp(harness, "k1");
        assertTrue(ts >= 1_700_000_000_000_000_000L, "the receive time of the value's segment: " + ts);
        assertEquals(value("v1", ts), c.send(get("k1")));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\nX-Pktstore-Timestamp: "
            + ts + "\r\n\r\n", c.send(request("HEAD", "/kv/k1", null)), "HEAD: GET's headers, no body");
        assertEquals(NO_CONTENT, c.send(put("k1", "second value")), "204 for a replaced key");
        assertEquals(value("second value", timestamp(harness, "k1")), c.send(get("k1")));
        assertEquals(CREATED, c.send(put("empty", "")));
        assertEquals(value("", timestamp(harness, "empty")), c.send(get("empty")), "an empty value");
        assertEquals(NO_CONTENT, c.send(delete("k1")));
        assertEquals(NO_SUCH_KEY, c.send(delete("k1")));
        assertEquals(NO_SUCH_KEY, c.send(get("k1")));
        assertEquals("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 12\r\n\r\n",
            c.send(request("HEAD", "/kv/k1", null)), "HEAD of a missing key: no body");
        assertFalse(c.wire.closed);
        assertEquals(0, harness.store.stats().keyCopies, "plain keys are range clones of the request line");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void percentEncodedKeysAreDecodedAndMayBeBinary(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        assertEquals(CREATED, c.send(put("a%20b%00%FF%2f", "bin")));
        assertEquals(1, harness.store.stats().keyCopies, "a decoded key is the store's copy");
        assertTrue(node(harness, "a b\0\u00ff/") >= 0);
        final long ts = timestamp(harness, "a b\0\u00ff/");
        assertEquals(value("bin", ts), c.send(get("a%20b%00%ff%2F")), "hex digits of either case");
        assertEquals(CREATED, c.send(put("dir/sub/leaf", "x")), "a slash in the path is part of the key");
        assertTrue(node(harness, "dir/sub/leaf") >= 0);
        assertEquals(text("400 Bad Request", "bad percent-encoding in the key"), c.send(get("bad%2")));
        assertEquals(text("400 Bad Request", "bad percent-encoding in the key"), c.send(get("bad%zz")));
        assertEquals(text("400 Bad Request", "keys are 1 to 1024 bytes"), c.send(get("")));
        assertEquals(text("400 Bad Request", "keys are 1 to 1024 bytes"), c.send(put("k".repeat(1025), "v")),
            "refused before the body, which is skipped: the connection goes on");
        assertEquals(CREATED, c.send(put("k".repeat(1024), "v")));
        assertEquals(CREATED, c.send(request("PUT", "http://pktstore/kv/abs", "v")), "absolute-form target");
        assertTrue(node(harness, "abs") >= 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void scanReturnsKeysInOrderByPagesThatResume(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        for (int i = 0; i < 25; i++)
        {
            c.send(put(String.format("user:%02d", i), "v" + i));
        }
        c.send(put("a%20space", "x"));
        c.send(put("zz", "x"));
        final String page1 = c.send(request("GET", "/kv?start=user&end=user%3A99&limit=10", null));
        final StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            keys.append(String.format("user%%3A%02d\n", i));
        }
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: " + keys.length()
            + "\r\nX-Pktstore-Next-After: user%3A09\r\n\r\n" + keys, page1);
        final String page2 = c.send(request("GET", "/kv?after=user%3A09&end=user%3A99&limit=10", null));
        assertTrue(page2.contains("X-Pktstore-Next-After: user%3A19\r\n") && page2.endsWith("user%3A10\n" + page2
            .substring(page2.indexOf("user%3A11\n"))), page2);
        final String page3 = c.send(request("GET", "/kv?after=user%3A19&end=user%3A99&limit=10", null));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 50\r\n\r\n"
            + "user%3A20\nuser%3A21\nuser%3A22\nuser%3A23\nuser%3A24\n", page3, "the last page names no next key");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 10\r\n"
            + "X-Pktstore-Next-After: a%20space\r\n\r\na%20space\n", c.send(request("GET", "/kv?limit=1", null)));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 3\r\n\r\nzz\n",
            c.send(request("GET", "/kv?start=z", null)), "no end: to the last key");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 0\r\n\r\n",
            c.send(request("GET", "/kv?start=zzz", null)));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: 3\r\n\r\n",
            c.send(request("HEAD", "/kv?start=z", null)));
        assertEquals(text("400 Bad Request", "limit must be 1 to 1000"), c.send(request("GET", "/kv?limit=0", null)));
        assertEquals(text("400 Bad Request", "limit must be 1 to 1000"), c.send(request("GET", "/kv?limit=1001", null)));
        assertEquals(text("400 Bad Request", "limit must be 1 to 1000"), c.send(request("GET", "/kv?limit=x", null)));
        assertEquals(text("400 Bad Request", "give start or after, not both"), c.send(request("GET", "/kv?start=a&after=b", null)));
        assertEquals(text("400 Bad Request", "repeated query parameter"), c.send(request("GET", "/kv?end=a&end=b", null)));
        assertEquals(text("400 Bad Request", "unknown query parameter: the scan takes start, after, end and limit"),
            c.send(request("GET", "/kv?prefix=a", null)));
        assertEquals(text("400 Bad Request", "bad percent-encoding in the query"), c.send(request("GET", "/kv?start=%", null)));
        assertEquals(27, harness.store.count());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aGetSendsTheStoredRecordsNotACopy(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        final byte[] value = new byte[5000];
        new SplittableRandom(4).nextBytes(value);
        final String v = new String(value, StandardCharsets.ISO_8859_1);
        assertEquals(CREATED, c.send(bytes(put("big", v))));
        final int node = node(harness, "big");
        c.wire.sentRanges.clear();
        final String reply = c.send(get("big"));
        assertEquals(value(v, harness.store.valueTimestampNs(node)), reply);
        int fromStore = 0;
        for (final long[] range : c.wire.sentRanges)
        {
            for (int r = harness.store.valueHead(node); r != -1; r = harness.store.nodes().next(r))
            {
                if (range[0] == harness.store.nodes().dataAddress(r) && range[1] == harness.store.nodes().dataLength(r))
                {
                    fromStore += (int)range[1];
                }
            }
        }
        assertEquals(5000, fromStore, "every value byte on the wire came from a record over the stored buffers");
        // The stored value's records are the body's clones over the buffers the request arrived in.
        assertEquals(5000, harness.server.stats().valueBytesOut);
    }

    @Test
    void repliesLeaveOnlyAfterTheCommit()
    {
        final SessionHarness.Client c = client(Engine.SKIPLIST);
        c.deliver(bytes(put("k", "v")));
        assertEquals(CREATED, c.wire.held.toString(StandardCharsets.ISO_8859_1), "queued to the connection, held");
        assertEquals("", c.wire.take(), "nothing released before the commit");
        assertTrue(harness.store.needsCommit());
        harness.cycle();
        assertFalse(harness.store.needsCommit());
        assertEquals(CREATED, c.wire.take());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void valuesFromEmptyToEightMebibytesRoundTripByteForByte(final Engine engine)
    {
        harness = new SessionHarness(engine, 12_288, ServerConfig.defaults(), HttpSession::new);
        final SessionHarness.Client c = harness.client();
        final SplittableRandom rnd = new SplittableRandom(8);
        for (final int size : new int[] {0, 1, 1447, 1448, 1449, 65_536, 1 << 20, 8 << 20})
        {
            final byte[] value = new byte[size];
            rnd.nextBytes(value);
            final byte[] head = bytes("PUT /kv/v" + size + " HTTP/1.1\r\nHost: h\r\nContent-Length: " + size + "\r\n\r\n");
            final byte[] request = new byte[head.length + size];
            System.arraycopy(head, 0, request, 0, head.length);
            System.arraycopy(value, 0, request, head.length, size);
            assertEquals(CREATED, c.send(request), "PUT of " + size + " bytes");
            final String response = drain(c, bytes(get("v" + size)));
            final String expectedHead = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size
                + "\r\nX-Pktstore-Timestamp: " + timestamp(harness, "v" + size) + "\r\n\r\n";
            assertTrue(response.startsWith(expectedHead), response.substring(0, Math.min(200, response.length())));
            assertEquals(expectedHead.length() + size, response.length());
            final byte[] got = response.substring(expectedHead.length()).getBytes(StandardCharsets.ISO_8859_1);
            assertTrue(java.util.Arrays.equals(value, got), "value of " + size + " bytes byte for byte");
            assertEquals(NO_CONTENT, c.send(delete("v" + size)));
        }
    }

    /** Sends, then runs duty cycles until the session has handed everything to the wire (replies above 1 MiB). */
    static String drain(final SessionHarness.Client c, final byte[] request)
    {
        final StringBuilder sb = new StringBuilder(c.send(request));
        for (int i = 0; i < 1000; i++)
        {
            final String more = c.send(new byte[0]);
            if (more.isEmpty())
            {
                break;
            }
            sb.append(more);
        }
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void expectContinueGets100AtOnceOrTheFinalStatusAndClose(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        // The body will be read: 100 Continue as soon as the head is in, before any body byte.
        final String head = "PUT /kv/e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
        assertEquals(CONTINUE, c.send(bytes(head)));
        assertEquals(CREATED, c.send(bytes("hello")));
        assertEquals(value("hello", timestamp(harness, "e")), c.send(get("e")));
        // A body that will not be read: the final status at once, and the connection closes (the client will
        // not send the body, so the stream cannot go on).
        final String tooBig = "PUT /kv/big HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: "
            + (harness.store.config().maxValueBytes() + 1) + "\r\n\r\n";
        assertEquals(textClose("413 Content Too Large", "body larger than the store's value limit"), c.send(bytes(tooBig)));
        assertTrue(c.wire.closed);
        // 507 before the body: the same.
        final SessionHarness.Client d = harness.client();
        final List<Integer> taken = exhaust(harness);
        assertEquals(textClose("507 Insufficient Storage", HttpKvHandler.STORE_FULL), d.send(bytes(head)));
        assertTrue(d.wire.closed);
        // Without Expect, the refused body is skipped and the connection goes on.
        final SessionHarness.Client f = harness.client();
        assertEquals(text("507 Insufficient Storage", HttpKvHandler.STORE_FULL) + NO_SUCH_KEY,
            f.send(bytes(put("full", "12345") + get("full"))));
        assertFalse(f.wire.closed);
        release(harness.arena, taken);
        assertEquals(CREATED, f.send(bytes(put("full", "12345"))));
        // HTTP/1.0 ignores Expect (RFC 9110 10.1.1).
        assertEquals("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", f.send(bytes(
            "PUT /kv/full HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")));
    }

    /** Takes free buffers until the store is below its reserve (frames still arrive). @return them, to give back. */
    static List<Integer> exhaust(final SessionHarness harness)
    {
        final List<Integer> taken = new ArrayList<>();
        while (harness.store.hasRoomForNewData())
        {
            taken.add(harness.arena.allocateBuffer());
        }
        return taken;
    }

    static void release(final Arena arena, final List<Integer> taken)
    {
        for (final int b : taken)
        {
            arena.releaseBuffer(b);
        }
    }

    @Test
    void keepAliveIsTheDefaultAndConnectionCloseOrHttp10Close()
    {
        final SessionHarness.Client c = client(Engine.RBTREE);
        assertEquals(CREATED, c.send(put("a", "1")));
        assertFalse(c.wire.closed, "HTTP/1.1 keeps the connection");
        assertEquals("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
            c.send(put("a", "2", "Connection: close") + get("a")), "the pipelined GET after it is not run");
        assertTrue(c.wire.closed);

        final SessionHarness.Client d = harness.client();
        final long ts = timestamp(harness, "a");
        assertEquals(value("2", ts, "Connection: close"), d.send("GET /kv/a HTTP/1.0\r\n\r\n"), "HTTP/1.0 closes by default");
        assertTrue(d.wire.closed);

        final SessionHarness.Client e = harness.client();
        assertEquals(value("2", ts, "Connection: keep-alive") + value("2", ts, "Connection: close"),
            e.send("GET /kv/a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /kv/a HTTP/1.0\r\n\r\n"),
            "HTTP/1.0 keep-alive is honoured and said");
        assertTrue(e.wire.closed);

        final SessionHarness.Client f = harness.client();
        assertEquals(textClose("404 Not Found", "no such key"), f.send(get("zz", "Connection: foo, close")),
            "close among other connection options");
        assertTrue(f.wire.closed);
    }

    @Test
    void pipelinedRequestsAnswerInOrder()
    {
        final SessionHarness.Client c = client(Engine.SKIPLIST);
        final String responses = c.send(put("p1", "one") + put("p2", "two") + get("p1") + delete("p2") + get("p2")
            + "\r\n" + request("GET", "/nowhere", null) + put("p1", "uno") + get("p1"));
        final long ts = timestamp(harness, "p1");
        assertTrue(responses.startsWith(CREATED + CREATED + "HTTP/1.1 200 OK\r\n"), responses);
        assertTrue(responses.endsWith(NO_CONTENT + NO_SUCH_KEY + text("404 Not Found",
            "no such resource: the paths are /kv/<key>, /kv, /_stats, /metrics, /_scrub") + NO_CONTENT + value("uno", ts)),
            responses);
    }

    @Test
    void aPasswordRequiresTheBearerToken()
    {
        final SessionHarness.Client c = client(Engine.SKIPLIST, ServerConfig.defaults().withPassword("s3cret"));
        final String unauthorized = text("401 Unauthorized", "a bearer token is required: Authorization: Bearer <password>",
            "WWW-Authenticate: Bearer");
        assertEquals(unauthorized, c.send(get("k")));
        assertEquals(unauthorized, c.send(get("k", "Authorization: Bearer wrong")));
        assertEquals(unauthorized, c.send(get("k", "Authorization: Basic czNjcmV0")));
        assertEquals(unauthorized + NO_SUCH_KEY, c.send(put("k", "body skipped") + get("k", "Authorization: Bearer s3cret")),
            "the refused PUT's body is skipped, the connection goes on");
        assertEquals(CREATED, c.send(put("k", "v", "Authorization: bearer s3cret")), "the scheme is case-insensitive");
        assertEquals(textClose("401 Unauthorized", "a bearer token is required: Authorization: Bearer <password>",
            "WWW-Authenticate: Bearer"), c.send(put("x", "v", "Expect: 100-continue")), "no 100 Continue without the token");
        assertEquals(5, harness.server.stats().authFailures);
    }

    @Test
    void statusCodesOfWellFramedRequestsKeepTheConnection()
    {
        final SessionHarness.Client c = client(Engine.SKIPLIST);
        assertEquals(text("501 Not Implemented", "method not implemented: GET, HEAD, PUT, DELETE and POST are"),
            c.send(request("PATCH", "/kv/a", "xyz")), "unknown method; the body is skipped");
        assertEquals(text("501 Not Implemented", "method not implemented: GET, HEAD, PUT, DELETE and POST are"),
            c.send(request("get", "/kv/a", null)), "methods are case-sensitive");
        assertEquals(text("405 Method Not Allowed", "method not allowed here", "Allow: GET, HEAD, PUT, DELETE"),
            c.send(request("POST", "/kv/a", "x")));
        assertEquals(text("405 Method Not Allowed", "method not allowed here", "Allow: GET, HEAD"),
            c.send(request("DELETE", "/kv", null)));
        assertEquals(text("405 Method Not Allowed", "method not allowed here", "Allow: POST"),
            c.send(request("GET", "/_scrub", null)));
        assertEquals(text("405 Method Not Allowed", "method not allowed here", "Allow: GET, HEAD"),
            c.send(request("PUT", "/metrics", "")));
        assertEquals(text("411 Length Required", "a PUT needs a Content-Length (chunked bodies are not supported)"),
            c.send(request("PUT", "/kv/a", null)));
        assertEquals(text("417 Expectation Failed", "only the 100-continue expectation is supported"),
            c.send(get("a", "Expect: something-else")));
        assertEquals(NO_SUCH_KEY, c.send(request("GET", "/kv/a", "ignored body")), "a GET's body is skipped");
        assertEquals(text("404 Not Found", "no such resource: the paths are /kv/<key>, /kv, /_stats, /metrics, /_scrub"),
            c.send(request("GET", "*", null)));
        assertFalse(c.wire.closed);
    }

    @Test
    void theStoreFailingGives503AndADamagedKey500()
    {
        final SessionHarness.Client c = client(Engine.SKIPLIST);
        assertEquals(CREATED, c.send(put("k", "v")));
        // A value byte flipped after the stack checked the frame: the scrubber finds it, the key is not served.
        assertEquals(CREATED, c.send(put("flipped", "value")));
        final long at = harness.store.nodes().dataAddress(harness.store.valueHead(node(harness, "flipped")));
        UnsafeApi.putByte(at, (byte)(UnsafeApi.getByte(at) ^ 0x01));
        harness.server.scrubber().runPass();
        final String damaged = "key damaged: its stored data failed verification and is not served";
        assertEquals(text("500 Internal Server Error", damaged), c.send(get("flipped")));
        assertEquals("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: "
            + (damaged.length() + 1) + "\r\n\r\n", c.send(request("HEAD", "/kv/flipped", null)));
        assertEquals(value("v", timestamp(harness, "k")), c.send(get("k")), "the other keys are served");
        harness.region.onBarrier(() ->
        {
            throw new ArenaException("injected write-back failure");
        });
        c.deliver(bytes(put("k2", "v")));
        harness.cycle();
        assertTrue(c.wire.aborted, "the reply to an uncommitted write is never sent");
        harness.region.onBarrier(null);
        final SessionHarness.Client d = harness.client();
        assertEquals(text("503 Service Unavailable", HttpKvHandler.STORE_FAILED), d.send(put("k3", "v")));
        assertEquals(text("503 Service Unavailable", HttpKvHandler.STORE_FAILED), d.send(get("k")),
            "reads too: they could show a write that was lost");
    }

    @Test
    void statsMetricsAndScrub()
    {
        final SessionHarness.Client c = client(Engine.RBTREE);
        c.send(put("a", "1") + get("a") + get("b"));
        final String stats = c.send(request("GET", "/_stats", null));
        assertTrue(stats.startsWith("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "), stats);
        final String json = stats.substring(stats.indexOf("\r\n\r\n") + 4);
        assertEquals(json.length(), Integer.parseInt(stats.replaceAll("(?s).*Content-Length: (\\d+).*", "$1")));
        assertTrue(json.startsWith("{\"connections_open\":0,") && json.endsWith("}\n"), json);
        assertTrue(json.contains("\"store_keys\":1,") && json.contains("\"keyspace_hits_total\":1,")
            && json.contains("\"keyspace_misses_total\":1,") && json.contains("\"engine\":\"rbtree\"")
            && json.contains("\"http_requests_total\":{\"UNKNOWN\":0,\"GET\":3,\"HEAD\":0,\"PUT\":1,\"DELETE\":0,\"POST\":0}")
            && json.contains("\"http_responses_total\":{\"200\":1,\"201\":1,\"404\":1}"), json);
        final String metrics = c.send(request("GET", "/metrics", null));
        assertTrue(metrics.startsWith("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), metrics);
        assertTrue(metrics.contains("# TYPE pktstore_store_keys gauge\npktstore_store_keys 1\n")
            && metrics.contains("pktstore_http_responses_total{status=\"200\"} 2\n")
            && metrics.contains("pktstore_engine_info{value=\"rbtree\"} 1\n"), metrics);
        assertTrue(c.send(request("HEAD", "/metrics", null)).endsWith("\r\n\r\n"));
        assertEquals(0, harness.server.scrubber().passes());
        assertEquals(text("202 Accepted", "scrub pass started: see scrub_* in /_stats"), c.send(request("POST", "/_scrub", "")));
        assertEquals(1, harness.server.scrubber().passes(), "the pass ran in the duty cycle's scrub step (one key)");
        assertEquals(1, harness.server.scrubber().nodesChecked());
    }
}
