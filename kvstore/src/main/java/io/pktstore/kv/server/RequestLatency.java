package io.pktstore.kv.server;

import org.HdrHistogram.Histogram;

/**
 * How long requests stay in the node, by kind: from the moment a request's parsing completes to the
 * moment its reply is released after the group commit (execution, the wait for the duty cycle's end,
 * the commit). The network's share of a round trip is not in it: clients measure that themselves.
 * HdrHistogram, 3 significant digits from 1 ns to 60 s; recording allocates nothing.
 */
public final class RequestLatency
{
    /** Requests that change data (SET, MSET, DEL, PUT, DELETE). */
    public static final int WRITE = 0;
    /** Requests that read data (GET, MGET, EXISTS, SCAN, HEAD). */
    public static final int READ = 1;
    /** Everything else (PING, INFO, CONFIG, ...). */
    public static final int OTHER = 2;
    /** Names of the kinds, for reports. */
    public static final String[] KIND_NAMES = {"write", "read", "other"};

    private final Histogram[] histograms = {histogram(), histogram(), histogram()};

    private static Histogram histogram()
    {
        return new Histogram(60_000_000_000L, 3);
    }

    /** Records one request's time in the node. */
    public void record(final int kind, final long nanos)
    {
        histograms[kind].recordValue(Math.max(0, Math.min(nanos, 60_000_000_000L)));
    }

    /** @return the histogram of a kind (read on the stack's thread, or copy it). */
    public Histogram histogram(final int kind)
    {
        return histograms[kind];
    }

    /** @return a copy of every kind's histogram (for a reader on another thread). */
    public Histogram[] copy()
    {
        return new Histogram[] {histograms[0].copy(), histograms[1].copy(), histograms[2].copy()};
    }
}
