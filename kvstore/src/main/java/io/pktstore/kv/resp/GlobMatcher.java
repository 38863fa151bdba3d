package io.pktstore.kv.resp;

import io.pktstore.kv.server.Arguments;
import org.agrona.UnsafeApi;

/**
 * Redis's glob-style pattern match ({@code stringmatchlen}) for SCAN MATCH: {@code *} any bytes,
 * {@code ?} one byte, {@code [abc]} / {@code [^a-z]} sets and ranges, {@code \x} a literal x.
 * Bytewise, case-sensitive; no allocation (recursion only at a {@code *}).
 */
final class GlobMatcher
{
    private GlobMatcher()
    {
    }

    /** @return true if the key matches argument {@code patternArgument}. */
    static boolean matches(final Arguments args, final int patternArgument, final long key, final int keyLength)
    {
        final long pattern = args.address(patternArgument, 4096);
        if (pattern == 0)
        {
            return false;
        }
        return match(pattern, 0, (int)args.length(patternArgument), key, 0, keyLength, 0);
    }

    private static int at(final long address, final int i)
    {
        return UnsafeApi.getByte(address + i) & 0xFF;
    }

    private static boolean match(final long p, final int pi0, final int pl, final long s, final int si0, final int sl,
                                 final int depth)
    {
        int pi = pi0;
        int si = si0;
        if (depth > 1000)
        {
            return false;   // as Redis: a pattern with too many stars does not match rather than recurse forever
        }
        while (pi < pl)
        {
            final int c = at(p, pi);
            switch (c)
            {
                case '*':
                    while (pi + 1 < pl && at(p, pi + 1) == '*')
                    {
                        pi++;
                    }
                    if (pi + 1 == pl)
                    {
                        return true;
                    }
                    for (int k = si; k <= sl; k++)
                    {
                        if (match(p, pi + 1, pl, s, k, sl, depth + 1))
                        {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    if (si == sl)
                    {
                        return false;
                    }
                    si++;
                    break;
                case '[':
                {
                    pi++;
                    final boolean not = pi < pl && at(p, pi) == '^';
                    if (not)
                    {
                        pi++;
                    }
                    boolean matched = false;
                    while (pi < pl && at(p, pi) != ']')
                    {
                        if (at(p, pi) == '\\' && pi + 1 < pl)
                        {
                            pi++;
                            matched |= si < sl && at(p, pi) == at(s, si);
                        }
                        else if (pi + 2 < pl && at(p, pi + 1) == '-')
                        {
                            int lo = at(p, pi);
                            int hi = at(p, pi + 2);
                            if (lo > hi)
                            {
                                final int t = lo;
                                lo = hi;
                                hi = t;
                            }
                            matched |= si < sl && at(s, si) >= lo && at(s, si) <= hi;
                            pi += 2;
                        }
                        else
                        {
                            matched |= si < sl && at(p, pi) == at(s, si);
                        }
                        pi++;
                    }
                    if (si == sl || matched == not)
                    {
                        return false;
                    }
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < pl)
                    {
                        pi++;
                    }
                    if (si == sl || at(p, pi) != at(s, si))
                    {
                        return false;
                    }
                    si++;
                    break;
                default:
                    if (si == sl || c != at(s, si))
                    {
                        return false;
                    }
                    si++;
                    break;
            }
            pi++;
        }
        return si == sl;
    }
}
