package io.pktstore.kv.testing;

/**
 * Checks a stream of RESP2 replies: simple strings, errors and integers on one line, bulk strings of
 * their declared length (or the null bulk), arrays of well-formed elements (or the null array). A
 * {@code -ERR Protocol error} is the last reply, and the connection is then closed.
 */
public final class RespReplyCheck implements SessionFuzzRig.ReplyCheck
{
    private String s;
    private int p;
    private String problem;

    @Override
    public String check(final String replies, final boolean closed)
    {
        s = replies;
        p = 0;
        problem = null;
        while (p < s.length() && problem == null)
        {
            final boolean protocolError = s.startsWith("-ERR Protocol error", p);
            reply(0);
            if (protocolError && problem == null)
            {
                if (p != s.length())
                {
                    return "replies after a protocol error";
                }
                if (!closed)
                {
                    return "the connection stays open after a protocol error";
                }
            }
        }
        return problem;
    }

    private void reply(final int depth)
    {
        if (problem != null)
        {
            return;
        }
        if (p >= s.length() || depth > 64)
        {
            problem = "reply cut short or too deep at " + p;
            return;
        }
        final char type = s.charAt(p++);
        final String line = line();
        if (line == null)
        {
            return;
        }
        switch (type)
        {
            case '+':
            case '-':
                break;
            case ':':
                if (!digits(line, line.startsWith("-") ? 1 : 0, 19))
                {
                    problem = "integer " + line;
                }
                break;
            case '$':
            {
                final long n = length(line);
                if (n >= 0)
                {
                    if (p + n + 2 > s.length() || !s.startsWith("\r\n", (int)(p + n)))
                    {
                        problem = "bulk of " + n + " not ended at " + p;
                        return;
                    }
                    p += (int)n + 2;
                }
                break;
            }
            case '*':
            {
                final long n = length(line);
                for (long i = 0; i < n && problem == null; i++)
                {
                    reply(depth + 1);
                }
                break;
            }
            default:
                problem = "no reply type at " + (p - 1) + ": " + type;
        }
    }

    private String line()
    {
        final int end = s.indexOf("\r\n", p);
        if (end < 0)
        {
            problem = "line not ended at " + p;
            return null;
        }
        final String line = s.substring(p, end);
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0)
        {
            problem = "CR or LF inside a line at " + p;
            return null;
        }
        p = end + 2;
        return line;
    }

    /** @return true if {@code line} from {@code from} is 1 to {@code max} decimal digits (no regex: the fuzzer calls this a lot). */
    private static boolean digits(final String line, final int from, final int max)
    {
        final int n = line.length() - from;
        if (n < 1 || n > max)
        {
            return false;
        }
        for (int i = from; i < line.length(); i++)
        {
            if (line.charAt(i) < '0' || line.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    private long length(final String line)
    {
        if (line.equals("-1"))
        {
            return -1;
        }
        if (!digits(line, 0, 10))
        {
            problem = "length " + line;
            return -2;
        }
        return Long.parseLong(line);
    }
}
