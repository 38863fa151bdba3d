package io.pktstore.stack.tcp.algo;

/**
 * Retransmission timeout computation and the retransmission timer of one connection, per RFC 6298.
 * <p>
 * All times are nanoseconds from the caller's clock ({@code nowNs}); nothing here reads a clock.
 * <ul>
 *   <li>2.1: before any RTT sample, RTO = initial RTO (1 s).</li>
 *   <li>2.2: first sample R: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, K*RTTVAR), K = 4.</li>
 *   <li>2.3: later samples R': RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| (with the old SRTT), then
 *       SRTT = 7/8 SRTT + 1/8 R' (alpha = 1/8, beta = 1/4).</li>
 *   <li>2.4: RTO below the minimum is rounded up (RFC minimum 1 s; Linux uses 200 ms, configurable
 *       here). 2.5: a maximum of at least 60 s may be placed on RTO.</li>
 *   <li>3 (Karn): a sample from a retransmitted segment is ignored, unless it was taken from a
 *       timestamp echo (RFC 7323 section 4.1/4.2: TSecr identifies the transmission that was
 *       acknowledged, so the ambiguity Karn avoids does not exist). The caller says which.</li>
 *   <li>5.1-5.3: start when data is sent and the timer is off, stop when all data is acked,
 *       restart when new data is acked ({@link #startIfStopped}, {@link #stop}, {@link #restart}).</li>
 *   <li>5.5: on expiry RTO doubles ({@link #backoff}), bounded by the maximum; the backed-off RTO
 *       stays until a valid sample arrives (Karn), which recomputes RTO from SRTT/RTTVAR.</li>
 *   <li>5.7: if the SYN timed out and no sample was ever taken, RTO is reset to 3 s when data
 *       transmission begins ({@link #onEstablishedAfterSynTimeout}).</li>
 * </ul>
 * Arithmetic is integer nanoseconds; one instance per connection; no allocation.
 */
public final class RetransmissionTimer
{
    /** One second in nanoseconds. */
    public static final long SECOND_NS = 1_000_000_000L;
    /** RFC 6298 2.1 initial RTO: 1 s. */
    public static final long RFC_INITIAL_RTO_NS = SECOND_NS;
    /** RFC 6298 2.4 minimum RTO: 1 s. */
    public static final long RFC_MIN_RTO_NS = SECOND_NS;
    /** Linux's minimum RTO (TCP_RTO_MIN): 200 ms; allowed by RFC 6298 2.4 ("MAY"), used for latency. */
    public static final long LINUX_MIN_RTO_NS = 200_000_000L;
    /** Default maximum RTO: 120 s, as Linux (TCP_RTO_MAX); RFC 6298 2.5 requires at least 60 s. */
    public static final long DEFAULT_MAX_RTO_NS = 120 * SECOND_NS;
    /** RFC 6298 5.7 RTO after a SYN timeout when data transmission begins: 3 s. */
    public static final long POST_SYN_TIMEOUT_RTO_NS = 3 * SECOND_NS;
    /** Default clock granularity G: 1 ms (we measure in ns, but a timer wheel tick is ~1 ms). */
    public static final long DEFAULT_GRANULARITY_NS = 1_000_000L;
    /** RFC 6298 K. */
    private static final int K = 4;

    private final long initialRtoNs;
    private final long minRtoNs;
    private final long maxRtoNs;
    private final long granularityNs;

    private boolean hasSample;
    private long srttNs;
    private long rttvarNs;
    private long baseRtoNs;
    private long rtoNs;
    private int backoffCount;
    private boolean running;
    private long deadlineNs;

    /**
     * @param initialRtoNs  RTO before the first sample (RFC: 1 s).
     * @param minRtoNs      lower bound of RTO (RFC: 1 s; Linux 200 ms), greater than 0.
     * @param maxRtoNs      upper bound of RTO, at least 60 s (RFC 6298 2.5) and at least {@code minRtoNs}.
     * @param granularityNs clock granularity G of the timer that fires RTO, greater than 0.
     * @throws IllegalArgumentException if the bounds are inconsistent or violate RFC 6298 2.5.
     */
    public RetransmissionTimer(
        final long initialRtoNs, final long minRtoNs, final long maxRtoNs, final long granularityNs)
    {
        if (minRtoNs <= 0 || granularityNs <= 0)
        {
            throw new IllegalArgumentException("minRtoNs and granularityNs must be positive: " + minRtoNs + ", " + granularityNs);
        }
        if (maxRtoNs < 60 * SECOND_NS || maxRtoNs < minRtoNs)
        {
            throw new IllegalArgumentException("maxRtoNs " + maxRtoNs + " must be >= 60 s (RFC 6298 2.5) and >= minRtoNs " + minRtoNs);
        }
        if (initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs)
        {
            throw new IllegalArgumentException("initialRtoNs " + initialRtoNs + " outside [minRtoNs, maxRtoNs]");
        }
        this.initialRtoNs = initialRtoNs;
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.granularityNs = granularityNs;
        reset();
    }

    /** @return a timer with the RFC 6298 defaults: initial 1 s, minimum 1 s, maximum 120 s, G = 1 ms. */
    public static RetransmissionTimer rfc6298()
    {
        return new RetransmissionTimer(RFC_INITIAL_RTO_NS, RFC_MIN_RTO_NS, DEFAULT_MAX_RTO_NS, DEFAULT_GRANULARITY_NS);
    }

    /** @return a timer like Linux: initial 1 s, minimum 200 ms, maximum 120 s, G = 1 ms. */
    public static RetransmissionTimer linuxLike()
    {
        return new RetransmissionTimer(RFC_INITIAL_RTO_NS, LINUX_MIN_RTO_NS, DEFAULT_MAX_RTO_NS, DEFAULT_GRANULARITY_NS);
    }

    /** Back to the state of a new connection: no sample, RTO = initial, no backoff, timer stopped. */
    public void reset()
    {
        hasSample = false;
        srttNs = 0;
        rttvarNs = 0;
        baseRtoNs = initialRtoNs;
        rtoNs = initialRtoNs;
        backoffCount = 0;
        running = false;
        deadlineNs = 0;
    }

    /**
     * Feeds one RTT measurement (RFC 6298 section 2 and 3).
     *
     * @param rttNs                  measured round trip, >= 0 (negative values are ignored).
     * @param fromRetransmittedSegment true if the acknowledged segment was retransmitted.
     * @param fromTimestampEcho      true if the sample is now - TSecr of a timestamp option (RFC 7323
     *                               4.1), which is unambiguous even for retransmissions.
     * @return true if the sample was used; false if Karn's rule (or a negative value) rejected it.
     */
    public boolean onRttSample(final long rttNs, final boolean fromRetransmittedSegment, final boolean fromTimestampEcho)
    {
        if (rttNs < 0 || (fromRetransmittedSegment && !fromTimestampEcho))
        {
            return false;
        }
        if (!hasSample)
        {
            // 2.2
            srttNs = rttNs;
            rttvarNs = rttNs / 2;
            hasSample = true;
        }
        else
        {
            // 2.3: RTTVAR first, with the SRTT before this sample.
            rttvarNs = rttvarNs - (rttvarNs >> 2) + (Math.abs(srttNs - rttNs) >> 2);
            srttNs = srttNs - (srttNs >> 3) + (rttNs >> 3);
        }
        baseRtoNs = clamp(srttNs + Math.max(granularityNs, K * rttvarNs));
        // A valid sample ends the backoff (Karn: keep the backed-off RTO until a valid sample).
        rtoNs = baseRtoNs;
        backoffCount = 0;
        return true;
    }

    private long clamp(final long value)
    {
        return Math.min(maxRtoNs, Math.max(minRtoNs, value));
    }

    /** RFC 6298 5.5: the timer expired; RTO doubles, bounded by the maximum. Counts the backoff. */
    public void backoff()
    {
        rtoNs = Math.min(maxRtoNs, rtoNs * 2);
        backoffCount++;
    }

    /** Forgets the backoff: RTO returns to the value computed from SRTT/RTTVAR (or the initial RTO). */
    public void clearBackoff()
    {
        rtoNs = baseRtoNs;
        backoffCount = 0;
    }

    /**
     * RFC 6298 5.7: the SYN (or SYN-ACK) was retransmitted after a timeout and no RTT sample was
     * taken, so when data transmission begins RTO becomes 3 s. Does nothing once a sample exists.
     */
    public void onEstablishedAfterSynTimeout()
    {
        if (!hasSample)
        {
            baseRtoNs = clamp(Math.max(POST_SYN_TIMEOUT_RTO_NS, minRtoNs));
            rtoNs = baseRtoNs;
            backoffCount = 0;
        }
    }

    /** @return the current RTO in ns, including any backoff. */
    public long rtoNs()
    {
        return rtoNs;
    }

    /** @return smoothed RTT in ns, 0 before the first sample. */
    public long srttNs()
    {
        return srttNs;
    }

    /** @return RTT variation in ns, 0 before the first sample. */
    public long rttvarNs()
    {
        return rttvarNs;
    }

    /** @return true once a valid RTT sample has been taken. */
    public boolean hasRttSample()
    {
        return hasSample;
    }

    /** @return how many times RTO was doubled since the last valid sample or clearBackoff (for give-up limits). */
    public int backoffCount()
    {
        return backoffCount;
    }

    /**
     * RFC 6298 5.1: starts the timer (deadline = now + RTO) if it is not running.
     *
     * @param nowNs caller's clock.
     */
    public void startIfStopped(final long nowNs)
    {
        if (!running)
        {
            restart(nowNs);
        }
    }

    /**
     * RFC 6298 5.3 / 5.6: (re)starts the timer to expire RTO from now.
     *
     * @param nowNs caller's clock.
     */
    public void restart(final long nowNs)
    {
        running = true;
        deadlineNs = nowNs + rtoNs;
    }

    /** RFC 6298 5.2: all outstanding data acknowledged; turns the timer off. */
    public void stop()
    {
        running = false;
    }

    /** @return true if the timer is running. */
    public boolean isRunning()
    {
        return running;
    }

    /** @return when the running timer expires (caller's clock); meaningless if not running. */
    public long deadlineNs()
    {
        return deadlineNs;
    }

    /**
     * @param nowNs caller's clock.
     * @return true if the timer is running and its deadline has been reached.
     */
    public boolean isExpired(final long nowNs)
    {
        return running && nowNs - deadlineNs >= 0;
    }

    /** @return the configured minimum RTO. */
    public long minRtoNs()
    {
        return minRtoNs;
    }

    /** @return the configured maximum RTO. */
    public long maxRtoNs()
    {
        return maxRtoNs;
    }
}
