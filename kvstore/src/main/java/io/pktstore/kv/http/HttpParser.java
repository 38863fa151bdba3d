package io.pktstore.kv.http;

import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.InputQueue;
import io.pktstore.kv.server.ValueChain;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.UnsafeApi;

/**
 * Incremental HTTP/1.1 request parser over an {@link InputQueue} (RFC 9112), in the manner of
 * picohttpparser and of {@code RespParser}: its state lives here, so it resumes at any byte boundary;
 * it returns int codes and throws nothing; it checks every limit before it takes bytes.
 *
 * <ol>
 *   <li>Request line: found whole (at most {@code maxRequestLine} bytes, else 414), copied into the
 *       head area without passing it, checked, and then passed; a PUT's key, when it is a plain range of
 *       the line, is taken as a range clone of the received record (it becomes the index node), else the
 *       decoded copy in the head area is used.</li>
 *   <li>Header lines: each copied into the head area after the line (the whole head at most
 *       {@code maxRequestHead} bytes, else 431) and interpreted at once; only the fields the server acts
 *       on are remembered ({@link HttpRequestHead}).</li>
 *   <li>{@link #HEAD}: the head is complete and well framed. The session decides, then calls
 *       {@link #readBody(boolean)}: the body's bytes are taken as clone chains as they arrive (a body
 *       larger than the receive window streams through) or skipped.</li>
 * </ol>
 *
 * Strictness (RFC 9112 and 9110): a bare CR, NUL or other control character anywhere in the head,
 * whitespace before a header's colon, obs-fold, a malformed or repeated differing Content-Length,
 * Content-Length with Transfer-Encoding, Transfer-Encoding in HTTP/1.0, and a missing or repeated Host
 * in HTTP/1.1 are errors (400). Transfer-Encoding: {@code chunked} gets 411 (chunked bodies are not
 * supported), any other transfer coding 501. A bare LF ends a line (RFC 9112 2.2 allows it). Every
 * {@link #ERROR} leaves the stream unusable: the session answers it and closes.
 */
public final class HttpParser
{
    /** The input ended before the next step. */
    public static final int NEED_MORE = 0;
    /** A request's head is complete: decide, then call {@link #readBody(boolean)} (or close). */
    public static final int HEAD = 1;
    /** The request's body is complete (in the arguments, or skipped). */
    public static final int REQUEST = 2;
    /** The stream is malformed: answer {@link #errorStatus()} with {@link #errorText()} and close. */
    public static final int ERROR = 3;

    private static final int START = 0;
    private static final int REQUEST_LINE = 1;
    private static final int HEADER = 2;
    private static final int AFTER_HEAD = 3;
    private static final int BODY = 4;
    private static final int FAILED = 5;
    private static final int NONE = PacketRecord.NO_RECORD;
    private static final long TOO_LARGE_DIGITS = 100_000_000_000_000_000L;

    private final long area;
    private final int maxHead;
    private final int maxLine;
    private final HttpRequestHead head = new HttpRequestHead();
    private int state = START;
    /** Bytes of the head area holding this request's head so far. */
    private int used;
    private long bodyLength;
    private long bodyLeft;
    private boolean keepBody;
    private boolean outOfRecords;
    private final ValueChain body;
    /** The key's bytes in the request line are the key (no escapes were decoded). */
    private boolean keyPlain;
    private int errorStatus;
    private String errorText;
    private final String lineTooLong;
    private final String headTooLarge;

    /**
     * @param pool the pool over the stack's arena (clones are made and dropped through it).
     * @param area the head area: {@code maxRequestHead + 2} off-heap bytes, valid for the parser's life
     *             (also the {@link Arguments}' scratch, so that a decoded key can be an argument).
     * @param maxRequestHead longest head (request line, headers, empty line) in bytes.
     * @param maxRequestLine longest request line without its line end.
     */
    public HttpParser(final PacketRecordPool pool, final long area, final int maxRequestHead, final int maxRequestLine)
    {
        this.body = new ValueChain(pool);
        this.area = area;
        this.maxHead = maxRequestHead;
        this.maxLine = maxRequestLine;
        this.lineTooLong = "request line longer than " + maxRequestLine + " bytes";
        this.headTooLarge = "request head larger than " + maxRequestHead + " bytes";
        head.reset();
    }

    /** @return the bytes of the head area the parser needs for these limits. */
    public static int areaBytes(final int maxRequestHead)
    {
        return maxRequestHead + 2;
    }

    /** @return the current request's head (valid from {@link #HEAD} until the next request starts). */
    public HttpRequestHead head()
    {
        return head;
    }

    /** @return the head area's address (offsets in {@link HttpRequestHead} are relative to it). */
    public long area()
    {
        return area;
    }

    /** @return the status to answer after {@link #ERROR}. */
    public int errorStatus()
    {
        return errorStatus;
    }

    /** @return why, for the response's body, after {@link #ERROR}. */
    public String errorText()
    {
        return errorText;
    }

    /** @return true while a request is partly parsed. */
    public boolean midRequest()
    {
        return state != START;
    }

    /**
     * After {@link #HEAD}: read the body of Content-Length bytes (none without one).
     *
     * @param keep true to take it as the request's last argument (a chain of clones), false to skip it.
     */
    public void readBody(final boolean keep)
    {
        bodyLength = Math.max(0, head.contentLength);
        bodyLeft = bodyLength;
        keepBody = keep;
        outOfRecords = false;
        state = BODY;
    }

    /** Drops a partly built body (connection gone) and starts over. */
    public void reset()
    {
        body.release();
        state = START;
        head.reset();
    }

    /**
     * Parses as far as the input allows.
     *
     * @param in the bytes.
     * @param args where a PUT's key (argument 0) and body (argument 1) go; empty at a request's start.
     * @return {@link #NEED_MORE}, {@link #HEAD}, {@link #REQUEST} or {@link #ERROR}.
     */
    public int parse(final InputQueue in, final Arguments args)
    {
        while (true)
        {
            switch (state)
            {
                case START:
                {
                    // RFC 9112 2.2: empty lines before a request line are ignored.
                    if (in.available() == 0)
                    {
                        return NEED_MORE;
                    }
                    head.reset();   // nothing of the last request applies (an error here has no method)
                    final int b = in.peek();
                    if (b == '\n')
                    {
                        in.skip(1);
                        break;
                    }
                    if (b == '\r')
                    {
                        if (in.available() < 2)
                        {
                            return NEED_MORE;
                        }
                        if (in.byteAt(1) != '\n')
                        {
                            return error(400, "bare CR in the request");
                        }
                        in.skip(2);
                        break;
                    }
                    used = 0;
                    keyPlain = false;
                    state = REQUEST_LINE;
                    break;
                }
                case REQUEST_LINE:
                {
                    final int result = requestLine(in, args);
                    if (result != HEAD)
                    {
                        return result;
                    }
                    state = HEADER;
                    break;
                }
                case HEADER:
                {
                    final int result = headerLine(in);
                    if (result != HEAD)
                    {
                        if (result == REQUEST)
                        {
                            break;   // one more header line read
                        }
                        return result;
                    }
                    state = AFTER_HEAD;
                    return HEAD;
                }
                case AFTER_HEAD:
                    return NEED_MORE;   // the session has not decided (it is closing)
                case BODY:
                    return body(in, args);
                case FAILED:
                    return ERROR;
                default:
                    throw new IllegalStateException("parser state " + state);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Request line
    // ------------------------------------------------------------------------------------------

    /** @return HEAD when the line was read, else NEED_MORE or ERROR. */
    private int requestLine(final InputQueue in, final Arguments args)
    {
        final long lf = in.indexOf('\n', maxLine + 2L);
        if (lf < 0)
        {
            return in.available() >= maxLine + 2L ? error(414, lineTooLong) : NEED_MORE;
        }
        final int total = (int)lf + 1;
        in.peekCopy(0, area, total);
        int n = (int)lf;
        if (n > 0 && byteAt(n - 1) == '\r')
        {
            n--;
        }
        if (n > maxLine)
        {
            return error(414, lineTooLong);
        }
        // method SP request-target SP HTTP-version
        int i = 0;
        while (i < n && Tokens.isTchar(byteAt(i)))
        {
            i++;
        }
        if (i == 0 || i >= n || byteAt(i) != ' ')
        {
            return error(400, "malformed request line");
        }
        head.method = HttpMethods.lookup(area, i);
        final int targetStart = ++i;
        while (i < n && byteAt(i) > ' ' && byteAt(i) < 0x7F)
        {
            i++;
        }
        final int targetEnd = i;
        if (targetEnd == targetStart || i >= n || byteAt(i) != ' ')
        {
            return error(400, "malformed request line");
        }
        i++;
        if (n - i != 8 || !HttpMethods.equalsAscii(area + i, "HTTP/") || !digit(byteAt(i + 5)) || byteAt(i + 6) != '.'
            || !digit(byteAt(i + 7)))
        {
            return error(400, "malformed HTTP version");
        }
        if (byteAt(i + 5) != '1')
        {
            return error(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        }
        // RFC 9110 2.5: a later 1.x is answered as the highest 1.x this server implements.
        head.minorVersion = byteAt(i + 7) == '0' ? 0 : 1;
        target(targetStart, targetEnd);
        if (head.method == HttpMethods.PUT && head.resource == HttpRequestHead.KEY && head.targetError == null)
        {
            takeKey(in, args, total);
        }
        else
        {
            in.skip(total);
        }
        used = total;
        return HEAD;
    }

    /** Finds the resource, the key or query in the target (origin-form, or absolute-form). */
    private void target(final int start, final int end)
    {
        int p = start;
        if (byteAt(p) != '/')
        {
            final int scheme = HttpMethods.equalsIgnoreCase(area + p, Math.min(7, end - p), "http://") ? 7
                : HttpMethods.equalsIgnoreCase(area + p, Math.min(8, end - p), "https://") ? 8 : 0;
            if (scheme == 0)
            {
                head.resource = HttpRequestHead.NOT_FOUND;   // "*" (OPTIONS) or nonsense: nothing here
                return;
            }
            p += scheme;
            while (p < end && byteAt(p) != '/')
            {
                p++;   // the authority
            }
            if (p == end)
            {
                return;   // "http://host": the path "/", nothing here
            }
        }
        int pathEnd = p;
        while (pathEnd < end && byteAt(pathEnd) != '?')
        {
            pathEnd++;
        }
        if (pathEnd < end)
        {
            head.queryOffset = pathEnd + 1;
            head.queryLength = end - pathEnd - 1;
        }
        final int length = pathEnd - p;
        if (length >= 4 && HttpMethods.equalsAscii(area + p, "/kv/"))
        {
            head.resource = HttpRequestHead.KEY;
            head.keyOffset = p + 4;
            head.keyLength = length - 4;
            keyPlain = PercentCoding.plain(area + head.keyOffset, head.keyLength);
            if (!keyPlain)
            {
                final int decoded = PercentCoding.decodeInPlace(area + head.keyOffset, head.keyLength);
                if (decoded == PercentCoding.BAD_ESCAPE)
                {
                    head.targetError = "bad percent-encoding in the key";
                    return;
                }
                head.keyLength = decoded;
            }
            if (head.keyLength < 1 || head.keyLength > NodeLayout.MAX_KEY_LENGTH)
            {
                head.targetError = "keys are 1 to " + NodeLayout.MAX_KEY_LENGTH + " bytes";
            }
        }
        else if (length == 3 && HttpMethods.equalsAscii(area + p, "/kv"))
        {
            head.resource = HttpRequestHead.SCAN;
        }
        else if (length == 7 && HttpMethods.equalsAscii(area + p, "/_stats"))
        {
            head.resource = HttpRequestHead.STATS;
        }
        else if (length == 8 && HttpMethods.equalsAscii(area + p, "/metrics"))
        {
            head.resource = HttpRequestHead.METRICS;
        }
        else if (length == 7 && HttpMethods.equalsAscii(area + p, "/_scrub"))
        {
            head.resource = HttpRequestHead.SCRUB;
        }
    }

    /**
     * A PUT's key becomes argument 0: a range clone of the received record when the key was sent plain
     * (no escapes: its bytes on the wire are the key), else the decoded bytes in the head area (the
     * store copies them, the one allowed copy). Passes the request line.
     */
    private void takeKey(final InputQueue in, final Arguments args, final int total)
    {
        final int keyOffset = head.keyOffset;
        final int keyLength = head.keyLength;
        if (keyPlain)
        {
            in.skip(keyOffset);
            final int first = in.cloneRange(keyLength);
            if (first != NONE)
            {
                args.addChain(first, keyLength);
                in.skip(total - keyOffset - keyLength);
                return;
            }
            in.skip(total - keyOffset);   // no record for a clone: the store's copy will fail too, as FULL
        }
        else
        {
            in.skip(total);
        }
        args.addScratch(keyOffset, keyLength);
    }

    // ------------------------------------------------------------------------------------------
    // Header lines
    // ------------------------------------------------------------------------------------------

    /** @return HEAD at the empty line, REQUEST after a header line, else NEED_MORE or ERROR. */
    private int headerLine(final InputQueue in)
    {
        final int budget = maxHead - used;
        final long lf = in.indexOf('\n', budget);
        if (lf < 0)
        {
            return in.available() >= budget ? error(431, headTooLarge) : NEED_MORE;
        }
        final int line = used;
        in.copy(area + line, (int)lf + 1);
        used += (int)lf + 1;
        int n = (int)lf;
        if (n > 0 && byteAt(line + n - 1) == '\r')
        {
            n--;
        }
        if (n == 0)
        {
            return endOfHead();
        }
        final int first = byteAt(line);
        if (first == ' ' || first == '\t')
        {
            return error(400, "obsolete line folding or whitespace before a header name");
        }
        int i = 0;
        while (i < n && Tokens.isTchar(byteAt(line + i)))
        {
            i++;
        }
        final int after = i < n ? byteAt(line + i) : -1;
        if (after != ':')
        {
            return error(400, after == ' ' || after == '\t' ? "whitespace before a header's colon"
                : after == '\r' ? "bare CR in a header" : after == 0 ? "NUL in a header" : "malformed header line");
        }
        if (i == 0)
        {
            return error(400, "empty header name");
        }
        final int nameLength = i;
        i++;
        while (i < n && (byteAt(line + i) == ' ' || byteAt(line + i) == '\t'))
        {
            i++;
        }
        int valueEnd = n;
        while (valueEnd > i && (byteAt(line + valueEnd - 1) == ' ' || byteAt(line + valueEnd - 1) == '\t'))
        {
            valueEnd--;
        }
        for (int k = i; k < valueEnd; k++)
        {
            final int b = byteAt(line + k);
            if (b < ' ' && b != '\t' || b == 0x7F)
            {
                return error(400, b == '\r' ? "bare CR in a header" : b == 0 ? "NUL in a header"
                    : "control character in a header");
            }
        }
        return field(line, nameLength, line + i, valueEnd - i);
    }

    /** Interprets one header field. @return REQUEST to go on, or ERROR. */
    private int field(final int name, final int nameLength, final int value, final int valueLength)
    {
        final long nameAddress = area + name;
        if (HttpMethods.equalsIgnoreCase(nameAddress, nameLength, "content-length"))
        {
            return contentLength(value, valueLength);
        }
        if (HttpMethods.equalsIgnoreCase(nameAddress, nameLength, "transfer-encoding"))
        {
            head.chunkedOnly = !head.transferEncoding
                && HttpMethods.equalsIgnoreCase(area + value, valueLength, "chunked");
            head.transferEncoding = true;
        }
        else if (HttpMethods.equalsIgnoreCase(nameAddress, nameLength, "host"))
        {
            head.hosts++;
        }
        else if (HttpMethods.equalsIgnoreCase(nameAddress, nameLength, "connection"))
        {
            connectionTokens(value, valueLength);
        }
        else if (HttpMethods.equalsIgnoreCase(nameAddress, nameLength, "expect"))
        {
            if (HttpMethods.equalsIgnoreCase(area + value, valueLength, "100-continue"))
            {
                head.expectContinue = true;
            }
            else
            {
                head.expectOther = true;
            }
        }
        else if (HttpMethods.equalsIgnoreCase(nameAddress, nameLength, "authorization"))
        {
            if (valueLength > 7 && HttpMethods.equalsIgnoreCase(area + value, 7, "bearer "))
            {
                int t = value + 7;
                while (t < value + valueLength && byteAt(t) == ' ')
                {
                    t++;
                }
                head.tokenOffset = t;
                head.tokenLength = value + valueLength - t;
            }
        }
        return REQUEST;
    }

    /**
     * Content-Length = 1*DIGIT; a list of identical values ("5, 5", as a proxy may merge repeated fields)
     * is one value (RFC 9110 8.6); anything else, or a value differing from an earlier field, is 400.
     */
    private int contentLength(final int value, final int valueLength)
    {
        int i = value;
        final int end = value + valueLength;
        while (true)
        {
            long parsed = 0;
            final int digitsStart = i;
            while (i < end && digit(byteAt(i)))
            {
                parsed = parsed >= TOO_LARGE_DIGITS ? TOO_LARGE_DIGITS : parsed * 10 + (byteAt(i) - '0');
                i++;
            }
            if (i == digitsStart)
            {
                return error(400, "malformed Content-Length");
            }
            final long length = parsed >= TOO_LARGE_DIGITS ? HttpRequestHead.TOO_LARGE : parsed;
            if (head.contentLength != HttpRequestHead.NO_CONTENT_LENGTH && head.contentLength != length)
            {
                return error(400, "differing Content-Length values");
            }
            head.contentLength = length;
            while (i < end && (byteAt(i) == ' ' || byteAt(i) == '\t'))
            {
                i++;
            }
            if (i == end)
            {
                return REQUEST;
            }
            if (byteAt(i) != ',')
            {
                return error(400, "malformed Content-Length");
            }
            i++;
            while (i < end && (byteAt(i) == ' ' || byteAt(i) == '\t'))
            {
                i++;
            }
        }
    }

    /** Connection = #token: "close" and "keep-alive" matter, others are ignored. */
    private void connectionTokens(final int value, final int valueLength)
    {
        int i = value;
        final int end = value + valueLength;
        while (i < end)
        {
            while (i < end && (byteAt(i) == ' ' || byteAt(i) == '\t' || byteAt(i) == ','))
            {
                i++;
            }
            final int start = i;
            while (i < end && byteAt(i) != ',' && byteAt(i) != ' ' && byteAt(i) != '\t')
            {
                i++;
            }
            if (HttpMethods.equalsIgnoreCase(area + start, i - start, "close"))
            {
                head.connectionClose = true;
            }
            else if (HttpMethods.equalsIgnoreCase(area + start, i - start, "keep-alive"))
            {
                head.connectionKeepAlive = true;
            }
        }
    }

    /** The empty line: checks what only the whole head can tell. */
    private int endOfHead()
    {
        if (head.transferEncoding)
        {
            // RFC 9112 6.1 and 6.3: framing that a front proxy may read differently (request smuggling).
            if (head.contentLength != HttpRequestHead.NO_CONTENT_LENGTH)
            {
                return error(400, "both Content-Length and Transfer-Encoding");
            }
            if (head.minorVersion == 0)
            {
                return error(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            return head.chunkedOnly ? error(411, "chunked bodies are not supported: send a Content-Length")
                : error(501, "transfer coding not implemented: send a Content-Length");
        }
        if (head.hosts > 1 || head.hosts == 0 && head.minorVersion == 1)
        {
            return error(400, head.hosts == 0 ? "missing Host header" : "more than one Host header");
        }
        return HEAD;
    }

    // ------------------------------------------------------------------------------------------
    // Body
    // ------------------------------------------------------------------------------------------

    private int body(final InputQueue in, final Arguments args)
    {
        if (bodyLeft > 0)
        {
            final long n = Math.min(bodyLeft, in.available());
            if (n == 0)
            {
                return NEED_MORE;
            }
            if (!keepBody || outOfRecords)
            {
                in.skip(n);
            }
            else
            {
                // No record left in the arena: parsing keeps in step, the request will be refused.
                outOfRecords = !body.cloneFrom(in, n);
            }
            bodyLeft -= n;
            if (bodyLeft > 0)
            {
                return NEED_MORE;
            }
        }
        if (keepBody)
        {
            if (outOfRecords)
            {
                args.addDiscarded(bodyLength);
            }
            else
            {
                args.addChain(body.take(), bodyLength);
            }
        }
        state = START;
        return REQUEST;
    }

    // ------------------------------------------------------------------------------------------

    private int error(final int status, final String text)
    {
        errorStatus = status;
        errorText = text;
        state = FAILED;
        return ERROR;
    }

    private int byteAt(final int offset)
    {
        return UnsafeApi.getByte(area + offset) & 0xFF;
    }

    private static boolean digit(final int b)
    {
        return b >= '0' && b <= '9';
    }
}
