package io.pktstore.kv.http;

import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.RequestLatency;
import io.pktstore.kv.server.PasswordCheck;
import io.pktstore.kv.server.ServerStats;
import io.pktstore.kv.server.Session;
import io.pktstore.kv.store.KvStore;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection: parses requests from the records as they arrive ({@link HttpParser}),
 * decides on each request once its head is in (before any of its body is read), runs it, and writes the
 * response (a GET's value as clones of the stored records). Keep-alive and pipelining: responses are
 * written in request order as each request completes; the framework holds them until the store's commit.
 *
 * <h2>Deciding on a head</h2>
 * In this order: 503 (the store failed: every request, reads too), 501 (method), 417 (expectation),
 * 401 (bearer token, when a password is set), 404 (path), 405 (method on that path, with Allow), 400
 * (key or target), 413 (Content-Length above the store's value limit), then for a PUT 411 (no
 * Content-Length) and 507 (store below its reserve). A refused request is answered at once. Its body
 * is then skipped so the connection goes on, except when the client waits for {@code 100 Continue} (it
 * will not send the body: the connection closes, as the response says), for 413 (the body is too large
 * to skip), and when the request did not keep the connection alive. An accepted request with a body
 * and {@code Expect: 100-continue} gets {@code 100 Continue} at once, then its body is read.
 *
 * <p>Malformed framing ({@link HttpParser#ERROR}: 400, 414, 431, 505, 411 for chunked, 501 for other
 * transfer codings) is answered and the connection closed: the stream cannot be trusted after it.
 */
public final class HttpSession extends Session
{
    private final KvStore store;
    private final HttpParser parser;
    private final Arguments args;
    private final HttpResponses responses;
    private final HttpKvHandler kv;
    private final HttpAdmin admin;
    private final byte[] password;
    private final long maxValueBytes;
    private long requestTimestampNs;
    /** The current request was answered when its head came in; its body is being skipped. */
    private boolean answered;

    /** @param server the server the session belongs to. */
    public HttpSession(final KvServer server)
    {
        super(server);
        this.store = server.store();
        final int maxHead = server.config().maxRequestHead();
        final long area = UnsafeApi.allocateMemory(HttpParser.areaBytes(maxHead));
        this.parser = new HttpParser(pool, area, maxHead, server.config().maxRequestLine());
        this.args = new Arguments(pool, area);
        this.responses = new HttpResponses(output, server.stats());
        this.kv = new HttpKvHandler(store, output, responses, server.stats(), args, area);
        this.admin = new HttpAdmin(server, responses);
        final String pw = server.config().password();
        this.password = pw == null ? null : pw.getBytes(StandardCharsets.UTF_8);
        this.maxValueBytes = store.config().maxValueBytes();
    }

    @Override
    protected void onOpen()
    {
        answered = false;
    }

    @Override
    protected void onClose()
    {
        parser.reset();
        args.clear();
    }

    @Override
    protected void runRequests(final long nowNs)
    {
        while (!closingAfterReply() && !outputWaiting())
        {
            if (!parser.midRequest())
            {
                requestTimestampNs = input.cursorTimestampNs();
            }
            final int result = parser.parse(input, args);
            switch (result)
            {
                case HttpParser.NEED_MORE:
                    return;
                case HttpParser.HEAD:
                    decide();
                    break;
                case HttpParser.REQUEST:
                    if (!answered)
                    {
                        run();
                    }
                    answered = false;
                    args.clear();
                    break;
                case HttpParser.ERROR:
                    server.stats().protocolErrors++;
                    server.stats().errorReplies++;
                    args.clear();
                    final HttpRequestHead head = parser.head();
                    responses.text(parser.errorStatus(), parser.errorText(), null, null, true, head.minorVersion(),
                        head.method() == HttpMethods.HEAD);
                    closeAfterReply();
                    break;
                default:
                    throw new IllegalStateException("parser result " + result);
            }
            if (responses.takeFailed())
            {
                abortConnection();   // the arena has no buffer for a response: the connection cannot be answered
                return;
            }
        }
    }

    /** The head is in: refuse the request at once, or read (or skip) its body. */
    private void decide()
    {
        final HttpRequestHead head = parser.head();
        final ServerStats stats = server.stats();
        stats.requests++;
        stats.httpRequests[head.method()]++;
        final int method = head.method();
        final int resource = head.resource();
        final long length = head.contentLength();
        if (server.failure() != null)
        {
            refuse(503, HttpKvHandler.STORE_FAILED, null, null);   // reads too: they could show writes that were lost
        }
        else if (method == HttpMethods.UNKNOWN)
        {
            refuse(501, "method not implemented: GET, HEAD, PUT, DELETE and POST are", null, null);
        }
        else if (head.expectOther())
        {
            refuse(417, "only the 100-continue expectation is supported", null, null);
        }
        else if (password != null && !authorized(head))
        {
            stats.authFailures++;
            refuse(401, "a bearer token is required: Authorization: Bearer <password>", "WWW-Authenticate", "Bearer");
        }
        else if (resource == HttpRequestHead.NOT_FOUND)
        {
            refuse(404, "no such resource: the paths are /kv/<key>, /kv, /_stats, /metrics, /_scrub", null, null);
        }
        else if (!allowed(resource, method))
        {
            refuse(405, "method not allowed here", "Allow", allow(resource));
        }
        else if (head.targetError() != null)
        {
            refuse(400, head.targetError(), null, null);
        }
        else if (length != HttpRequestHead.NO_CONTENT_LENGTH && length > maxValueBytes)
        {
            refuse(413, "body larger than the store's value limit", null, null);
        }
        else if (method == HttpMethods.PUT && length == HttpRequestHead.NO_CONTENT_LENGTH)
        {
            refuse(411, "a PUT needs a Content-Length (chunked bodies are not supported)", null, null);
        }
        else if (method == HttpMethods.PUT && !store.hasRoomForNewData())
        {
            stats.refusedFull++;
            refuse(507, HttpKvHandler.STORE_FULL, null, null);
        }
        else
        {
            if (length > 0 && head.expectContinue())
            {
                responses.status(100);
                responses.body("\r\n");
            }
            parser.readBody(method == HttpMethods.PUT);
        }
    }

    /**
     * Answers the request now, before its body. The body is then skipped and the connection goes on,
     * unless the client waits for 100 Continue, the body is too large to skip, or the request closes.
     */
    private void refuse(final int status, final String why, final String extraName, final String extraValue)
    {
        final HttpRequestHead head = parser.head();
        requestStarted(RequestLatency.OTHER);
        server.stats().errorReplies++;
        args.clear();   // a PUT's key
        final long length = Math.max(0, head.contentLength());
        final boolean close = !head.keepAlive() || status == 413 || length > 0 && head.expectContinue();
        responses.text(status, why, extraName, extraValue, close, head.minorVersion(), head.method() == HttpMethods.HEAD);
        if (close)
        {
            closeAfterReply();
            return;
        }
        answered = true;
        parser.readBody(false);
    }

    /** The request's head and body are in: run it. */
    private void run()
    {
        final HttpRequestHead head = parser.head();
        final boolean close = !head.keepAlive();
        requestStarted(latencyKind(head));
        if (server.failure() != null)
        {
            // The store failed while this request's body arrived (its head was accepted before): refuse it
            // like every later request. (Today the server aborts every session open at the failing cycle.)
            server.stats().errorReplies++;
            responses.text(503, HttpKvHandler.STORE_FAILED, null, null, close, head.minorVersion(),
                head.method() == HttpMethods.HEAD);
        }
        else
        {
            runOn(head, close);
        }
        if (close)
        {
            closeAfterReply();
        }
    }

    /** @return the kind a request's time in the node is recorded under: a key's PUT or DELETE writes, its GET or HEAD reads. */
    private static int latencyKind(final HttpRequestHead head)
    {
        if (head.resource() != HttpRequestHead.KEY)
        {
            return RequestLatency.OTHER;
        }
        final int method = head.method();
        return method == HttpMethods.PUT || method == HttpMethods.DELETE ? RequestLatency.WRITE : RequestLatency.READ;
    }

    private void runOn(final HttpRequestHead head, final boolean close)
    {
        switch (head.resource())
        {
            case HttpRequestHead.KEY:
                kv.key(head, close, requestTimestampNs);
                break;
            case HttpRequestHead.SCAN:
                kv.scan(head, close);
                break;
            case HttpRequestHead.STATS:
                admin.stats(head, close);
                break;
            case HttpRequestHead.METRICS:
                admin.metrics(head, close);
                break;
            case HttpRequestHead.SCRUB:
                admin.scrub(head, close);
                break;
            default:
                throw new IllegalStateException("resource " + head.resource());
        }
    }

    /** After a persistence failure every request is answered 503 (see {@link #decide()}). */
    @Override
    protected boolean refusesAllAfterFailure()
    {
        return true;
    }

    private boolean authorized(final HttpRequestHead head)
    {
        return head.tokenLength() >= 0
            && PasswordCheck.matches(parser.area() + head.tokenOffset(), head.tokenLength(), password);
    }

    private static boolean allowed(final int resource, final int method)
    {
        switch (resource)
        {
            case HttpRequestHead.KEY:
                return method != HttpMethods.POST;
            case HttpRequestHead.SCRUB:
                return method == HttpMethods.POST;
            default:
                return method == HttpMethods.GET || method == HttpMethods.HEAD;
        }
    }

    private static String allow(final int resource)
    {
        switch (resource)
        {
            case HttpRequestHead.KEY:
                return "GET, HEAD, PUT, DELETE";
            case HttpRequestHead.SCRUB:
                return "POST";
            default:
                return "GET, HEAD";
        }
    }
}
