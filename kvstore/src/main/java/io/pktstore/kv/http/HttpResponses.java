package io.pktstore.kv.http;

import io.pktstore.kv.server.OutputChain;
import io.pktstore.kv.server.ServerStats;

/**
 * Writes HTTP/1.1 responses into a session's {@link OutputChain}: status line, header fields, the
 * connection's fate, short text bodies. Values are appended by the caller as clones. Every response is
 * {@code HTTP/1.1} (RFC 9110 6.2: a server sends its own version, also to HTTP/1.0 clients).
 *
 * <p>A write that finds the arena exhausted is remembered ({@link #takeFailed()}): the session cannot
 * answer then and aborts the connection. Allocation-free for constant texts.
 */
final class HttpResponses
{
    static final String TEXT = "text/plain; charset=us-ascii";

    private final OutputChain out;
    private final ServerStats stats;
    private boolean failed;

    HttpResponses(final OutputChain out, final ServerStats stats)
    {
        this.out = out;
        this.stats = stats;
    }

    /** The status line. */
    void status(final int status)
    {
        stats.httpResponses[status]++;
        check(out.writeAscii("HTTP/1.1 ") && out.writeLong(status) && out.writeByte(' ')
            && out.writeAscii(HttpStatus.reason(status)) && out.writeAscii("\r\n"));
    }

    /** A header field with a text value. */
    void header(final String name, final CharSequence value)
    {
        check(out.writeAscii(name) && out.writeAscii(": ") && out.writeAscii(value) && out.writeAscii("\r\n"));
    }

    /** A header field with a decimal value. */
    void header(final String name, final long value)
    {
        check(out.writeAscii(name) && out.writeAscii(": ") && out.writeLong(value) && out.writeAscii("\r\n"));
    }

    /** A header field whose value is {@code length} bytes at {@code address} (already safe for a header). */
    void header(final String name, final long address, final int length)
    {
        check(out.writeAscii(name) && out.writeAscii(": ") && out.write(address, length) && out.writeAscii("\r\n"));
    }

    /**
     * Ends the head: says whether the connection closes ({@code Connection: close}) or, for an HTTP/1.0
     * client that asked for it, stays open ({@code Connection: keep-alive}).
     */
    void endHead(final boolean close, final int minorVersion)
    {
        if (close)
        {
            check(out.writeAscii("Connection: close\r\n"));
        }
        else if (minorVersion == 0)
        {
            check(out.writeAscii("Connection: keep-alive\r\n"));
        }
        check(out.writeAscii("\r\n"));
    }

    /** Raw ASCII body bytes. */
    void body(final CharSequence text)
    {
        check(out.writeAscii(text));
    }

    /** Bytes of a body. */
    void body(final long address, final int length)
    {
        check(out.write(address, length));
    }

    /** One byte of a body. */
    void bodyByte(final int b)
    {
        check(out.writeByte(b));
    }

    /**
     * A whole error (or other short text) response: {@code text} plus a line end is the body.
     *
     * @param extraName an extra header's name (Allow, WWW-Authenticate), or null.
     * @param extraValue its value.
     * @param headOnly true for a HEAD request: the same headers, no body.
     */
    void text(final int status, final String text, final String extraName, final String extraValue,
              final boolean close, final int minorVersion, final boolean headOnly)
    {
        status(status);
        header("Content-Type", TEXT);
        header("Content-Length", text.length() + 1);
        if (extraName != null)
        {
            header(extraName, extraValue);
        }
        endHead(close, minorVersion);
        if (!headOnly)
        {
            body(text);
            bodyByte('\n');
        }
    }

    /** @return true if a write failed since the last call (the arena is exhausted). */
    boolean takeFailed()
    {
        final boolean f = failed;
        failed = false;
        return f;
    }

    /** Remembers a failed write (false). */
    void check(final boolean ok)
    {
        if (!ok)
        {
            failed = true;
        }
    }
}
