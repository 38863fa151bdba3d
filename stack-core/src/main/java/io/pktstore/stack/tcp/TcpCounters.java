package io.pktstore.stack.tcp;

/**
 * What the TCP layer did and, above all, what it dropped and why. Plain long fields updated on the
 * stack's thread (no atomics: one writer); other threads read a consistent copy through
 * {@link TcpLayer#readCounters}.
 */
public final class TcpCounters
{
    /** Segments handed to TCP by IPv4. */
    public long segmentsIn;
    /** Segments of established connections taken by the fast path (header prediction). */
    public long fastPathSegments;
    /** Segments that went the slow path (every check of RFC 9293 3.10.7). */
    public long slowPathSegments;
    /** Segments given to IPv4 for transmission. */
    public long segmentsOut;
    /** Segments whose transmission IPv4 refused (TX full, no route, too big); the timers recover. */
    public long segmentsOutFailed;
    /** Segments retransmitted (RTO, fast retransmit, partial ACK). */
    public long retransmits;
    /** RTO expiries. */
    public long rtoExpiries;
    /** Fast recoveries entered (the fast retransmit of RFC 5681 / RFC 6675 section 5 step 4). */
    public long fastRetransmits;
    /** Segments resent during fast recovery (RFC 6675 NextSeg: the fast retransmit and every later hole). */
    public long recoveryRetransmits;
    /** Retransmissions found lost again from the ACKs (a later transmission was delivered), not by the timer. */
    public long lostRetransmits;
    /** Timeouts that found the peer had reneged on SACKed data (RFC 2018 8): the scoreboard was cleared. */
    public long sackReneging;
    /** Dropped: TCP header shorter than 20 bytes or a Data Offset that does not fit the segment. */
    public long dropMalformedHeader;
    /** Dropped: malformed options. */
    public long dropMalformedOptions;
    /** Dropped: segment outside the receive window (an ACK was sent unless it was an RST). */
    public long dropOutOfWindow;
    /** Dropped: PAWS rejected an old timestamp (RFC 7323 5). */
    public long dropPaws;
    /** Dropped: ACK of data never sent, or too old (RFC 5961 5.2). */
    public long dropBadAck;
    /** Dropped: no packet record left in the arena for a data segment. */
    public long dropNoRecord;
    /** Dropped: segment without ACK in a synchronized state. */
    public long dropNoAck;
    /** Dropped: data beyond the receive window's right edge (trimmed or discarded). */
    public long dropBeyondWindow;
    /** Dropped: no connection and no listener; an RST was sent (RFC 9293 3.10.7.1). */
    public long dropNoSocket;
    /** Dropped: SYN refused because the connection table is full. */
    public long dropTableFull;
    /** Duplicate data (entirely before RCV.NXT). */
    public long duplicateSegments;
    /** Segments queued out of order. */
    public long outOfOrderQueued;
    /** Dropped: out-of-order segment while the connection already holds a window of smallest segments. */
    public long dropOutOfOrderFull;
    /** RSTs sent. */
    public long rstsSent;
    /** RSTs received that reset a connection. */
    public long rstsAccepted;
    /** Challenge ACKs sent (RFC 5961). */
    public long challengeAcks;
    /** TIME_WAIT connections ended early by a SYN of a new incarnation (RFC 6191). */
    public long timeWaitRecycled;
    /** Challenge ACKs suppressed by the rate limit. */
    public long challengeAcksSuppressed;
    /** SYNs that reached a listening port (new connections, cookies, or refused for a full table). */
    public long listenSyns;
    /** SYN-ACKs sent for half-open connections in the backlog, retransmissions included (cookies: below). */
    public long synAcksSent;
    /** SYN cookies sent because the backlog was full. */
    public long synCookiesSent;
    /** Connections established from a valid SYN cookie. */
    public long synCookiesAccepted;
    /** ACKs in LISTEN with an invalid cookie, or a valid one while no connection object is free (answered with RST). */
    public long synCookiesInvalid;
    /** Zero-window probes sent. */
    public long zeroWindowProbes;
    /** Keep-alive probes sent. */
    public long keepAliveProbes;
    /** Connections reset after their keep-alive probes went unanswered. */
    public long keepAliveTimeouts;
    /** Connections ended by the FIN_WAIT_2 timeout (the peer never sent its FIN). */
    public long finWait2Timeouts;
    /** Connections established (both directions). */
    public long connectionsEstablished;
    /** Connections reset by the peer. */
    public long connectionsReset;
    /** Connections dropped after too many retransmissions or unanswered keep-alive probes (not the FIN_WAIT_2 timeout, counted apart). */
    public long connectionsTimedOut;

    /**
     * Copies every counter (for {@code io.pktstore.stack.CounterSnapshot}).
     *
     * @param from source.
     * @param into destination.
     */
    public static void copy(final TcpCounters from, final TcpCounters into)
    {
        into.segmentsIn = from.segmentsIn;
        into.fastPathSegments = from.fastPathSegments;
        into.slowPathSegments = from.slowPathSegments;
        into.segmentsOut = from.segmentsOut;
        into.segmentsOutFailed = from.segmentsOutFailed;
        into.retransmits = from.retransmits;
        into.rtoExpiries = from.rtoExpiries;
        into.fastRetransmits = from.fastRetransmits;
        into.recoveryRetransmits = from.recoveryRetransmits;
        into.lostRetransmits = from.lostRetransmits;
        into.sackReneging = from.sackReneging;
        into.dropMalformedHeader = from.dropMalformedHeader;
        into.dropMalformedOptions = from.dropMalformedOptions;
        into.dropOutOfWindow = from.dropOutOfWindow;
        into.dropPaws = from.dropPaws;
        into.dropBadAck = from.dropBadAck;
        into.dropNoRecord = from.dropNoRecord;
        into.dropNoAck = from.dropNoAck;
        into.dropBeyondWindow = from.dropBeyondWindow;
        into.dropNoSocket = from.dropNoSocket;
        into.dropTableFull = from.dropTableFull;
        into.duplicateSegments = from.duplicateSegments;
        into.outOfOrderQueued = from.outOfOrderQueued;
        into.dropOutOfOrderFull = from.dropOutOfOrderFull;
        into.rstsSent = from.rstsSent;
        into.rstsAccepted = from.rstsAccepted;
        into.challengeAcks = from.challengeAcks;
        into.timeWaitRecycled = from.timeWaitRecycled;
        into.challengeAcksSuppressed = from.challengeAcksSuppressed;
        into.listenSyns = from.listenSyns;
        into.synAcksSent = from.synAcksSent;
        into.synCookiesSent = from.synCookiesSent;
        into.synCookiesAccepted = from.synCookiesAccepted;
        into.synCookiesInvalid = from.synCookiesInvalid;
        into.zeroWindowProbes = from.zeroWindowProbes;
        into.keepAliveProbes = from.keepAliveProbes;
        into.keepAliveTimeouts = from.keepAliveTimeouts;
        into.finWait2Timeouts = from.finWait2Timeouts;
        into.connectionsEstablished = from.connectionsEstablished;
        into.connectionsReset = from.connectionsReset;
        into.connectionsTimedOut = from.connectionsTimedOut;
    }

    /** @return snake_case name -&gt; value of every counter, in declaration order (allocates). */
    public java.util.Map<String, Long> snapshot()
    {
        final java.util.Map<String, Long> map = new java.util.LinkedHashMap<>();
        map.put("segments_in", segmentsIn);
        map.put("fast_path_segments", fastPathSegments);
        map.put("slow_path_segments", slowPathSegments);
        map.put("segments_out", segmentsOut);
        map.put("segments_out_failed", segmentsOutFailed);
        map.put("retransmits", retransmits);
        map.put("rto_expiries", rtoExpiries);
        map.put("fast_retransmits", fastRetransmits);
        map.put("recovery_retransmits", recoveryRetransmits);
        map.put("lost_retransmits", lostRetransmits);
        map.put("sack_reneging", sackReneging);
        map.put("drop_malformed_header", dropMalformedHeader);
        map.put("drop_malformed_options", dropMalformedOptions);
        map.put("drop_out_of_window", dropOutOfWindow);
        map.put("drop_paws", dropPaws);
        map.put("drop_bad_ack", dropBadAck);
        map.put("drop_no_record", dropNoRecord);
        map.put("drop_no_ack", dropNoAck);
        map.put("drop_beyond_window", dropBeyondWindow);
        map.put("drop_no_socket", dropNoSocket);
        map.put("drop_table_full", dropTableFull);
        map.put("duplicate_segments", duplicateSegments);
        map.put("out_of_order_queued", outOfOrderQueued);
        map.put("drop_out_of_order_full", dropOutOfOrderFull);
        map.put("rsts_sent", rstsSent);
        map.put("rsts_accepted", rstsAccepted);
        map.put("challenge_acks", challengeAcks);
        map.put("time_wait_recycled", timeWaitRecycled);
        map.put("challenge_acks_suppressed", challengeAcksSuppressed);
        map.put("listen_syns", listenSyns);
        map.put("syn_acks_sent", synAcksSent);
        map.put("syn_cookies_sent", synCookiesSent);
        map.put("syn_cookies_accepted", synCookiesAccepted);
        map.put("syn_cookies_invalid", synCookiesInvalid);
        map.put("zero_window_probes", zeroWindowProbes);
        map.put("keep_alive_probes", keepAliveProbes);
        map.put("keep_alive_timeouts", keepAliveTimeouts);
        map.put("fin_wait2_timeouts", finWait2Timeouts);
        map.put("connections_established", connectionsEstablished);
        map.put("connections_reset", connectionsReset);
        map.put("connections_timed_out", connectionsTimedOut);
        return map;
    }

    @Override
    public String toString()
    {
        return "TcpCounters{in=" + segmentsIn + ", fast=" + fastPathSegments + ", slow=" + slowPathSegments +
            ", out=" + segmentsOut + ", outFailed=" + segmentsOutFailed +
            ", retransmits=" + retransmits + ", rto=" + rtoExpiries + ", fastRetransmits=" + fastRetransmits +
            ", recoveryRetransmits=" + recoveryRetransmits + ", lostRetransmits=" + lostRetransmits +
            ", sackReneging=" + sackReneging +
            ", malformedHeader=" + dropMalformedHeader + ", malformedOptions=" + dropMalformedOptions +
            ", outOfWindow=" + dropOutOfWindow + ", paws=" + dropPaws + ", badAck=" + dropBadAck +
            ", noRecord=" + dropNoRecord + ", noAck=" + dropNoAck + ", beyondWindow=" + dropBeyondWindow +
            ", noSocket=" + dropNoSocket + ", tableFull=" + dropTableFull + ", duplicate=" + duplicateSegments +
            ", ooo=" + outOfOrderQueued + ", oooFull=" + dropOutOfOrderFull + ", rstsSent=" + rstsSent + ", rstsAccepted=" + rstsAccepted +
            ", challengeAcks=" + challengeAcks + ", challengeSuppressed=" + challengeAcksSuppressed +
            ", timeWaitRecycled=" + timeWaitRecycled +
            ", listenSyns=" + listenSyns + ", synAcksSent=" + synAcksSent + ", cookiesSent=" + synCookiesSent +
            ", cookiesAccepted=" + synCookiesAccepted +
            ", cookiesInvalid=" + synCookiesInvalid + ", zwp=" + zeroWindowProbes +
            ", keepAliveProbes=" + keepAliveProbes + ", keepAliveTimeouts=" + keepAliveTimeouts +
            ", finWait2Timeouts=" + finWait2Timeouts +
            ", established=" + connectionsEstablished + ", reset=" + connectionsReset +
            ", timedOut=" + connectionsTimedOut + '}';
    }
}
