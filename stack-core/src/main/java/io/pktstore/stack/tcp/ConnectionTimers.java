package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.algo.RetransmissionTimer;

/**
 * The deadlines of one connection other than the retransmission timer (which lives in
 * {@link RetransmissionTimer}), as absolute times on the stack's clock, {@link #NONE} when off. The
 * layer keeps one timer-wheel entry per connection at the earliest of them ({@link #earliest}).
 * <pre>
 *   delayedAck  an ACK we hold back (RFC 9293 3.8.6.3)          persist   zero-window probe (3.8.6.1)
 *   timeWait    end of 2*MSL                                     keepAlive idle check / next probe (3.8.4)
 *   finWait2    idle limit of FIN_WAIT_2 (as Linux's tcp_fin_timeout)
 * </pre>
 * Single-threaded; one {@link #reset} per open.
 */
final class ConnectionTimers
{
    /** No deadline. */
    static final long NONE = Long.MAX_VALUE;

    long delayedAck = NONE;
    long persist = NONE;
    long timeWait = NONE;
    long keepAlive = NONE;
    long finWait2 = NONE;
    /** Zero-window probes sent since the window last opened (the probe interval doubles with each). */
    int persistBackoff;
    /** Keep-alive probes sent since the peer was last heard. */
    int keepAliveProbes;
    /** Keep-alive is on for this connection ({@link TcpConnection#keepAlive}). */
    boolean keepAliveOn;

    /** Every deadline off. */
    void reset()
    {
        stopAll();
        persistBackoff = 0;
        keepAliveProbes = 0;
        keepAliveOn = false;
    }

    /** Turns every deadline off (the connection ends or enters TIME_WAIT). */
    void stopAll()
    {
        delayedAck = NONE;
        persist = NONE;
        timeWait = NONE;
        keepAlive = NONE;
        finWait2 = NONE;
    }

    /** @return the earliest deadline, the retransmission timer's included, or {@link #NONE}. */
    long earliest(final RetransmissionTimer rtx)
    {
        long d = rtx.isRunning() ? rtx.deadlineNs() : NONE;
        d = Math.min(d, delayedAck);
        d = Math.min(d, persist);
        d = Math.min(d, timeWait);
        d = Math.min(d, keepAlive);
        return Math.min(d, finWait2);
    }

    /** @return true if {@code deadline} is set and has passed. */
    static boolean due(final long deadline, final long nowNs)
    {
        return deadline != NONE && deadline <= nowNs;
    }
}
