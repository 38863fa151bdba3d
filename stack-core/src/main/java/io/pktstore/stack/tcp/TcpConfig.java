package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.algo.RetransmissionTimer;

/**
 * Settings of one {@link TcpLayer}. Mutable with fluent setters while the layer is being built; the
 * layer copies nothing, so do not change a config after handing it over. Defaults follow Linux where
 * an RFC leaves a choice, except the timers, which follow RFC 6298.
 */
public final class TcpConfig
{
    private int maxConnections = 4096;
    private int listenBacklog = 128;
    private int receiveBufferBytes = 256 * 1024;
    private int sendBufferBytes = 256 * 1024;
    private int windowScale = 7;
    private boolean timestamps = true;
    private boolean sackPermitted = true;
    private long initialRtoNs = RetransmissionTimer.RFC_INITIAL_RTO_NS;
    private long minRtoNs = RetransmissionTimer.RFC_MIN_RTO_NS;
    private long maxRtoNs = RetransmissionTimer.DEFAULT_MAX_RTO_NS;
    private int maxRetransmissions = 15;
    private int maxSynRetransmissions = 6;
    private long delayedAckNs = 40_000_000L;
    private long timeWaitNs = 60_000_000_000L;
    private long persistMinNs = 200_000_000L;
    private long keepAliveIdleNs = 7_200_000_000_000L;
    private long keepAliveIntervalNs = 75_000_000_000L;
    private int keepAliveProbes = 9;
    private long finWait2TimeoutNs = 60_000_000_000L;
    private int challengeAcksPerSecond = 1000;
    /**
     * Keys ISNs and SYN cookies (RFC 6528 needs a secret no peer can guess), so the default is drawn
     * from the system's secure source; tests that must replay exactly set a fixed seed. Every key is
     * derived from these 64 bits (SipHash's 128-bit keys included).
     */
    private long seed = new java.security.SecureRandom().nextLong();
    private boolean isnWithoutClock;

    /** @return the most connections (any state but LISTEN) alive at once; objects are pre-allocated. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @param n most connections. @return this. */
    public TcpConfig maxConnections(final int n)
    {
        maxConnections = positive(n, "maxConnections");
        return this;
    }

    /**
     * @return the most half-open (SYN_RECEIVED) connections per listener; beyond it SYNs are answered
     * with SYN cookies and hold no state.
     */
    public int listenBacklog()
    {
        return listenBacklog;
    }

    /** @param n backlog bound. @return this. */
    public TcpConfig listenBacklog(final int n)
    {
        listenBacklog = positive(n, "listenBacklog");
        return this;
    }

    /** @return receive window in bytes: unconsumed delivered bytes plus out-of-order bytes stay below it. */
    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    /** @param n receive buffer bytes, 1 KiB .. 1 GiB. @return this. */
    public TcpConfig receiveBufferBytes(final int n)
    {
        if (n < 1024 || n > (1 << 30))
        {
            throw new IllegalArgumentException("receiveBufferBytes must be 1024..2^30, got " + n);
        }
        receiveBufferBytes = n;
        return this;
    }

    /** @return the most bytes (unacknowledged + unsent) a connection queues for sending. */
    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    /** @param n send buffer bytes. @return this. */
    public TcpConfig sendBufferBytes(final int n)
    {
        sendBufferBytes = positive(n, "sendBufferBytes");
        return this;
    }

    /** @return the window shift we offer (RFC 7323), 0..14. */
    public int windowScale()
    {
        return windowScale;
    }

    /** @param shift 0..14. @return this. */
    public TcpConfig windowScale(final int shift)
    {
        if (shift < 0 || shift > 14)
        {
            throw new IllegalArgumentException("windowScale must be 0..14 (RFC 7323 2.3), got " + shift);
        }
        windowScale = shift;
        return this;
    }

    /** @return true if we offer the timestamps option (RFC 7323). */
    public boolean timestamps()
    {
        return timestamps;
    }

    /** @param on offer timestamps. @return this. */
    public TcpConfig timestamps(final boolean on)
    {
        timestamps = on;
        return this;
    }

    /** @return true if we offer SACK-permitted. */
    public boolean sackPermitted()
    {
        return sackPermitted;
    }

    /** @param on offer SACK-permitted. @return this. */
    public TcpConfig sackPermitted(final boolean on)
    {
        sackPermitted = on;
        return this;
    }

    /** @return RTO before any RTT sample (RFC 6298: 1 s). */
    public long initialRtoNs()
    {
        return initialRtoNs;
    }

    /** @return lower bound of RTO. */
    public long minRtoNs()
    {
        return minRtoNs;
    }

    /** @return upper bound of RTO. */
    public long maxRtoNs()
    {
        return maxRtoNs;
    }

    /**
     * @param initialNs initial RTO.
     * @param minNs     minimum RTO (RFC 1 s; Linux 200 ms).
     * @param maxNs     maximum RTO, at least 60 s.
     * @return this.
     */
    public TcpConfig rto(final long initialNs, final long minNs, final long maxNs)
    {
        new RetransmissionTimer(initialNs, minNs, maxNs, RetransmissionTimer.DEFAULT_GRANULARITY_NS);
        initialRtoNs = initialNs;
        minRtoNs = minNs;
        maxRtoNs = maxNs;
        return this;
    }

    /** @return consecutive RTO expiries on data before the connection is dropped. */
    public int maxRetransmissions()
    {
        return maxRetransmissions;
    }

    /** @param n give-up limit. @return this. */
    public TcpConfig maxRetransmissions(final int n)
    {
        maxRetransmissions = positive(n, "maxRetransmissions");
        return this;
    }

    /** @return SYN / SYN-ACK retransmissions before an open fails. */
    public int maxSynRetransmissions()
    {
        return maxSynRetransmissions;
    }

    /** @param n give-up limit for opens. @return this. */
    public TcpConfig maxSynRetransmissions(final int n)
    {
        maxSynRetransmissions = positive(n, "maxSynRetransmissions");
        return this;
    }

    /** @return how long an ACK may be delayed (RFC 9293 3.8.6.3: under 0.5 s; Linux 40 ms). */
    public long delayedAckNs()
    {
        return delayedAckNs;
    }

    /** @param ns delayed ACK timeout, 0 = ACK every segment at once. @return this. */
    public TcpConfig delayedAckNs(final long ns)
    {
        if (ns < 0 || ns >= 500_000_000L)
        {
            throw new IllegalArgumentException("delayedAckNs must be 0..<500 ms (RFC 9293 3.8.6.3), got " + ns);
        }
        delayedAckNs = ns;
        return this;
    }

    /** @return TIME_WAIT duration, 2*MSL. */
    public long timeWaitNs()
    {
        return timeWaitNs;
    }

    /** @param ns 2*MSL; short values are for tests. @return this. */
    public TcpConfig timeWaitNs(final long ns)
    {
        if (ns <= 0)
        {
            throw new IllegalArgumentException("timeWaitNs must be > 0, got " + ns);
        }
        timeWaitNs = ns;
        return this;
    }

    /** @return the shortest zero-window probe interval (the probe timer otherwise follows RTO with backoff). */
    public long persistMinNs()
    {
        return persistMinNs;
    }

    /**
     * @return how long a connection with keep-alive on ({@link TcpConnection#keepAlive}) may hear nothing
     * from its peer before the first probe (Linux tcp_keepalive_time: 2 hours).
     */
    public long keepAliveIdleNs()
    {
        return keepAliveIdleNs;
    }

    /** @return the interval between unanswered keep-alive probes (Linux tcp_keepalive_intvl: 75 s). */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /** @return unanswered probes before the connection is reset and ends TIMED_OUT (Linux: 9). */
    public int keepAliveProbes()
    {
        return keepAliveProbes;
    }

    /**
     * @param idleNs     silence before the first probe, &gt; 0.
     * @param intervalNs between probes, &gt; 0.
     * @param probes     unanswered probes before giving up, &gt; 0.
     * @return this.
     */
    public TcpConfig keepAlive(final long idleNs, final long intervalNs, final int probes)
    {
        if (idleNs <= 0 || intervalNs <= 0)
        {
            throw new IllegalArgumentException("keep-alive idle and interval must be > 0, got " + idleNs + ", " + intervalNs);
        }
        keepAliveIdleNs = idleNs;
        keepAliveIntervalNs = intervalNs;
        keepAliveProbes = positive(probes, "keepAliveProbes");
        return this;
    }

    /**
     * @return how long FIN_WAIT_2 (our FIN acknowledged, the peer's not yet sent) may last with nothing heard
     * from the peer before the connection ends TIMED_OUT (Linux tcp_fin_timeout: 60 s).
     */
    public long finWait2TimeoutNs()
    {
        return finWait2TimeoutNs;
    }

    /** @param ns FIN_WAIT_2 idle limit, &gt; 0. @return this. */
    public TcpConfig finWait2TimeoutNs(final long ns)
    {
        if (ns <= 0)
        {
            throw new IllegalArgumentException("finWait2TimeoutNs must be > 0, got " + ns);
        }
        finWait2TimeoutNs = ns;
        return this;
    }

    /** @return challenge ACKs allowed per second across the layer (RFC 5961 section 7). */
    public int challengeAcksPerSecond()
    {
        return challengeAcksPerSecond;
    }

    /** @param n limit per second. @return this. */
    public TcpConfig challengeAcksPerSecond(final int n)
    {
        challengeAcksPerSecond = positive(n, "challengeAcksPerSecond");
        return this;
    }

    /**
     * @return seed of the generator that keys ISNs, SYN cookies and timestamp offsets: secret and
     * random by default, fixed by tests that replay a run.
     */
    public long seed()
    {
        return seed;
    }

    /** @param s seed; a fixed value makes ISNs predictable, so only for tests and replays. @return this. */
    public TcpConfig seed(final long s)
    {
        seed = s;
        return this;
    }

    /**
     * @return true if ISNs leave out RFC 6528's clock (M): the ISN of a 4-tuple is then a function of
     *         the seed alone.
     */
    public boolean isnWithoutClock()
    {
        return isnWithoutClock;
    }

    /**
     * Leaves the clock out of ISNs, so that with a fixed {@link #seed} every run gives a 4-tuple the
     * same ISN: a capture of a session can be injected into a live stack (tcpreplay) and its recorded
     * ACKs still fit the stack's sequence numbers. Only for replays: the clock is what keeps a new
     * incarnation of a 4-tuple above its predecessor's old duplicates (RFC 9293 3.4.1).
     *
     * @param on true to leave the clock out.
     * @return this.
     */
    public TcpConfig isnWithoutClock(final boolean on)
    {
        isnWithoutClock = on;
        return this;
    }

    private static int positive(final int n, final String name)
    {
        if (n <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0, got " + n);
        }
        return n;
    }
}
