package io.pktstore.kv.bench;

import java.nio.ByteBuffer;

/**
 * Finds where one reply ends in the bytes a connection received, for the replies a PUT or GET gets:
 * RESP simple strings, errors, integers and bulk strings (also null); HTTP/1.1 responses framed by
 * Content-Length (or none: 204, 304 and 1xx have no body). The generator keeps one request outstanding
 * per connection, so a reply is complete exactly when this finds its end.
 */
final class ReplyFraming
{
    /** No complete reply in the buffer yet. */
    static final int INCOMPLETE = -1;

    private ReplyFraming()
    {
    }

    /**
     * @param protocol the reply's protocol.
     * @param in received bytes in [0, position).
     * @return the reply's length in bytes, or {@link #INCOMPLETE}.
     */
    static int replyLength(final Protocol protocol, final ByteBuffer in)
    {
        return protocol == Protocol.RESP ? respLength(in, in.position()) : httpLength(in, in.position());
    }

    /** @return true if the complete reply of {@code length} bytes at the buffer's start is an error. */
    static boolean isError(final Protocol protocol, final ByteBuffer in)
    {
        if (protocol == Protocol.RESP)
        {
            return in.get(0) == '-';
        }
        final int status = (in.get(9) - '0') * 100 + (in.get(10) - '0') * 10 + (in.get(11) - '0');
        return status >= 400;
    }

    private static int respLength(final ByteBuffer in, final int end)
    {
        final int lineEnd = lineEnd(in, 0, end);
        if (lineEnd == INCOMPLETE)
        {
            return INCOMPLETE;
        }
        final byte type = in.get(0);
        if (type != '$')
        {
            return lineEnd;   // +OK, -ERR ..., :n
        }
        final long length = parseDecimal(in, 1, lineEnd - 2);
        if (length < 0)
        {
            return lineEnd;   // $-1: null
        }
        final long total = lineEnd + length + 2;
        return total <= end ? (int)total : INCOMPLETE;
    }

    private static int httpLength(final ByteBuffer in, final int end)
    {
        int at = 0;
        long contentLength = 0;
        while (true)
        {
            final int lineEnd = lineEnd(in, at, end);
            if (lineEnd == INCOMPLETE)
            {
                return INCOMPLETE;
            }
            if (lineEnd - at == 2)
            {
                final long total = lineEnd + contentLength;
                return total <= end ? (int)total : INCOMPLETE;
            }
            if (startsWithIgnoreCase(in, at, "content-length:"))
            {
                int from = at + "content-length:".length();
                while (in.get(from) == ' ')
                {
                    from++;
                }
                contentLength = parseDecimal(in, from, lineEnd - 2);
            }
            at = lineEnd;
        }
    }

    /** @return the index just after the CRLF of the line starting at {@code from}, or INCOMPLETE. */
    private static int lineEnd(final ByteBuffer in, final int from, final int end)
    {
        for (int i = from; i + 1 < end; i++)
        {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n')
            {
                return i + 2;
            }
        }
        return INCOMPLETE;
    }

    private static long parseDecimal(final ByteBuffer in, final int from, final int to)
    {
        boolean negative = false;
        int i = from;
        if (i < to && in.get(i) == '-')
        {
            negative = true;
            i++;
        }
        long v = 0;
        for (; i < to; i++)
        {
            final int d = in.get(i) - '0';
            if (d < 0 || d > 9)
            {
                throw new IllegalStateException("not a number in a reply at byte " + i);
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private static boolean startsWithIgnoreCase(final ByteBuffer in, final int at, final String prefix)
    {
        if (at + prefix.length() > in.position())
        {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++)
        {
            if (Character.toLowerCase((char)in.get(at + i)) != prefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
