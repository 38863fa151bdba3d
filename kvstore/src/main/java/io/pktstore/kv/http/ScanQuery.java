package io.pktstore.kv.http;

import io.pktstore.kv.format.NodeLayout;
import org.agrona.UnsafeApi;

/**
 * The query of a scan, {@code GET /kv?start=&after=&end=&limit=}, parsed in place in the head area
 * (values percent-decoded there): {@code start} the inclusive lower bound, {@code after} the exclusive
 * one (to resume after the last key of a page), {@code end} the exclusive upper bound, {@code limit}
 * the most keys (1..{@link #MAX_LIMIT}, default {@link #DEFAULT_LIMIT}). An empty bound is no bound.
 * Unknown or repeated parameters, both lower bounds, and bad escapes are refused (400).
 */
final class ScanQuery
{
    /** Keys returned when the request says no limit. */
    static final int DEFAULT_LIMIT = 100;
    /** Most keys one scan returns. */
    static final int MAX_LIMIT = 1000;

    long area;
    int lowOffset;
    /** Lower bound's length, 0 for none. */
    int lowLength;
    boolean lowInclusive;
    int endOffset;
    /** Upper bound's length, -1 for none. */
    int endLength;
    int limit;
    /** Why the query was refused, after {@link #parse} returned false. */
    String error;
    private boolean seenStart;
    private boolean seenAfter;
    private boolean seenEnd;
    private boolean seenLimit;

    /**
     * @param area the head area.
     * @param offset the query's offset in it.
     * @param length its length (-1: no query).
     * @return true if the query is valid (the fields are set), false with {@link #error} set.
     */
    boolean parse(final long area, final int offset, final int length)
    {
        this.area = area;
        lowOffset = 0;
        lowLength = 0;
        lowInclusive = true;
        endOffset = 0;
        endLength = -1;
        limit = DEFAULT_LIMIT;
        error = null;
        seenStart = false;
        seenAfter = false;
        seenEnd = false;
        seenLimit = false;
        int i = offset;
        final int end = offset + Math.max(0, length);
        while (i < end)
        {
            int amp = i;
            while (amp < end && UnsafeApi.getByte(area + amp) != '&')
            {
                amp++;
            }
            if (amp > i && !parameter(i, amp))
            {
                return false;
            }
            i = amp + 1;
        }
        return true;
    }

    private boolean parameter(final int from, final int to)
    {
        int eq = from;
        while (eq < to && UnsafeApi.getByte(area + eq) != '=')
        {
            eq++;
        }
        final int nameLength = eq - from;
        final int valueOffset = Math.min(eq + 1, to);
        final int decoded = PercentCoding.decodeInPlace(area + valueOffset, to - valueOffset);
        if (decoded == PercentCoding.BAD_ESCAPE)
        {
            return refuse("bad percent-encoding in the query");
        }
        if (decoded > NodeLayout.MAX_KEY_LENGTH)
        {
            return refuse("scan bounds are at most " + NodeLayout.MAX_KEY_LENGTH + " bytes");
        }
        final long name = area + from;
        if (nameLength == 5 && HttpMethods.equalsAscii(name, "start") || nameLength == 5 && HttpMethods.equalsAscii(name, "after"))
        {
            final boolean start = HttpMethods.equalsAscii(name, "start");
            if (start ? seenStart : seenAfter)
            {
                return refuse("repeated query parameter");
            }
            if (seenStart || seenAfter)
            {
                return refuse("give start or after, not both");
            }
            seenStart |= start;
            seenAfter |= !start;
            lowOffset = valueOffset;
            lowLength = decoded;
            lowInclusive = start;
        }
        else if (nameLength == 3 && HttpMethods.equalsAscii(name, "end"))
        {
            if (seenEnd)
            {
                return refuse("repeated query parameter");
            }
            seenEnd = true;
            endOffset = valueOffset;
            endLength = decoded == 0 ? -1 : decoded;
        }
        else if (nameLength == 5 && HttpMethods.equalsAscii(name, "limit"))
        {
            if (seenLimit)
            {
                return refuse("repeated query parameter");
            }
            seenLimit = true;
            int value = 0;
            for (int k = 0; k < decoded; k++)
            {
                final int d = UnsafeApi.getByte(area + valueOffset + k) - '0';
                if (d < 0 || d > 9 || value > MAX_LIMIT)
                {
                    return refuse("limit must be 1 to " + MAX_LIMIT);
                }
                value = value * 10 + d;
            }
            if (decoded == 0 || value < 1 || value > MAX_LIMIT)
            {
                return refuse("limit must be 1 to " + MAX_LIMIT);
            }
            limit = value;
        }
        else
        {
            return refuse("unknown query parameter: the scan takes start, after, end and limit");
        }
        return true;
    }

    private boolean refuse(final String why)
    {
        error = why;
        return false;
    }
}
