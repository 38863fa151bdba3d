package io.pktstore.kv.http;

/** RFC 9110 5.6.2 token characters (methods and header names). */
final class Tokens
{
    private static final boolean[] TCHAR = new boolean[256];

    static
    {
        for (int c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray())
        {
            TCHAR[c] = true;
        }
    }

    private Tokens()
    {
    }

    /** @return true if the byte (0..255) may appear in a token. */
    static boolean isTchar(final int b)
    {
        return TCHAR[b];
    }
}
