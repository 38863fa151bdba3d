package io.pktstore.kv.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a stream of HTTP/1.1 responses: each a status line with a known reason phrase, header fields of
 * token names and printable values, and a body of exactly Content-Length bytes (none for 1xx and 204,
 * which must not have a Content-Length); a response to HEAD has none either, so where a body could be
 * either, both readings are tried. {@code Connection: close} only on the last response, and then the
 * connection is closed.
 */
public final class HttpResponseCheck implements SessionFuzzRig.ReplyCheck
{
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ([A-Za-z -]+)\r\n");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
    private static final Pattern FIELD = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+): ([\\x20-\\x7e]*)\r\n");

    @Override
    public String check(final String replies, final boolean closed)
    {
        return responses(replies, 0, closed, 0);
    }

    private String responses(final String s, final int at, final boolean closed, final int depth)
    {
        if (at == s.length())
        {
            return null;
        }
        if (depth > 10_000)
        {
            return "too many responses";
        }
        final Matcher status = STATUS.matcher(s).region(at, s.length());
        if (!status.lookingAt())
        {
            return "no status line at " + at;
        }
        final int code = Integer.parseInt(status.group(1));
        try
        {
            if (!io.pktstore.kv.http.HttpStatus.reason(code).equals(status.group(2)))
            {
                return "reason of " + code + ": " + status.group(2);
            }
        }
        catch (final IllegalArgumentException e)
        {
            return "unknown status " + code;
        }
        int p = status.end();
        long contentLength = -1;
        boolean close = false;
        while (!s.startsWith("\r\n", p))
        {
            final Matcher field = FIELD.matcher(s).region(p, s.length());
            if (!field.lookingAt())
            {
                return "malformed header at " + p;
            }
            if (field.group(1).equalsIgnoreCase("Content-Length"))
            {
                if (contentLength >= 0 || !DIGITS.matcher(field.group(2)).matches())
                {
                    return "bad or repeated Content-Length at " + p;
                }
                contentLength = Long.parseLong(field.group(2));
            }
            if (field.group(1).equalsIgnoreCase("Connection") && field.group(2).equals("close"))
            {
                close = true;
            }
            p = field.end();
        }
        p += 2;
        final boolean bodiless = code < 200 || code == 204;
        if (bodiless != (contentLength < 0))
        {
            return "status " + code + (bodiless ? " with" : " without") + " Content-Length";
        }
        if (close)
        {
            // The last response: its body (or none, for HEAD) ends the stream.
            if (!closed)
            {
                return "Connection: close but the connection stays open";
            }
            return p == s.length() || p + contentLength == s.length() ? null : "bytes after Connection: close";
        }
        if (contentLength > 0 && p + contentLength <= s.length())
        {
            final String withBody = responses(s, (int)(p + contentLength), closed, depth + 1);
            if (withBody == null)
            {
                return null;
            }
            final String headOnly = responses(s, p, closed, depth + 1);
            return headOnly == null ? null : withBody;
        }
        return responses(s, p, closed, depth + 1);
    }
}
