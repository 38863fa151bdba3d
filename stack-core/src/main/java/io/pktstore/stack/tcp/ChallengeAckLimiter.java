package io.pktstore.stack.tcp;

/**
 * RFC 5961 section 7: challenge ACKs are rate-limited across the whole layer, so a blind attacker
 * cannot turn the stack into an ACK amplifier. One budget per second of the stack's clock.
 * Single-threaded; shared by every connection of a layer.
 */
final class ChallengeAckLimiter
{
    private static final long SECOND_NS = 1_000_000_000L;
    private final TcpConfig config;
    private final TcpCounters counters;
    private long windowStartNs;
    private int sentInWindow;

    ChallengeAckLimiter(final TcpConfig config, final TcpCounters counters)
    {
        this.config = config;
        this.counters = counters;
    }

    /** @return true if one more challenge ACK may go out now (counted either way). */
    boolean allow(final long nowNs)
    {
        if (nowNs - windowStartNs >= SECOND_NS)
        {
            windowStartNs = nowNs;
            sentInWindow = 0;
        }
        if (sentInWindow < config.challengeAcksPerSecond())
        {
            sentInWindow++;
            counters.challengeAcks++;
            return true;
        }
        counters.challengeAcksSuppressed++;
        return false;
    }
}
