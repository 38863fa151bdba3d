package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.algo.RetransmissionTimer;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * What one connection does with the ACK of an acceptable segment on the send side (RFC 9293 3.10.7.4,
 * fifth check, with Linux's tcp_ack as the model): the send queue gives up what is acknowledged, the RTT
 * is sampled, SACK blocks and duplicate ACKs feed loss recovery (RFC 6675), the retransmission timer
 * moves, the peer's window is taken, and the application hears how much was acknowledged.
 * <p>
 * It reads and advances the connection's send space; it never changes the connection's state (what an
 * ACK of our FIN means per state stays in {@link TcpConnection}). Single-threaded; holds no state of its
 * own.
 */
final class AckProcessor
{
    /** A timestamp echo older than this is no RTT sample (a peer echoing garbage). */
    private static final int MAX_TIMESTAMP_RTT_MS = 120_000;

    private final SendSpace snd;
    private final NegotiatedOptions opt;
    private final ConnectionTimers timers;
    private final RetransmissionTimer rtx;
    private final RoundTripProbe rttProbe;
    private final LossRecovery recovery;
    private final SendQueue sendQueue;
    private final ApplicationEvents events;
    private final ConnectionServices services;
    private final TcpCounters counters;

    AckProcessor(
        final SendSpace snd,
        final NegotiatedOptions opt,
        final ConnectionTimers timers,
        final RetransmissionTimer rtx,
        final RoundTripProbe rttProbe,
        final LossRecovery recovery,
        final SendQueue sendQueue,
        final ApplicationEvents events,
        final ConnectionServices services)
    {
        this.snd = snd;
        this.opt = opt;
        this.timers = timers;
        this.rtx = rtx;
        this.rttProbe = rttProbe;
        this.recovery = recovery;
        this.sendQueue = sendQueue;
        this.events = events;
        this.services = services;
        this.counters = services.counters;
    }

    /**
     * The ACK of an acceptable segment on the slow path, in a synchronized state: new data acknowledged,
     * SACK and duplicate-ACK accounting, entering recovery (fast retransmit), resends lost again, and the
     * send window update.
     */
    void arrives(final InboundSegment s, final long nowNs)
    {
        final int ack = s.ack;
        final int windowBytes = s.window << opt.sndShift;
        final boolean windowUnchanged = windowBytes == snd.wnd;
        final boolean advances = gt(ack, snd.una);
        int newlySacked = 0;
        if (opt.sack && s.options.sackBlockCount() > 0)
        {
            newlySacked = recovery.recordSack(s.options, advances ? ack : snd.una, snd.max);
        }
        if (advances)
        {
            newData(ack, s.options, nowNs);
        }
        if (snd.max != snd.una)
        {
            // A duplicate: new SACK information (RFC 6675: whatever else the segment carries, even on a
            // cumulative ACK), or RFC 5681's classic one (SND.UNA unmoved, no data, no FIN, same window).
            final boolean classic = !advances && s.payloadLength == 0 && !s.has(TcpHeader.FIN) && windowUnchanged;
            if (newlySacked > 0 || classic)
            {
                recovery.onDuplicateAck(newlySacked, snd.max - snd.una);
            }
            if (recovery.enterRecoveryIfLost(snd.una, snd.max))
            {
                // RFC 6675 5 step 4: fast retransmit of the first unacknowledged segment (the output sends
                // it, then as much as pipe allows).
                counters.fastRetransmits++;
                rtx.restart(nowNs);
            }
            lostResends();
        }

        if (snd.updateWindow(s.seq, ack, windowBytes) && snd.peerWindowRoom() > 0)
        {
            timers.persist = ConnectionTimers.NONE;
            timers.persistBackoff = 0;
        }
    }

    /**
     * Resends lost again (see {@link ResendLog}): in recovery NextSeg sends them first; in a timeout's
     * go-back-N the rewind goes back to the lowest of them, instead of a second timeout.
     */
    private void lostResends()
    {
        final int found = recovery.detectLostResends(snd.una);
        if (found == 0)
        {
            return;
        }
        counters.lostRetransmits += found;
        if (!recovery.inRecovery())
        {
            final long lowest = recovery.resends.lowestLost();
            recovery.resends.dropLost();
            if (lowest != LossRecovery.NONE && lt((int)lowest, snd.nxt) && !lt((int)lowest, snd.una))
            {
                snd.nxt = (int)lowest;
            }
        }
    }

    /**
     * A cumulative ACK of new data (shared by the fast and the slow path): the send queue gives up what is
     * acknowledged, the RTT is sampled, loss recovery and the congestion window move on, the retransmission
     * timer restarts, the application hears how much was acknowledged.
     */
    void newData(final int ack, final TcpOptions o, final long nowNs)
    {
        final int oldUna = snd.una;
        final int queueEnd = sendQueue.endSeq();
        final int dataAcked = sendQueue.acknowledge(lt(ack, queueEnd) ? ack : queueEnd);
        sampleRoundTrip(ack, o, nowNs);
        snd.consecutiveTimeouts = 0;
        snd.una = ack;
        if (lt(snd.nxt, ack))
        {
            snd.nxt = ack;
        }
        final int outcome = recovery.onCumulativeAck(ack, ack - oldUna, snd.max - snd.una);
        if (snd.una == snd.max)
        {
            rtx.stop();
        }
        else if (outcome != LossRecovery.ACK_PARTIAL)
        {
            // RFC 6298 5.3, except after a later partial ACK (RFC 6582 4, "impatient"): a resend that was
            // lost again must reach its timeout.
            rtx.restart(nowNs);
        }
        if (dataAcked > 0)
        {
            events.sendAcked(dataAcked);
        }
    }

    /**
     * An RTT sample for an ACK of new data: the timed segment if the ACK covers it; otherwise, while the
     * RTO is backed off, the timestamp echo (RFC 7323 4.1: TSecr names the transmission that was
     * acknowledged, so even the ACK of a retransmission gives a valid sample). Either ends the backoff,
     * so the next loss waits one RTO, not the doubled one of the last (as Linux's tcp_ack_update_rtt).
     */
    private void sampleRoundTrip(final int ack, final TcpOptions o, final long nowNs)
    {
        final long rtt = rttProbe.sample(ack, nowNs);
        if (rtt >= 0)
        {
            rtx.onRttSample(rtt, false, false);
        }
        else if (rtx.backoffCount() > 0 && opt.timestamps && o.hasTimestamps() && o.tsEcr() != 0)
        {
            final int elapsedMs = services.tsNow(nowNs) - o.tsEcr();
            if (elapsedMs >= 0 && elapsedMs < MAX_TIMESTAMP_RTT_MS)
            {
                rtx.onRttSample(elapsedMs * 1_000_000L, true, true);
            }
        }
    }

    /** The RTT sample of our SYN, once its ACK arrived (SYN_SENT and SYN_RECEIVED). */
    void synRttSample(final long nowNs)
    {
        final long rtt = rttProbe.sampleSyn(nowNs);
        if (rtt >= 0)
        {
            rtx.onRttSample(rtt, false, false);
        }
    }
}
