package io.pktstore.kv.server;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.http.HttpSession;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.testing.SessionFuzzRig;
import io.pktstore.kv.testing.SessionHarness;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed, hostile and truncated inputs for both front ends, one row each: the input, the exact reply
 * (or its prefix), and whether the connection closes. Both protocols share one server; while each row
 * runs, a RESP and an HTTP client of the same server are each in the middle of a request of their own,
 * which they finish after the row and which must answer right. At the end, with every connection closed
 * and every key deleted, the arena has exactly the free records and buffers it had before the table.
 */
class MalformedInputTableTest
{
    private static final String H = "Host: h\r\n";

    /** One row: a protocol, a name, the bytes, the reply, whether it is only a prefix, and the connection's fate. */
    record Row(String protocol, String name, byte[] input, String reply, boolean prefix, boolean closes, boolean peerCloses)
    {
    }

    private static final List<Row> ROWS = new ArrayList<>();

    private static void resp(final String name, final String input, final String reply, final boolean closes)
    {
        ROWS.add(new Row("resp", name, bytes(input), reply, false, closes, false));
    }

    private static void http(final String name, final String input, final String reply, final boolean closes)
    {
        ROWS.add(new Row("http", name, bytes(input), reply, false, closes, false));
    }

    /** An HTTP error that closes: the exact text response with Connection: close. */
    private static void httpError(final String name, final String input, final String status, final String why)
    {
        http(name, input, text(status, why, true), true);
    }

    static String text(final String status, final String why, final boolean close)
    {
        return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: " + (why.length() + 1)
            + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + why + "\n";
    }

    private static String cmd(final String... args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String a : args)
        {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    static
    {
        final String badRequest = "400 Bad Request";
        final String malformedCl = "malformed Content-Length";
        // ---- HTTP: request smuggling shapes (RFC 9112 6.1, 6.3) ----
        httpError("CL then TE", "POST /kv/a HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            badRequest, "both Content-Length and Transfer-Encoding");
        httpError("TE then CL", "PUT /kv/a HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            badRequest, "both Content-Length and Transfer-Encoding");
        httpError("two different CLs", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            badRequest, "differing Content-Length values");
        httpError("CL list of different values", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: 5, 6\r\n\r\nhello!",
            badRequest, "differing Content-Length values");
        httpError("CL with a plus sign", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\nhello", badRequest, malformedCl);
        httpError("negative CL", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: -5\r\n\r\nhello", badRequest, malformedCl);
        httpError("CL with a space inside", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: 1 2\r\n\r\nhello", badRequest, malformedCl);
        httpError("CL in hex", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: 0x5\r\n\r\nhello", badRequest, malformedCl);
        httpError("empty CL", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length:\r\n\r\n", badRequest, malformedCl);
        httpError("space before the CL colon", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length : 5\r\n\r\nhello", badRequest,
            "whitespace before a header's colon");
        httpError("space before the TE colon", "PUT /kv/a HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n", badRequest,
            "whitespace before a header's colon");
        httpError("TE chunked", "PUT /kv/a HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "411 Length Required", "chunked bodies are not supported: send a Content-Length");
        httpError("TE xchunked", "PUT /kv/a HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n",
            "501 Not Implemented", "transfer coding not implemented: send a Content-Length");
        httpError("TE chunked, xchunked", "PUT /kv/a HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, xchunked\r\n\r\n",
            "501 Not Implemented", "transfer coding not implemented: send a Content-Length");
        httpError("TE in HTTP/1.0", "PUT /kv/a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", badRequest,
            "Transfer-Encoding in an HTTP/1.0 request");
        httpError("CL too large to parse", "PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: 99999999999999999999999\r\n\r\n",
            "413 Content Too Large", "body larger than the store's value limit");
        http("two identical CLs are one (RFC 9110 8.6)", "PUT /kv/same HTTP/1.1\r\n" + H + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", false);
        // ---- HTTP: sizes ----
        httpError("request line over maxRequestLine", "GET /kv/" + "a".repeat(4100) + " HTTP/1.1\r\n" + H + "\r\n",
            "414 URI Too Long", "request line longer than 4096 bytes");
        httpError("request line that never ends", "GET /kv/" + "a".repeat(5000), "414 URI Too Long",
            "request line longer than 4096 bytes");
        httpError("one header over maxRequestHead", "GET /kv/a HTTP/1.1\r\n" + H + "X-Big: " + "b".repeat(9000) + "\r\n\r\n",
            "431 Request Header Fields Too Large", "request head larger than 8192 bytes");
        httpError("many headers over maxRequestHead", "GET /kv/a HTTP/1.1\r\n" + H + ("X-Many: " + "m".repeat(40) + "\r\n").repeat(200)
            + "\r\n", "431 Request Header Fields Too Large", "request head larger than 8192 bytes");
        // ---- HTTP: bare CR, NUL, control characters, syntax ----
        httpError("bare CR in a header value", "GET /kv/a HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", badRequest, "bare CR in a header");
        httpError("CR CR LF after a header", "GET /kv/a HTTP/1.1\r\n" + H + "X-A: a\r\r\n\r\n", badRequest, "bare CR in a header");
        httpError("NUL in a header value", "GET /kv/a HTTP/1.1\r\n" + H + "X-A: a\0b\r\n\r\n", badRequest, "NUL in a header");
        httpError("NUL in the request line", "GET /kv/a\0 HTTP/1.1\r\n" + H + "\r\n", badRequest, "malformed request line");
        httpError("bare CR in the request line", "GET /kv/a\rHTTP/1.1\r\n" + H + "\r\n", badRequest, "malformed request line");
        httpError("bare CR before the request", "\rGET /kv/a HTTP/1.1\r\n" + H + "\r\n", badRequest, "bare CR in the request");
        httpError("obs-fold", "GET /kv/a HTTP/1.1\r\n" + H + "X-A: a\r\n folded\r\n\r\n", badRequest,
            "obsolete line folding or whitespace before a header name");
        httpError("missing Host in HTTP/1.1", "GET /kv/a HTTP/1.1\r\n\r\n", badRequest, "missing Host header");
        httpError("two Hosts", "GET /kv/a HTTP/1.1\r\n" + H + "Host: other\r\n\r\n", badRequest, "more than one Host header");
        httpError("HTTP/2.0", "GET /kv/a HTTP/2.0\r\n" + H + "\r\n", "505 HTTP Version Not Supported",
            "only HTTP/1.0 and HTTP/1.1 are supported");
        httpError("lower-case version", "GET /kv/a http/1.1\r\n" + H + "\r\n", badRequest, "malformed HTTP version");
        httpError("words after the version", "GET /kv/a HTTP/1.1 x\r\n" + H + "\r\n", badRequest, "malformed HTTP version");
        httpError("two spaces after the method", "GET  /kv/a HTTP/1.1\r\n" + H + "\r\n", badRequest, "malformed request line");
        httpError("non-ASCII in the target", "GET /kv/\u00ff HTTP/1.1\r\n" + H + "\r\n", badRequest, "malformed request line");
        httpError("header without a colon", "GET /kv/a HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", badRequest, "malformed header line");
        httpError("header name with a separator", "GET /kv/a HTTP/1.1\r\n" + H + "X(A): b\r\n\r\n", badRequest, "malformed header line");
        // ---- HTTP: well framed but refused: the connection goes on ----
        http("unknown method with a body", "BREW /kv/a HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nxyz",
            text("501 Not Implemented", "method not implemented: GET, HEAD, PUT, DELETE and POST are", false), false);
        http("empty lines before a request, bare LF line ends", "\r\n\nGET /kv/none HTTP/1.1\n" + H + "\n",
            text("404 Not Found", "no such key", false), false);
        http("over the value limit with Expect: the final status at once", "PUT /kv/a HTTP/1.1\r\n" + H
            + "Expect: 100-continue\r\nContent-Length: 67108865\r\n\r\n", text("413 Content Too Large",
            "body larger than the store's value limit", true), true);
        // ---- HTTP: a client that stops mid-request, then closes ----
        ROWS.add(new Row("http", "stops in the head, then FIN", bytes("GET /kv/a HTTP/1.1\r\nHo"), "", false, true, true));
        ROWS.add(new Row("http", "stops in the body, then FIN", bytes("PUT /kv/a HTTP/1.1\r\n" + H + "Content-Length: 100\r\n\r\n0123456789"),
            "", false, true, true));

        // ---- RESP (Redis 7's texts; after a protocol error Redis closes) ----
        final String invalidMultibulk = "-ERR Protocol error: invalid multibulk length\r\n";
        final String invalidBulk = "-ERR Protocol error: invalid bulk length\r\n";
        resp("desync: GETX after $3", "*1\r\n$3\r\nGETX\r\n" + cmd("PING"),
            "-ERR wrong number of arguments for 'get' command\r\n+PONG\r\n", false);
        resp("desync: a bulk longer than declared", "*2\r\n$3\r\nGET\r\n$1\r\nkk\r\n" + cmd("PING"), "$-1\r\n+PONG\r\n", false);
        resp("negative multibulk count is an empty request", "*-10\r\n" + cmd("PING"), "+PONG\r\n", false);
        resp("*0 is an empty request", "*0\r\n" + cmd("PING"), "+PONG\r\n", false);
        resp("multibulk count not a number", "*abc\r\n", invalidMultibulk, true);
        resp("huge multibulk count", "*99999999999\r\n", invalidMultibulk, true);
        resp("multibulk count above the argument limit", "*1048577\r\n", invalidMultibulk, true);
        resp("multibulk count of 70,000 digits", "*" + "1".repeat(70_000), "-ERR Protocol error: too big mbulk count string\r\n",
            true);
        resp("negative bulk length", "*1\r\n$-5\r\n", invalidBulk, true);
        resp("bulk length not a number", "*1\r\n$abc\r\n", invalidBulk, true);
        resp("huge bulk length", "*1\r\n$99999999999\r\n", invalidBulk, true);
        resp("bulk length over the value limit", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$67108865\r\n", invalidBulk, true);
        resp("no $ before a bulk", "*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n", true);
        resp("CR where the $ should be (the CR becomes a space)", "*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n",
            true);
        resp("an integer where a bulk should be", "*2\r\n$3\r\nGET\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n", true);
        resp("inline line over 64 KiB", "A".repeat(70_000), "-ERR Protocol error: too big inline request\r\n", true);
        resp("unbalanced quotes", "SET a \"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n", true);
        resp("CR LF inside a command name", cmd("GE\r\nT", "k"),
            "-ERR unknown command 'GE  T', with args beginning with: 'k' \r\n", false);
        resp("a bulk header where a command should start", "$3\r\nfoo\r\n", "-ERR unknown command '$3', with args beginning with: \r\n"
            + "-ERR unknown command 'foo', with args beginning with: \r\n", false);
        resp("empty command name", "*1\r\n$0\r\n\r\n", "-ERR unknown command '', with args beginning with: \r\n", false);
        resp("NUL inside an inline command", "PI\0NG\r\n", "-ERR unknown command 'PI\0NG', with args beginning with: \r\n", false);
        resp("bare CR inside an inline command", "PING\rX\r\n", "$1\r\nX\r\n", false);
        resp("empty lines", "\r\n\n\r\n", "", false);
        ROWS.add(new Row("resp", "stops in a bulk, then FIN", bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc"), "", false, true, true));
        ROWS.add(new Row("resp", "stops in a count line, then FIN", bytes("*3\r\n$3\r\nSET\r\n$1"), "", false, true, true));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyMalformedInputGetsItsReplyAndOtherConnectionsAreUnaffected()
    {
        assertTrue(ROWS.size() >= 40, "rows: " + ROWS.size());
        try (SessionHarness harness = new SessionHarness(Engine.SKIPLIST, 2048, ServerConfig.defaults(), RespSession::new))
        {
            // A key the store copies first (it keeps a buffer for later copies), then the baseline.
            final SessionHarness.Client warm = harness.client(HttpSession::new);
            assertEquals("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", warm.send(bytes("PUT /kv/w%20 HTTP/1.1\r\n" + H
                + "Content-Length: 1\r\n\r\nx")));
            assertTrue(warm.send(bytes("DELETE /kv/w%20 HTTP/1.1\r\n" + H + "\r\n")).startsWith("HTTP/1.1 204"));
            warm.close();
            harness.cycle();
            final int freeRecords = harness.arena.freeRecordCount();
            final int freeBuffers = harness.arena.freeBufferCount();

            final SessionHarness.Client respBystander = harness.client(RespSession::new);
            final SessionHarness.Client httpBystander = harness.client(HttpSession::new);
            SessionHarness.Client resp = harness.client(RespSession::new);
            SessionHarness.Client http = harness.client(HttpSession::new);
            int rowNumber = 0;
            for (final Row row : ROWS)
            {
                rowNumber++;
                final String value = "row-" + rowNumber;
                respBystander.deliver(bytes("*3\r\n$3\r\nSET\r\n$2\r\nbk\r\n$"));
                httpBystander.deliver(bytes("PUT /kv/hk HTTP/1.1\r\n" + H + "Content-Len"));

                final boolean isResp = row.protocol().equals("resp");
                SessionHarness.Client c = isResp ? resp : http;
                c = harness.reconnect(c);
                final String what = row.protocol() + " row " + rowNumber + " (" + row.name() + ")";
                c.deliver(row.input());
                harness.cycle();
                String reply = c.wire.take();
                if (row.peerCloses())
                {
                    reply += c.peerClose();
                }
                if (row.prefix())
                {
                    assertTrue(reply.startsWith(row.reply()), what + ": " + SessionFuzzRig.printable(reply));
                }
                else
                {
                    assertEquals(SessionFuzzRig.printable(row.reply()), SessionFuzzRig.printable(reply), what);
                }
                assertEquals(row.closes(), c.wire.closed, what + ": closes");
                if (isResp)
                {
                    resp = c;
                }
                else
                {
                    http = c;
                }

                assertEquals("+OK\r\n$" + value.length() + "\r\n" + value + "\r\n",
                    respBystander.send(bytes(value.length() + "\r\n" + value + "\r\n" + cmd("GET", "bk"))), "RESP beside " + what);
                final String put = httpBystander.send(bytes("gth: " + value.length() + "\r\n\r\n" + value));
                assertTrue(put.equals(rowNumber == 1 ? "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
                    : "HTTP/1.1 204 No Content\r\n\r\n"), "HTTP beside " + what + ": " + put);
                final String got = httpBystander.send(bytes("GET /kv/hk HTTP/1.1\r\n" + H + "\r\n"));
                assertTrue(got.startsWith("HTTP/1.1 200 OK\r\n") && got.endsWith("\r\n\r\n" + value), "HTTP beside " + what);
            }
            System.out.println("MalformedInputTableTest: " + ROWS.size() + " rows ("
                + ROWS.stream().filter(r -> r.protocol().equals("resp")).count() + " RESP, "
                + ROWS.stream().filter(r -> r.protocol().equals("http")).count() + " HTTP)");

            // Nothing leaked: every connection closed, every key deleted and committed.
            for (final SessionHarness.Client c : new SessionHarness.Client[] {respBystander, httpBystander, resp, http})
            {
                c.close();
            }
            deleteAll(harness);
            harness.cycle();
            assertEquals(freeRecords, harness.arena.freeRecordCount(), "free records after the table");
            assertEquals(freeBuffers, harness.arena.freeBufferCount(), "free buffers after the table");
        }
    }

    private static void deleteAll(final SessionHarness harness)
    {
        final int[] nodes = new int[64];
        final long key = UnsafeApi.allocateMemory(1024);
        while (harness.store.count() > 0)
        {
            final int n = harness.store.scan(0, 0, true, 0, -1, nodes, nodes.length);
            for (int i = 0; i < n; i++)
            {
                final int length = harness.store.nodes().keyLength(nodes[i]);
                UnsafeApi.copyMemory(harness.store.nodes().keyAddress(nodes[i]), key, length);
                harness.store.delete(key, length);
            }
        }
        UnsafeApi.freeMemory(key);
    }
}
