package io.pktstore.stack.tcp;

import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.ge;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * Everything one connection puts on the wire: data as the windows allow (RFC 9293 3.8.6, RFC 5681),
 * retransmissions, our FIN, pure ACKs, SYN/SYN-ACK, zero-window probes and RSTs, each built with the
 * options the connection negotiated and gathered straight from the send queue's records.
 * <p>
 * It reads and advances the connection's send space; it never changes the connection's state.
 * Single-threaded; holds no state of its own beyond scratch arrays.
 */
final class Transmitter
{
    /** Longest zero-window probe interval. */
    private static final long MAX_PERSIST_NS = 60_000_000_000L;

    private final TcpConnection c;
    private final ConnectionServices services;
    private final TcpOptions outOptions = new TcpOptions();
    private final int[] sackLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[TcpOptions.MAX_SACK_BLOCKS];

    Transmitter(final TcpConnection connection, final ConnectionServices services)
    {
        this.c = connection;
        this.services = services;
    }

    /**
     * Sends what the windows allow, a FIN when due, a pending ACK, and arms the persist timer when the
     * peer's window stops us. Sets {@link TcpConnection#outputBlocked} when the output had no room.
     */
    void output(final long nowNs)
    {
        final TcpState state = c.state;
        if (!state.transmitsData())
        {
            // No data flows; only answer with an ACK if one is owed. SYN_RECEIVED is synchronized: its
            // challenge ACKs (RFC 5961) and answers to unacceptable segments (RFC 9293 3.10.7.4) go out.
            if (c.rcv.ackNow && state.synchronizedState())
            {
                sendAck(nowNs);
            }
            c.rcv.ackNow = false;
            return;
        }
        final SendSpace snd = c.snd;
        final int queueEnd = c.transmittableEnd();
        // Held replies (holdSends) are not part of this output: our FIN must follow all of them.
        final boolean finDue = snd.finQueued && queueEnd == c.sendQueue.endSeq();
        // RFC 5681 4.1: after an idle period longer than RTO the old cwnd no longer reflects the path.
        if (snd.una == snd.max && queueEnd != snd.nxt && snd.lastSendNs != 0 && nowNs - snd.lastSendNs > c.rtx.rtoNs())
        {
            c.recovery.onIdleRestart();
        }
        if (!(c.recovery.inRecovery() ? sendInRecovery(queueEnd, finDue, nowNs) : sendData(queueEnd, finDue, nowNs)))
        {
            c.outputBlocked = true;
            return;
        }
        if (c.rcv.ackNow)
        {
            sendAck(nowNs);
        }
        // Peer window closed with data (or our FIN) waiting and nothing in flight: probe it (RFC 9293
        // 3.8.6.1), or a lost window update would stall both sides forever.
        if (snd.peerWindowRoom() <= 0 && (queueEnd - snd.nxt > 0 || finWaitsForWindow()) && snd.una == snd.nxt)
        {
            if (c.timers.persist == ConnectionTimers.NONE)
            {
                c.rtx.stop();
                c.timers.persist = nowNs + persistInterval();
            }
        }
    }

    /**
     * Outside recovery: new data (and, after a timeout's go-back-N rewind, data sent before) from SND.NXT,
     * as the congestion window and the peer's window allow.
     *
     * @return false if the output had no room (try again next duty cycle).
     */
    private boolean sendData(final int queueEnd, final boolean finDue, final long nowNs)
    {
        final SendSpace snd = c.snd;
        final SackScoreboard sacked = c.recovery.sacked;
        while (true)
        {
            if (!sacked.isEmpty() && lt(snd.nxt, snd.max))
            {
                // Resending after a go-back-N rewind: what the peer SACKed need not go again.
                final int skipped = sacked.skip(snd.nxt);
                if (skipped != snd.nxt)
                {
                    snd.nxt = skipped;
                    continue;
                }
            }
            final int inFlight = snd.nxt - snd.una - sacked.bytesBelow(snd.nxt);
            final int sent = sendNewSegment(queueEnd, finDue, c.recovery.sendWindow(snd.wnd) - inFlight, inFlight, nowNs);
            if (sent <= 0)
            {
                return sent == 0;
            }
        }
    }

    /**
     * In recovery (RFC 6675 section 5 step C): while cwnd - pipe allows a segment, NextSeg decides what
     * goes: the segment at SND.UNA if a new loss was just found there (sent regardless of pipe, as RFC
     * 6675 4.3 and RFC 6582 3.2 step 5 say), else the first lost hole above HighRxt (rule 1), else new
     * data (rule 2), else once per recovery a rescue of the highest unSACKed segment (rule 4).
     *
     * @return false if the output had no room (try again next duty cycle).
     */
    private boolean sendInRecovery(final int queueEnd, final boolean finDue, final long nowNs)
    {
        final SendSpace snd = c.snd;
        final LossRecovery recovery = c.recovery;
        int pipe = recovery.pipe(snd.una, snd.max);
        while (true)
        {
            long seq = LossRecovery.NONE;
            boolean rescue = false;
            if (recovery.takeHeadLoss())
            {
                seq = snd.una;
            }
            else if (recovery.cwnd() - pipe < snd.mss)
            {
                return true;
            }
            else if ((seq = recovery.nextLostResend(snd.una)) == LossRecovery.NONE &&
                (seq = recovery.nextLost(snd.una)) == LossRecovery.NONE)
            {
                final int sent = sendNewSegment(queueEnd, finDue, recovery.cwnd() - pipe, pipe, nowNs);
                if (sent != 0)
                {
                    if (sent < 0)
                    {
                        return false;
                    }
                    pipe += sent;
                    continue;
                }
                seq = recovery.rescue(snd.una, snd.max);
                rescue = true;
                if (seq == LossRecovery.NONE)
                {
                    return true;
                }
            }
            final int from = (int)seq;
            final int covered = resend(from, recovery.segmentEnd(from, snd.max), nowNs);
            if (covered < 0)
            {
                return false;
            }
            if (covered == 0)
            {
                return true;
            }
            services.counters.recoveryRetransmits++;
            recovery.resent(from, from + covered, rescue, snd.max);
            pipe += covered;
        }
    }

    /**
     * One segment of new data from SND.NXT (or, rewound, of data sent before), with our FIN when due and
     * there is room for it in the peer's window.
     *
     * @param congestionRoom bytes the congestion window still allows in flight.
     * @param inFlight       bytes counted in flight (sender SWS avoidance: no runt while any are).
     * @return sequence numbers sent, 0 if nothing may go now, -1 if the output had no room.
     */
    private int sendNewSegment(
        final int queueEnd, final boolean finDue, final int congestionRoom, final int inFlight, final long nowNs)
    {
        final SendSpace snd = c.snd;
        final SackScoreboard sacked = c.recovery.sacked;
        final int unsent = queueEnd - snd.nxt;
        if (unsent > 0)
        {
            // Congestion room counts only what is in the network (SACKed bytes are not), but nothing may ever
            // go past the right edge the peer announced: SND.WL2 + SND.WND (the ACK that carried the window
            // plus the window). SND.UNA + SND.WND would overshoot when the window came from an older ACK
            // than SND.UNA, and the peer then drops our segments.
            final int room = Math.min(congestionRoom, snd.peerWindowRoom());
            int length = Math.min(unsent, Math.min(snd.mss, room));
            if (length <= 0)
            {
                return 0;
            }
            if (!sacked.isEmpty() && lt(snd.nxt, snd.max))
            {
                length = Math.min(length, sacked.nextStart(snd.nxt, snd.max) - snd.nxt);
            }
            // Sender SWS avoidance (RFC 9293 3.8.6.2.1): no runt while data is in flight.
            if (length < snd.mss && length < unsent && inFlight > 0)
            {
                return 0;
            }
            // The FIN takes a sequence number too: only with room for it in the peer's window.
            final boolean fin = finDue && snd.nxt + length == queueEnd && snd.peerWindowRoom() > length;
            final int sent = sendSegment(TcpHeader.ACK | (fin ? TcpHeader.FIN : 0) |
                (snd.nxt + length == queueEnd ? TcpHeader.PSH : 0), snd.nxt, length, nowNs);
            if (sent <= 0)
            {
                return sent;
            }
            final int covered = sent + (fin && sent == length ? 1 : 0);
            if (ge(snd.nxt, snd.max))
            {
                c.rttProbe.startIfIdle(snd.nxt, nowNs);
            }
            else
            {
                // A go-back-N resend after a timeout: logged, so that its own loss is found from the ACKs.
                c.recovery.resends.add(snd.nxt, snd.nxt + covered, snd.max);
            }
            snd.advanceNext(snd.nxt + covered);
            c.rtx.startIfStopped(nowNs);
            return covered;
        }
        // A FIN never sent waits for room in the peer's window; one sent before (rewound by go-back-N)
        // goes again as before.
        if (finDue && snd.nxt == queueEnd && (snd.peerWindowRoom() > 0 || gt(snd.max, queueEnd)))
        {
            if (sendSegment(TcpHeader.ACK | TcpHeader.FIN, snd.nxt, 0, nowNs) < 0)
            {
                return -1;
            }
            snd.advanceNext(snd.nxt + 1);
            c.rtx.startIfStopped(nowNs);
            return 1;
        }
        return 0;
    }

    /** @return true if our FIN is due (all data sent) but was never sent. */
    boolean finWaitsForWindow()
    {
        final SendSpace snd = c.snd;
        final int queueEnd = c.sendQueue.endSeq();
        return snd.finQueued && c.transmittableEnd() == queueEnd && snd.nxt == queueEnd && !gt(snd.max, queueEnd);
    }

    long persistInterval()
    {
        final long base = Math.max(c.rtx.rtoNs(), services.config.persistMinNs());
        return Math.min(MAX_PERSIST_NS, base << Math.min(c.timers.persistBackoff, 20));
    }

    /** A pure ACK at a sequence number the peer accepts. */
    void sendAck(final long nowNs)
    {
        sendSegment(TcpHeader.ACK, c.snd.acceptableSeq(), 0, nowNs);
    }

    /**
     * A keep-alive probe (RFC 9293 3.8.4, RFC 1122 4.2.3.6): an ACK one below SND.UNA, no data (as Linux's
     * tcp_xmit_probe_skb), which the peer must answer with an ACK.
     */
    void sendKeepAliveProbe(final long nowNs)
    {
        sendSegment(TcpHeader.ACK, c.snd.una - 1, 0, nowNs);
        services.counters.keepAliveProbes++;
    }

    /** An RST (with ACK) at a sequence number the peer accepts: the abort of RFC 9293 3.10.5. */
    void sendReset(final long nowNs)
    {
        sendSegment(TcpHeader.RST | TcpHeader.ACK, c.snd.acceptableSeq(), 0, nowNs);
        services.counters.rstsSent++;
    }

    /** A SYN (active) or SYN-ACK (passive or simultaneous open) with our options; starts the timer. */
    void sendSyn(final long nowNs)
    {
        final SendSpace snd = c.snd;
        final int flags = c.state == TcpState.SYN_SENT ? TcpHeader.SYN : TcpHeader.SYN | TcpHeader.ACK;
        sendSegment(flags, snd.iss, 0, nowNs);
        if (c.state != TcpState.SYN_SENT)
        {
            services.counters.synAcksSent++;
        }
        snd.advanceNext(snd.iss + 1);
        if (!c.rtx.isRunning())
        {
            c.rtx.restart(nowNs);
        }
        if (snd.consecutiveTimeouts == 0)
        {
            c.rttProbe.start(snd.iss, nowNs);
        }
    }

    /**
     * Zero-window probe (RFC 9293 3.8.6.1): one byte beyond the closed window, or, when only our FIN
     * waits, an ACK below the window (SND.UNA - 1, as Linux's tcp_xmit_probe_skb). Either way the peer
     * must answer with an ACK carrying its window.
     *
     * @return true if a probe went out.
     */
    boolean zeroWindowProbe(final long nowNs)
    {
        final SendSpace snd = c.snd;
        if (snd.peerWindowRoom() > 0 || !c.state.synchronizedState())
        {
            return false;
        }
        if (c.transmittableEnd() != snd.nxt)
        {
            services.counters.zeroWindowProbes++;
            sendSegment(TcpHeader.ACK, snd.nxt, 1, nowNs);
            if (gt(snd.nxt + 1, snd.max))
            {
                snd.max = snd.nxt + 1;
            }
            return true;
        }
        if (finWaitsForWindow())
        {
            services.counters.zeroWindowProbes++;
            sendSegment(TcpHeader.ACK, snd.una - 1, 0, nowNs);
            return true;
        }
        return false;
    }

    /**
     * Retransmits from SND.UNA: one segment of data sent before (and our FIN if it was sent and falls
     * inside).
     *
     * @return sequence numbers the retransmitted segment covers (data plus FIN), 0 if nothing was sent.
     */
    int retransmitFirstUnacked(final long nowNs)
    {
        final SendSpace snd = c.snd;
        final int covered = resend(snd.una, snd.una + snd.mss, nowNs);
        if (covered > 0)
        {
            c.recovery.resends.add(snd.una, snd.una + covered, snd.max);
        }
        return Math.max(0, covered);
    }

    /**
     * Resends [{@code from}, {@code to}) of what was sent before (never beyond SND.MAX; our FIN if it was
     * sent and the range reaches it). Cancels the RTT measurement (Karn).
     *
     * @return sequence numbers covered, 0 if there was nothing to resend, -1 if the output had no room.
     */
    private int resend(final int from, final int to, final long nowNs)
    {
        final SendSpace snd = c.snd;
        final int queueEnd = c.sendQueue.endSeq();
        final boolean finWasSent = snd.finQueued && gt(snd.max, queueEnd);
        // Only what was sent before: bytes beyond SND.MAX are new data and wait for the window.
        final int sentEnd = finWasSent ? queueEnd : snd.max;
        final int dataEnd = lt(to, sentEnd) ? to : sentEnd;
        final int length = Math.max(0, dataEnd - from);
        final boolean fin = finWasSent && from + length == queueEnd && ge(to, queueEnd);
        if (length == 0 && !fin)
        {
            return 0;
        }
        services.counters.retransmits++;
        c.rttProbe.cancel();   // Karn: never time a retransmitted segment.
        final int sent = sendSegment(TcpHeader.ACK | (fin ? TcpHeader.FIN : 0), from, length, nowNs);
        if (sent < 0)
        {
            return -1;
        }
        return sent + (fin && sent == length ? 1 : 0);
    }

    /**
     * Builds and sends one segment; ACK segments carry RCV.NXT and our window, and count as the ACK we
     * owed.
     *
     * @return payload bytes sent (may be fewer than asked when the gather list filled), or -1 if the
     *         output had no room this duty cycle (nothing was sent).
     */
    int sendSegment(final int flags, final int seq, final int dataLength, final long nowNs)
    {
        final TcpState state = c.state;
        final NegotiatedOptions opt = c.opt;
        final boolean syn = (flags & TcpHeader.SYN) != 0;
        final TcpOptions o = outOptions;
        o.clear();
        if (syn)
        {
            final boolean active = state == TcpState.SYN_SENT;
            o.mss(services.localMss());
            // Offer scaling in our SYN; in a SYN-ACK only if the peer offered it (RFC 7323 2.2).
            if (active || opt.peerOfferedScale)
            {
                o.windowScale(active ? services.config.windowScale() : opt.rcvShift);
            }
            if (active ? services.config.sackPermitted() : opt.sack)
            {
                o.sackPermitted(true);
            }
            if (active ? services.config.timestamps() : opt.timestamps)
            {
                o.timestamps(services.tsNow(nowNs), active ? 0 : opt.tsRecent);
            }
        }
        else
        {
            if (opt.timestamps)
            {
                o.timestamps(services.tsNow(nowNs), opt.tsRecent);
            }
            if (opt.sack && !c.outOfOrder.isEmpty())
            {
                final int max = opt.timestamps ? 3 : 4;
                final int n = c.outOfOrder.sackBlocks(sackLeft, sackRight, max);
                for (int i = 0; i < n; i++)
                {
                    o.addSackBlock(sackLeft[i], sackRight[i]);
                }
            }
        }
        final SegmentWriter writer = services.writer;
        final Gather gather = writer.begin(o);
        int sent = 0;
        if (dataLength > 0)
        {
            // MSS counts data only; options take their room from it (RFC 6691).
            sent = c.sendQueue.gather(seq, Math.min(dataLength, c.snd.mss - o.encodedLength()), gather);
        }
        final boolean hasAck = (flags & TcpHeader.ACK) != 0;
        final int windowField = windowField(syn);
        int sendFlags = flags;
        if (sent < dataLength && (flags & TcpHeader.FIN) != 0)
        {
            sendFlags &= ~TcpHeader.FIN;
        }
        final ReceiveSpace rcv = c.rcv;
        final int result = writer.send(
            c.remoteIp, c.localPort, c.remotePort, seq, hasAck ? rcv.nxt : 0, sendFlags, windowField,
            o.encodedLength() == 0 ? null : o, nowNs);
        if (result == Ipv4Output.TX_FULL)
        {
            return -1;
        }
        c.snd.lastSendNs = nowNs;
        if (hasAck)
        {
            opt.lastAckSent = rcv.nxt;
            rcv.ackNow = false;
            rcv.segmentsSinceAck = 0;
            rcv.smallSegmentUnacked = false;
            c.timers.delayedAck = ConnectionTimers.NONE;
        }
        return sent;
    }

    private int windowField(final boolean syn)
    {
        final ReceiveSpace rcv = c.rcv;
        int window = c.receiveWindow();
        // Never shrink the window we already offered (RFC 9293 3.8.6.2.2 / 7323 2.4).
        final int offered = rcv.advertisedEdge - rcv.nxt;
        if (window < offered)
        {
            window = offered;
        }
        final int shift = syn ? 0 : c.opt.rcvShift;
        int field = Math.min(window >>> shift, 0xFFFF);
        if ((field << shift) < offered && field < 0xFFFF)
        {
            // Scaling rounds down: the edge would move left of one already announced, and a peer that
            // filled the window would send its ACKs below our RCV.NXT. Round up instead (as Linux's
            // tcp_select_window); at most 2^shift - 1 bytes beyond the buffer.
            field = Math.min(0xFFFF, (offered + (1 << shift) - 1) >>> shift);
        }
        final int edge = rcv.nxt + (field << shift);
        if (gt(edge, rcv.advertisedEdge))
        {
            rcv.advertisedEdge = edge;
        }
        return field;
    }
}
