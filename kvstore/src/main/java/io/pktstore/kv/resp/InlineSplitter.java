package io.pktstore.kv.resp;

import io.pktstore.kv.server.Arguments;
import org.agrona.UnsafeApi;

/**
 * Splits an inline request line into arguments as Redis's {@code sdssplitargs} does: arguments are
 * separated by white space; "double quotes" allow the escapes \xHH \n \r \t \b \a \\ \" and 'single
 * quotes' allow \'; a closing quote must be followed by white space or the end of the line. The line
 * is decoded in place (escapes only shrink it) and each argument is recorded as a range of it.
 */
final class InlineSplitter
{
    private InlineSplitter()
    {
    }

    /**
     * @param line the line's first byte (decoded in place).
     * @param length its length without the line end.
     * @param args where the arguments go (as scratch ranges relative to {@code line}).
     * @return false if the quotes are unbalanced.
     */
    static boolean split(final long line, final int length, final Arguments args)
    {
        int read = 0;
        int write = 0;
        while (true)
        {
            while (read < length && isSpace(byteAt(line, read)))
            {
                read++;
            }
            if (read == length)
            {
                return true;
            }
            final int start = write;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (read == length)
                    {
                        return false;   // unterminated
                    }
                    final int c = byteAt(line, read);
                    if (c == '\\' && read + 3 < length + 0 && byteAt(line, read + 1) == 'x'
                        && isHex(byteAt(line, read + 2)) && isHex(byteAt(line, read + 3)))
                    {
                        put(line, write++, hex(byteAt(line, read + 2)) * 16 + hex(byteAt(line, read + 3)));
                        read += 4;
                    }
                    else if (c == '\\' && read + 1 < length)
                    {
                        final int e = byteAt(line, read + 1);
                        put(line, write++, e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b'
                            : e == 'a' ? 7 : e);
                        read += 2;
                    }
                    else if (c == '"')
                    {
                        read++;
                        if (read < length && !isSpace(byteAt(line, read)))
                        {
                            return false;   // a closing quote must be followed by a space
                        }
                        done = true;
                    }
                    else
                    {
                        put(line, write++, c);
                        read++;
                    }
                }
                else if (inSingle)
                {
                    if (read == length)
                    {
                        return false;
                    }
                    final int c = byteAt(line, read);
                    if (c == '\\' && read + 1 < length && byteAt(line, read + 1) == '\'')
                    {
                        put(line, write++, '\'');
                        read += 2;
                    }
                    else if (c == '\'')
                    {
                        read++;
                        if (read < length && !isSpace(byteAt(line, read)))
                        {
                            return false;
                        }
                        done = true;
                    }
                    else
                    {
                        put(line, write++, c);
                        read++;
                    }
                }
                else
                {
                    if (read == length)
                    {
                        done = true;
                        continue;
                    }
                    final int c = byteAt(line, read);
                    if (isSpace(c))
                    {
                        done = true;
                    }
                    else if (c == '"')
                    {
                        inDouble = true;
                        read++;
                    }
                    else if (c == '\'')
                    {
                        inSingle = true;
                        read++;
                    }
                    else
                    {
                        put(line, write++, c);
                        read++;
                    }
                }
            }
            args.addScratch(start, write - start);
        }
    }

    private static int byteAt(final long line, final int i)
    {
        return UnsafeApi.getByte(line + i) & 0xFF;
    }

    private static void put(final long line, final int i, final int b)
    {
        UnsafeApi.putByte(line + i, (byte)b);
    }

    private static boolean isSpace(final int c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static boolean isHex(final int c)
    {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static int hex(final int c)
    {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
