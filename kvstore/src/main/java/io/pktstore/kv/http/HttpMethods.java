package io.pktstore.kv.http;

import org.agrona.UnsafeApi;

/**
 * Request methods as small ints (stats index {@code ServerStats.httpRequests}). Methods are
 * case-sensitive tokens (RFC 9110 9.1): {@code get} is an unknown method, answered 501 like any other.
 */
public final class HttpMethods
{
    /** A syntactically valid method this server does not implement (501). */
    public static final int UNKNOWN = 0;
    /** GET. */
    public static final int GET = 1;
    /** HEAD: GET's headers without the body. */
    public static final int HEAD = 2;
    /** PUT. */
    public static final int PUT = 3;
    /** DELETE. */
    public static final int DELETE = 4;
    /** POST (only {@code /_scrub}). */
    public static final int POST = 5;

    private static final String[] NAMES = {"UNKNOWN", "GET", "HEAD", "PUT", "DELETE", "POST"};

    private HttpMethods()
    {
    }

    /**
     * @param address the method's first byte.
     * @param length its length.
     * @return the method's id, {@link #UNKNOWN} if it is none of the implemented ones.
     */
    public static int lookup(final long address, final int length)
    {
        for (int id = GET; id < NAMES.length; id++)
        {
            final String name = NAMES[id];
            if (name.length() == length && equalsAscii(address, name))
            {
                return id;
            }
        }
        return UNKNOWN;
    }

    /** @return the method's name. */
    public static String name(final int id)
    {
        return NAMES[id];
    }

    /** @return true if the {@code text.length()} bytes at {@code address} are {@code text} exactly. */
    static boolean equalsAscii(final long address, final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            if (UnsafeApi.getByte(address + i) != (byte)text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** @return true if the {@code text.length()} bytes at {@code address} are {@code text} ignoring ASCII case. */
    static boolean equalsIgnoreCase(final long address, final int length, final String text)
    {
        if (length != text.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            int b = UnsafeApi.getByte(address + i) & 0xFF;
            if (b >= 'A' && b <= 'Z')
            {
                b += 'a' - 'A';
            }
            int c = text.charAt(i);
            if (c >= 'A' && c <= 'Z')
            {
                c += 'a' - 'A';
            }
            if (b != c)
            {
                return false;
            }
        }
        return true;
    }
}
