package io.pktstore.stack.tcp;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;

/**
 * The one segment per round trip a connection times for its RTT estimate (RFC 6298 section 3 with
 * Karn's rule: a retransmission cancels the measurement). Single-threaded; one {@link #cancel} per open.
 */
final class RoundTripProbe
{
    private boolean timing;
    private int seq;
    private long startNs;

    /** Times the segment that starts at {@code sequence}, replacing any measurement running. */
    void start(final int sequence, final long nowNs)
    {
        timing = true;
        seq = sequence;
        startNs = nowNs;
    }

    /** Times the segment at {@code sequence} unless a measurement is running. */
    void startIfIdle(final int sequence, final long nowNs)
    {
        if (!timing)
        {
            start(sequence, nowNs);
        }
    }

    /** Karn: the timed segment (or one before it) was retransmitted; its ACK is no sample. */
    void cancel()
    {
        timing = false;
    }

    /**
     * @param ack the new SND.UNA.
     * @return the round trip of the timed segment if {@code ack} covers it (the measurement ends), else -1.
     */
    long sample(final int ack, final long nowNs)
    {
        if (timing && gt(ack, seq))
        {
            timing = false;
            return nowNs - startNs;
        }
        return -1;
    }

    /** @return the SYN's round trip if it is being timed (the measurement ends), else -1. */
    long sampleSyn(final long nowNs)
    {
        if (timing)
        {
            timing = false;
            return nowNs - startNs;
        }
        return -1;
    }
}
