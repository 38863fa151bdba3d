package io.pktstore.stack.tcp;

import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.OutOfOrderQueue;
import io.pktstore.stack.tcp.algo.RetransmissionTimer;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;
import org.agrona.DirectBuffer;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.ge;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.inWindow;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.le;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * One TCP connection: its transmission control block (RFC 9293 3.3.1) and its event processing
 * (RFC 9293 3.10). Objects are pre-allocated by {@link TcpLayer} and reused; an application holds one
 * from {@link TcpHandler#onConnected} until {@link TcpHandler#onClosed}.
 *
 * <h2>Shape (as smoltcp's socket and Linux's tcp_input.c)</h2>
 * <pre>
 *  segmentArrives --+-- header predicted? --&gt; fastPath  (ESTABLISHED, in-order data or an ACK of new
 *                   |                                   data, window unchanged: two shared steps)
 *                   +-- otherwise ----------&gt; slowPath  (RFC 9293 3.10.7 checks in order)
 *                                               +-- AckProcessor   cumulative ACK (shared), SACK,
 *                                               |                  duplicate ACKs, the peer's window
 *                                               +-- Receiver.inOrder() in-order data (shared)
 *  timersExpire    RTO, delayed ACK, persist, keep-alive, FIN_WAIT_2, TIME_WAIT
 *  then the layer settles the connection: ApplicationEvents delivered to the handler, then
 *  Transmitter.output, then the timer wheel re-armed (or, if it ended, the object retired).
 * </pre>
 * State is grouped, each group with one reset: {@link SendSpace}, {@link ReceiveSpace},
 * {@link NegotiatedOptions}, {@link ConnectionTimers} plus the {@link RetransmissionTimer}, the
 * {@link LossRecovery} (congestion window, SACK scoreboard, RFC 6675 recovery), the {@link SendQueue},
 * the out-of-order tree and the {@link ApplicationEvents}. Every state change goes through {@link #moveTo}, which checks the table
 * drawn once in {@link TcpState}. What goes on the wire is the {@link Transmitter}'s job, what a segment's
 * data becomes (records, the out-of-order tree, the ACK decision) the {@link Receiver}'s, what its ACK
 * does to the send side (the queue, RTT, loss recovery, the peer's window) the {@link AckProcessor}'s;
 * none of them changes the state.
 * <p>
 * Processing never calls the application and never calls the layer: what the application must hear
 * waits in {@link ApplicationEvents}; an end is a state ({@link TcpState#CLOSED} with a reason) the layer
 * finds when it settles the connection. Only the public methods, called by the application outside a
 * callback, ask the {@link Owner} to settle the connection at once.
 * <p>
 * Single-threaded (the stack's thread); nothing here allocates.
 */
public final class TcpConnection
{
    /** No deadline. */
    static final long NO_DEADLINE = ConnectionTimers.NONE;
    /** MSS assumed when the peer sends none (RFC 9293 3.7.1). */
    static final int DEFAULT_MSS = 536;
    /** PAWS: timestamps older than 24 days are not trusted (RFC 7323 5.5). */
    private static final long PAWS_IDLE_NS = 24L * 24 * 3600 * 1_000_000_000L;

    /**
     * Who finishes the work an application call started: delivers the events it caused, runs the output,
     * re-arms the timer, and retires the connection if it ended. The {@link TcpLayer}.
     */
    interface Owner
    {
        /**
         * Settles {@code c} now, unless it is being settled already (the application called from one of
         * its callbacks: the running settle finishes the work).
         */
        void settle(TcpConnection c, long nowNs);
    }

    // ---- collaborators (shared by the layer's connections) ----
    private final ConnectionServices services;
    private final TcpConfig config;
    private final PacketRecordPool pool;
    private final TcpCounters counters;
    private final PacketRecord rec = new PacketRecord();

    // ---- identity (set by open) ----
    TcpState state = TcpState.CLOSED;
    int localPort;
    int remoteIp;
    int remotePort;
    long key;
    TcpHandler handler;
    /** The listener whose backlog this half-open passive connection counts against, else null. */
    TcpLayer.Listener listener;
    /** The application knows this connection (active open, or onConnected queued): it hears onClosed. */
    boolean announced;
    /** Why the connection ended (a {@link TcpCloseReason}), valid once CLOSED. */
    int closeReason;
    private Object attachment;

    // ---- the TCB, grouped ----
    final SendSpace snd = new SendSpace();
    final ReceiveSpace rcv = new ReceiveSpace();
    final NegotiatedOptions opt = new NegotiatedOptions();
    final ConnectionTimers timers = new ConnectionTimers();
    final RetransmissionTimer rtx;
    final RoundTripProbe rttProbe = new RoundTripProbe();
    final LossRecovery recovery;
    final SendQueue sendQueue;
    final OutOfOrderQueue outOfOrder;
    final ApplicationEvents events;
    final Transmitter transmitter;
    final Receiver receiver;
    final AckProcessor acks;

    // ---- the layer's bookkeeping ----
    long wheelTimerId = TcpLayer.NO_TIMER;
    long wheelDeadline = NO_DEADLINE;
    /** In the layer's retry list; set and cleared by the layer only (the list has one slot per object). */
    boolean listedForRetry;
    /** The last output found no room (TX full): the layer lists the connection for a retry. */
    boolean outputBlocked;
    /** Being settled by the layer: application calls from callbacks leave the rest to that settle. */
    boolean settling;
    /** Out of the layer's tables (its end has been handled). */
    boolean retired = true;

    TcpConnection(final ConnectionServices services)
    {
        this.services = services;
        this.config = services.config;
        this.pool = services.pool;
        this.counters = services.counters;
        this.sendQueue = new SendQueue(pool, services.deferredRelease);
        this.outOfOrder = new OutOfOrderQueue(pool.arena()::recordAddress, pool::release);
        this.rtx = new RetransmissionTimer(
            config.initialRtoNs(), config.minRtoNs(), config.maxRtoNs(), RetransmissionTimer.DEFAULT_GRANULARITY_NS);
        this.recovery = new LossRecovery(DEFAULT_MSS, true);
        this.events = new ApplicationEvents(pool);
        this.transmitter = new Transmitter(this, services);
        this.receiver = new Receiver(rcv, opt, timers, outOfOrder, events, services);
        this.acks = new AckProcessor(snd, opt, timers, rtx, rttProbe, recovery, sendQueue, events, services);
    }

    // =====================================================================================
    // Application API
    // =====================================================================================

    /** @return the current state. */
    public TcpState state()
    {
        return state;
    }

    /** @return the peer's IPv4 address (host int). */
    public int remoteIp()
    {
        return remoteIp;
    }

    /** @return the peer's port. */
    public int remotePort()
    {
        return remotePort;
    }

    /** @return our port. */
    public int localPort()
    {
        return localPort;
    }

    /** @return the application's object attached to this connection, or null. */
    public Object attachment()
    {
        return attachment;
    }

    /** @param value an object the application wants to find again from this connection. */
    public void attach(final Object value)
    {
        attachment = value;
    }

    /** @return the effective send MSS. */
    public int mss()
    {
        return snd.mss;
    }

    /** @return bytes the application may still queue with {@link #send} / {@link #sendRecords}. */
    public int sendSpace()
    {
        return Math.max(0, config.sendBufferBytes() - sendQueue.bytes());
    }

    /** @return bytes queued and not yet acknowledged (sent or not). */
    public int sendQueued()
    {
        return sendQueue.bytes();
    }

    /** @return delivered bytes the application has not yet reported {@link #consumed}. */
    public int unconsumed()
    {
        return rcv.unconsumed;
    }

    /** @return the peer's current send window in bytes (already scaled). */
    public int peerWindow()
    {
        return snd.wnd;
    }

    /** @return the retransmission timer (RTO, SRTT) of this connection, read-only use. */
    public RetransmissionTimer retransmissionTimer()
    {
        return rtx;
    }

    /** @return the congestion window and loss recovery (cwnd, ssthresh, recovery state), read-only use. */
    public LossRecovery congestionControl()
    {
        return recovery;
    }

    /**
     * Copies bytes into the send queue (one copy, into arena buffers) and transmits what the windows
     * allow.
     *
     * @return bytes accepted: fewer than asked when the send buffer or the arena is full; 0 when the
     *         connection no longer sends (closed or FIN queued).
     */
    public int send(final DirectBuffer source, final int offset, final int length, final long nowNs)
    {
        if (!state.acceptsSend() || snd.finQueued || length <= 0)
        {
            return 0;
        }
        final int accepted = sendQueue.appendCopy(source, offset, Math.min(length, sendSpace()));
        if (accepted > 0)
        {
            rcv.applicationAnswers = true;
            services.owner.settle(this, nowNs);
        }
        return accepted;
    }

    /**
     * Sends the data of a chain of packet records (linked through {@code next}) without copying: the
     * segments gather straight from the records' payload buffers. Like {@link #send}, it respects the send
     * buffer: records are queued from the head as long as their bytes fit in {@link #sendSpace()}; the
     * connection takes ownership of every record it queues (overwriting their {@code next}) and releases
     * each once acknowledged (pass clones to keep the bytes).
     *
     * @param head first record of the chain.
     * @return {@link PacketRecord#NO_RECORD} if the whole chain was queued. Otherwise the first record that
     *         was NOT queued: it and the records after it (still linked through {@code next}) remain the
     *         caller's, to pass again once {@link #sendSpace()} has grown (see
     *         {@link TcpHandler#onSendAcked}) or to release. When the connection no longer sends (closed, or
     *         our FIN queued) nothing is queued and {@code head} is returned.
     */
    public int sendRecords(final int head, final long nowNs)
    {
        if (!state.acceptsSend() || snd.finQueued)
        {
            return head;
        }
        int record = head;
        boolean queued = false;
        while (record != PacketRecord.NO_RECORD)
        {
            rec.wrap(pool.arena(), record);
            if (rec.dataLength() > sendSpace())
            {
                break;
            }
            final int next = rec.next();
            sendQueue.appendRecord(record);
            queued = true;
            record = next;
        }
        if (queued)
        {
            rcv.applicationAnswers = true;
            services.owner.settle(this, nowNs);
        }
        return record;
    }

    /**
     * From now on, data the application queues ({@link #send}, {@link #sendRecords}) waits in the send
     * queue until {@link #releaseHeldSends} lets it go; ACKs, retransmissions of data already released,
     * window updates and probes keep flowing. A store uses this to queue each reply as soon as its
     * request has run and release them all after the group commit made those requests durable, so no
     * reply can leave before its request's commit. Our FIN also waits for the release. Stays on for
     * the rest of the connection.
     */
    public void holdSends()
    {
        if (!snd.holding)
        {
            snd.holding = true;
            snd.releasedEnd = sendQueue.endSeq();
        }
    }

    /** Lets everything queued so far go out (no-op unless {@link #holdSends()} is on). */
    public void releaseHeldSends(final long nowNs)
    {
        if (snd.holding && snd.releasedEnd != sendQueue.endSeq())
        {
            snd.releasedEnd = sendQueue.endSeq();
            services.owner.settle(this, nowNs);
        }
    }

    /** @return bytes queued but held back by {@link #holdSends()} (0 when not holding). */
    public int heldBytes()
    {
        return snd.holding ? sendQueue.endSeq() - snd.releasedEnd : 0;
    }

    /** @return the end of what may be transmitted: the queue's end, or the release point while holding. */
    int transmittableEnd()
    {
        return snd.holding ? snd.releasedEnd : sendQueue.endSeq();
    }

    /**
     * Turns TCP keep-alive on or off for this connection (off by default; RFC 9293 3.8.4, RFC 1122
     * 4.2.3.6). When on, a connection in ESTABLISHED or CLOSE_WAIT with nothing in flight that has heard
     * nothing from its peer for {@link TcpConfig#keepAliveIdleNs()} sends a probe (an ACK below SND.UNA the
     * peer must answer) every {@link TcpConfig#keepAliveIntervalNs()}; after
     * {@link TcpConfig#keepAliveProbes()} unanswered probes it sends RST and ends with
     * {@link TcpCloseReason#TIMED_OUT}. Any segment from the peer restarts the idle time.
     *
     * @param on    true to probe an idle peer.
     * @param nowNs the stack's clock.
     */
    public void keepAlive(final boolean on, final long nowNs)
    {
        if (state == TcpState.CLOSED || timers.keepAliveOn == on)
        {
            return;
        }
        timers.keepAliveOn = on;
        timers.keepAliveProbes = 0;
        timers.keepAlive = on ? rcv.lastReceiveNs + config.keepAliveIdleNs() : NO_DEADLINE;
        services.owner.settle(this, nowNs);
    }

    /** @return true if keep-alive is on ({@link #keepAlive}). */
    public boolean keepAliveOn()
    {
        return timers.keepAliveOn;
    }

    /**
     * The application is done with {@code bytes} delivered bytes: they no longer count against the
     * receive window. Sends a window update when the window opens enough to matter.
     */
    public void consumed(final int bytes, final long nowNs)
    {
        if (bytes <= 0 || state == TcpState.CLOSED)
        {
            return;
        }
        final int before = receiveWindow();
        rcv.unconsumed = Math.max(0, rcv.unconsumed - bytes);
        final int after = receiveWindow();
        final int advertised = rcv.announcedWindow();
        final int worthwhile = Math.min(config.receiveBufferBytes() / 2, 2 * snd.mss);
        // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): a window update only when the window we
        // advertised had become small and grows by a worthwhile amount; otherwise the next ACK carries it.
        final boolean windowUpdate = advertised < worthwhile && after - advertised >= worthwhile && before != after;
        // As Linux's tcp_cleanup_rbuf: everything delivered is consumed, a small segment is among it and no
        // reply will carry the ACK: acknowledge now, or a Nagle sender waits for our delayed ACK.
        final boolean drainedSmallSegment = rcv.smallSegmentUnacked && rcv.unconsumed == 0 && !rcv.applicationAnswers;
        if ((windowUpdate || drainedSmallSegment) && state.receivesData())
        {
            rcv.ackNow = true;
            services.owner.settle(this, nowNs);
        }
    }

    /**
     * Closes our direction: a FIN follows the queued data. The connection lives on until both FINs are
     * acknowledged (and TIME_WAIT ends if we closed first).
     */
    public void close(final long nowNs)
    {
        switch (state)
        {
            case SYN_SENT:
                // Nothing was exchanged yet: just forget it (RFC 9293 3.10.4).
                end(TcpCloseReason.NORMAL);
                break;
            case SYN_RECEIVED:
                // The FIN waits until the handshake completes (established() moves to FIN_WAIT_1).
                snd.finQueued = true;
                return;
            case ESTABLISHED:
                snd.finQueued = true;
                moveTo(TcpState.FIN_WAIT_1, nowNs);
                break;
            case CLOSE_WAIT:
                snd.finQueued = true;
                moveTo(TcpState.LAST_ACK, nowNs);
                break;
            case CLOSED:
            case LISTEN:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                // Already closing or closed: nothing more to do (RFC 9293 3.10.4 "error: connection closing").
                return;
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
        services.owner.settle(this, nowNs);
    }

    /** Aborts: sends RST (in synchronized states) and drops everything at once (RFC 9293 3.10.5). */
    public void abort(final long nowNs)
    {
        if (state == TcpState.CLOSED)
        {
            return;
        }
        if (state.synchronizedState() && state != TcpState.TIME_WAIT)
        {
            transmitter.sendReset(nowNs);
        }
        end(TcpCloseReason.ABORTED);
        services.owner.settle(this, nowNs);
    }

    // =====================================================================================
    // Opening (called by the layer): one reset, then one of three ways in
    // =====================================================================================

    /** Makes this free object the connection of a 4-tuple: every group back to a new connection's state. */
    void init(final int localPort, final int remoteIp, final int remotePort, final long key, final TcpHandler handler,
        final long nowNs)
    {
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.key = key;
        this.handler = handler;
        listener = null;
        announced = false;
        closeReason = -1;
        attachment = null;
        retired = false;
        outputBlocked = false;
        settling = false;
        // listedForRetry stays: it says the object sits in the layer's retry list, which may still hold it
        // from the previous connection (the layer's poll clears it when it takes the entry).
        snd.reset(0, DEFAULT_MSS);
        rcv.reset(nowNs);
        opt.reset();
        timers.reset();
        rtx.reset();
        rttProbe.cancel();
        recovery.reset(DEFAULT_MSS, 0);
        events.reset();
    }

    private void startSendSpace(final int isn)
    {
        snd.reset(isn, snd.mss);
        sendQueue.reset(isn + 1);
    }

    /** Active open: sends SYN (RFC 9293 3.10.1). The application holds the object: it is announced. */
    void openActive(final int isn, final long nowNs)
    {
        announced = true;
        startSendSpace(isn);
        opt.rcvShift = config.windowScale();
        moveTo(TcpState.SYN_SENT, nowNs);
        transmitter.sendSyn(nowNs);
    }

    /** Passive open from a SYN in LISTEN (RFC 9293 3.10.7.2): records the peer's options, sends SYN-ACK. */
    void openPassive(final InboundSegment s, final int isn, final TcpLayer.Listener from, final long nowNs)
    {
        listener = from;
        from.synReceived++;
        startSendSpace(isn);
        acceptSynOptions(s);
        rcv.synchronize(s.seq);
        // Our SYN-ACK acknowledges RCV.NXT (RFC 7323 4.3 anchor) even if it does not fit the TX ring now.
        opt.lastAckSent = rcv.nxt;
        if (opt.timestamps)
        {
            opt.tsRecentNs = nowNs;
        }
        snd.wnd = s.window;   // never scaled in a SYN (RFC 7323 2.2)
        snd.wl1 = s.seq;
        moveTo(TcpState.SYN_RECEIVED, nowNs);
        transmitter.sendSyn(nowNs);
    }

    /**
     * Connection made from a valid SYN cookie: state ESTABLISHED at once, options as the cookie encoded.
     */
    void openFromCookie(
        final InboundSegment s, final int mss, final int peerWindowScale, final boolean sack, final long nowNs)
    {
        startSendSpace(s.ack - 1);
        snd.una = s.ack;
        snd.nxt = s.ack;
        snd.max = s.ack;
        rcv.synchronize(s.seq - 1);
        // The cookie SYN-ACK acknowledged up to here: segments at RCV.NXT update TS.Recent (RFC 7323 4.3).
        opt.lastAckSent = rcv.nxt;
        snd.mss = Math.min(mss, services.localMss());
        if (peerWindowScale >= 0)
        {
            opt.sndShift = peerWindowScale;
            opt.rcvShift = config.windowScale();
        }
        opt.sack = sack && config.sackPermitted();
        opt.timestamps = s.options.hasTimestamps() && config.timestamps();
        if (opt.timestamps)
        {
            opt.recordTimestamp(s.options.tsVal(), nowNs);
        }
        snd.wnd = s.window << opt.sndShift;
        snd.maxWnd = snd.wnd;
        snd.wl1 = s.seq;
        snd.wl2 = s.ack;
        rcv.advertisedEdge = rcv.nxt + receiveWindow();
        recovery.reset(snd.mss, snd.iss);
        counters.synCookiesAccepted++;
        established(nowNs);
    }

    private void acceptSynOptions(final InboundSegment s)
    {
        final TcpOptions o = s.options;
        final int peerMss = o.hasMss() ? o.mss() : DEFAULT_MSS;
        snd.mss = Math.max(64, Math.min(peerMss, services.localMss()));
        opt.peerOfferedScale = o.hasWindowScale();
        if (opt.peerOfferedScale)
        {
            opt.sndShift = o.windowScale();
            opt.rcvShift = config.windowScale();
        }
        else
        {
            opt.sndShift = 0;
            opt.rcvShift = 0;
        }
        opt.sack = o.sackPermitted() && config.sackPermitted();
        opt.timestamps = o.hasTimestamps() && config.timestamps();
        if (opt.timestamps)
        {
            opt.tsRecent = o.tsVal();
        }
        recovery.reset(snd.mss, snd.iss);
    }

    // =====================================================================================
    // State changes: the one method, the table in TcpState
    // =====================================================================================

    /**
     * Moves to {@code next} and does what entering it means.
     *
     * @throws IllegalStateException if {@link TcpState} draws no such move (a bug).
     */
    private void moveTo(final TcpState next, final long nowNs)
    {
        if (!state.canMoveTo(next))
        {
            throw new IllegalStateException("no move " + state + " -> " + next + " in " + this);
        }
        state = next;
        switch (next)
        {
            case ESTABLISHED:
                counters.connectionsEstablished++;
                break;
            case TIME_WAIT:
                // Nothing more to send or to reassemble: hold the 4-tuple for 2*MSL, answer retransmitted FINs.
                rtx.stop();
                timers.stopAll();
                timers.timeWait = nowNs + config.timeWaitNs();
                sendQueue.clear();
                outOfOrder.clear();
                break;
            case CLOSED:
                sendQueue.clear();
                outOfOrder.clear();
                rtx.stop();
                timers.stopAll();
                break;
            case FIN_WAIT_2:
                // Our side is done; a peer that never closes its side must not hold the object forever
                // (as Linux's tcp_fin_timeout). Segments from the peer keep it alive.
                timers.finWait2 = nowNs + config.finWait2TimeoutNs();
                break;
            case SYN_SENT:
            case SYN_RECEIVED:
            case FIN_WAIT_1:
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
            case LISTEN:
                break;
            default:
                throw new IllegalStateException(String.valueOf(next));
        }
    }

    /** The connection ends ({@code reason} for onClosed); the layer retires the object when it settles. */
    void end(final int reason)
    {
        if (state == TcpState.CLOSED)
        {
            return;
        }
        closeReason = reason;
        moveTo(TcpState.CLOSED, 0);
    }

    /** The handshake completed (or a cookie opened us): ESTABLISHED, the application hears of it. */
    private void established(final long nowNs)
    {
        moveTo(TcpState.ESTABLISHED, nowNs);
        rtx.stop();
        snd.consecutiveTimeouts = 0;
        if (rtx.backoffCount() > 0)
        {
            rtx.onEstablishedAfterSynTimeout();
        }
        if (listener != null)
        {
            listener.synReceived--;
            listener = null;
        }
        if (snd.finQueued)
        {
            // The application closed during the handshake (simultaneous open): our FIN goes now.
            moveTo(TcpState.FIN_WAIT_1, nowNs);
            return;
        }
        announced = true;
        events.connected();
    }

    // =====================================================================================
    // Segment arrives (RFC 9293 3.10.7)
    // =====================================================================================

    /**
     * Processes one segment for this connection. Calls no application code: the layer settles the
     * connection afterwards.
     *
     * @return true if the connection took the segment's buffer (made a packet record of it).
     */
    boolean segmentArrives(final InboundSegment s, final long nowNs)
    {
        if (state == TcpState.ESTABLISHED && headerPredicted(s))
        {
            counters.fastPathSegments++;
            return fastPath(s, nowNs);
        }
        counters.slowPathSegments++;
        switch (state)
        {
            case CLOSED:
            case LISTEN:
                // A free object or a listener never receives segments through a connection.
                return false;
            case SYN_SENT:
                // 3.10.7.3: waiting for SYN-ACK (or a simultaneous SYN).
                synSentArrives(s, nowNs);
                return false;
            case SYN_RECEIVED:
            case ESTABLISHED:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                // 3.10.7.4: synchronized states share the checks; per-state differences inside.
                return synchronizedArrives(s, nowNs);
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
    }

    /**
     * Header prediction (RFC 1323 appendix A, Linux's tcp_rcv_established): the segment is what an
     * established connection expects next, so the checks of the slow path cannot fail and most of its
     * steps have nothing to do. Anything unusual goes the slow path.
     */
    private boolean headerPredicted(final InboundSegment s)
    {
        if ((s.flags & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST | TcpHeader.URG | TcpHeader.ACK)) != TcpHeader.ACK ||
            s.seq != rcv.nxt ||
            (s.window << opt.sndShift) != snd.wnd)
        {
            return false;   // control flags, out of order, or a window update
        }
        final TcpOptions o = s.options;
        if (o.sackBlockCount() != 0 || (opt.timestamps && (!o.hasTimestamps() || lt(o.tsVal(), opt.tsRecent))))
        {
            return false;   // SACK information, a missing timestamp, or one PAWS must look at
        }
        if (lt(s.ack, snd.una) || gt(s.ack, snd.max) || (s.ack == snd.una && s.payloadLength == 0))
        {
            return false;   // an old, impossible or duplicate ACK
        }
        return s.payloadLength <= rcv.announcedWindow() && outOfOrder.isEmpty() && recovery.quiet() &&
            snd.nxt == snd.max && timers.persist == ConnectionTimers.NONE;
    }

    /** The predicted segment: its timestamp, its ACK, its data; nothing else can apply. */
    private boolean fastPath(final InboundSegment s, final long nowNs)
    {
        rcv.lastReceiveNs = nowNs;
        if (opt.timestamps && le(s.seq, opt.lastAckSent))
        {
            opt.recordTimestamp(s.options.tsVal(), nowNs);
        }
        if (gt(s.ack, snd.una))
        {
            acks.newData(s.ack, s.options, nowNs);
        }
        snd.updateWindow(s.seq, s.ack, snd.wnd);
        return s.payloadLength > 0 && received(receiver.inOrder(s, s.payloadOffset, s.payloadLength, false, nowNs), nowNs);
    }

    private void synSentArrives(final InboundSegment s, final long nowNs)
    {
        final boolean hasAck = s.has(TcpHeader.ACK);
        if (hasAck && (le(s.ack, snd.iss) || gt(s.ack, snd.max)))
        {
            // Acknowledges something we never sent: RST unless it is one (3.10.7.3 first check).
            if (!s.has(TcpHeader.RST))
            {
                services.writer.sendReset(remoteIp, localPort, remotePort, s.ack, 0, TcpHeader.RST, nowNs);
            }
            counters.dropBadAck++;
            return;
        }
        if (s.has(TcpHeader.RST))
        {
            // Only an RST that acknowledges our SYN refuses the connection (RFC 5961 3.2 for SYN_SENT).
            if (hasAck)
            {
                counters.rstsAccepted++;
                end(TcpCloseReason.REFUSED);
            }
            return;
        }
        if (!s.has(TcpHeader.SYN))
        {
            return;
        }
        acceptSynOptions(s);
        rcv.synchronize(s.seq);
        if (opt.timestamps)
        {
            opt.tsRecentNs = nowNs;
        }
        if (hasAck)
        {
            snd.una = s.ack;
            snd.wnd = s.window;   // a SYN's window is never scaled (RFC 7323 2.2)
            snd.maxWnd = snd.wnd;
            snd.wl1 = s.seq;
            snd.wl2 = s.ack;
            acks.synRttSample(nowNs);
            established(nowNs);
            rcv.ackNow = true;
        }
        else
        {
            // Simultaneous open (3.10.7.3 fourth check): SYN_RECEIVED, send SYN-ACK with our ISS.
            snd.wnd = s.window;
            snd.wl1 = s.seq;
            moveTo(TcpState.SYN_RECEIVED, nowNs);
            snd.nxt = snd.iss;
            transmitter.sendSyn(nowNs);
        }
    }

    /**
     * RFC 6191 / RFC 9293 3.10.7.4 (as Linux's tcp_timewait_state_process): in TIME_WAIT, can this SYN only
     * come from a new incarnation of the connection? With timestamps on both sides the timestamp decides
     * (newer, or equal with a sequence number above RCV.NXT); without, a sequence number above RCV.NXT.
     */
    boolean startsNewIncarnation(final InboundSegment s)
    {
        if (state != TcpState.TIME_WAIT || !s.has(TcpHeader.SYN) || s.has(TcpHeader.ACK) || s.has(TcpHeader.RST))
        {
            return false;
        }
        final TcpOptions o = s.options;
        if (opt.timestamps && o.hasTimestamps())
        {
            return gt(o.tsVal(), opt.tsRecent) || (o.tsVal() == opt.tsRecent && gt(s.seq, rcv.nxt));
        }
        return gt(s.seq, rcv.nxt);
    }

    /** @return an ISS for a new incarnation of this TIME_WAIT connection: well above all we sent (as Linux). */
    int nextIncarnationIss()
    {
        return snd.max + 0xFFFF + 2;
    }

    /** The slow path: RFC 9293 3.10.7.4's checks in their order, for every synchronized state. */
    private boolean synchronizedArrives(final InboundSegment s, final long nowNs)
    {
        final boolean rst = s.has(TcpHeader.RST);
        final TcpOptions o = s.options;

        // SYN_RECEIVED: the peer retransmitted its SYN because our SYN-ACK got lost: answer it again.
        if (state == TcpState.SYN_RECEIVED && s.has(TcpHeader.SYN) && !s.has(TcpHeader.ACK) && s.seq == rcv.irs)
        {
            snd.nxt = snd.iss;
            transmitter.sendSyn(nowNs);
            return false;
        }

        // TIME_WAIT: a retransmission of the peer's FIN (our ACK got lost): ACK again, restart 2*MSL.
        if (state == TcpState.TIME_WAIT && s.has(TcpHeader.FIN) && !rst && s.seq + s.payloadLength + 1 == rcv.nxt)
        {
            rcv.ackNow = true;
            timers.timeWait = nowNs + config.timeWaitNs();
            return false;
        }

        // RFC 7323 5.3 R1: PAWS. An old timestamp means an old duplicate: ACK it and drop it.
        if (opt.timestamps && o.hasTimestamps() && !rst && lt(o.tsVal(), opt.tsRecent) &&
            nowNs - opt.tsRecentNs < PAWS_IDLE_NS)
        {
            counters.dropPaws++;
            rcv.ackNow = true;
            return false;
        }

        // First check: sequence number acceptable (3.10.7.4 table)?
        if (!acceptable(s))
        {
            counters.dropOutOfWindow++;
            if (!rst)
            {
                rcv.ackNow = true;
            }
            return false;
        }
        rcv.lastReceiveNs = nowNs;

        // Second check: RST (RFC 5961 3.2): only at exactly RCV.NXT it resets; elsewhere in window we
        // challenge, so a blind attacker must guess the exact number.
        if (rst)
        {
            if (state == TcpState.TIME_WAIT)
            {
                // RFC 1337: an RST must not cut TIME_WAIT short (TIME-WAIT assassination).
                return false;
            }
            if (s.seq == rcv.nxt)
            {
                counters.rstsAccepted++;
                counters.connectionsReset++;
                end(TcpCloseReason.RESET_BY_PEER);
            }
            else
            {
                challengeAck(nowNs);
            }
            return false;
        }

        // Fourth check: SYN in a synchronized state -> challenge ACK (RFC 5961 4.2), never a reset.
        if (s.has(TcpHeader.SYN))
        {
            challengeAck(nowNs);
            return false;
        }

        // Fifth check: ACK must be on.
        if (!s.has(TcpHeader.ACK))
        {
            counters.dropNoAck++;
            return false;
        }

        // RFC 5961 5.2: acceptable ACK range is [SND.UNA - MAX.SND.WND, SND.MAX].
        if (gt(s.ack, snd.max))
        {
            counters.dropBadAck++;
            rcv.ackNow = true;
            return false;
        }
        if (lt(s.ack, snd.una - Math.max(snd.maxWnd, 1)))
        {
            counters.dropBadAck++;
            challengeAck(nowNs);
            return false;
        }

        // RFC 7323 4.3: remember the timestamp of the segment that covers the last ACK we sent.
        if (opt.timestamps && o.hasTimestamps() && le(s.seq, opt.lastAckSent) && ge(o.tsVal(), opt.tsRecent))
        {
            opt.recordTimestamp(o.tsVal(), nowNs);
        }

        if (state == TcpState.SYN_RECEIVED)
        {
            if (!gt(s.ack, snd.una) || !le(s.ack, snd.max))
            {
                services.writer.sendReset(remoteIp, localPort, remotePort, s.ack, 0, TcpHeader.RST, nowNs);
                return false;
            }
            snd.una = s.ack;
            snd.wnd = s.window << opt.sndShift;
            snd.maxWnd = snd.wnd;
            snd.wl1 = s.seq;
            snd.wl2 = s.ack;
            acks.synRttSample(nowNs);
            established(nowNs);
        }
        else if (!ackArrives(s, nowNs))
        {
            return false;
        }

        boolean taken = false;
        if (s.payloadLength > 0 && state.receivesData())
        {
            taken = received(receiver.data(s, nowNs), nowNs);
        }
        // A FIN that came with data went with the record (delivered in order or queued); a bare FIN
        // (or one behind duplicate data) is processed here if it sits at RCV.NXT.
        if (!taken && s.has(TcpHeader.FIN) && s.seq + s.payloadLength == rcv.nxt && rcv.advertisedEdge != rcv.nxt)
        {
            receiveFin(nowNs);
        }
        else if (s.has(TcpHeader.FIN) && state == TcpState.TIME_WAIT)
        {
            receiveFin(nowNs);
        }
        return taken;
    }

    private void challengeAck(final long nowNs)
    {
        if (services.challengeAcks.allow(nowNs))
        {
            rcv.ackNow = true;
        }
    }

    /** RFC 9293 3.10.7.4 first check, the four cases of SEG.LEN x RCV.WND. */
    private boolean acceptable(final InboundSegment s)
    {
        final int window = rcv.announcedWindow();
        final int length = s.sequenceLength();
        if (length == 0)
        {
            // As Linux (tcp_sequence), a bare ACK exactly at the right edge is accepted too: a sender that
            // filled our window and lost a segment carries SEG.SEQ = edge, and refusing its ACKs would
            // deadlock both sides.
            return inWindow(s.seq, rcv.nxt, window + 1);
        }
        if (window == 0)
        {
            // Nothing fits, "but special allowance should be made to accept valid ACKs, URGs, and RSTs"
            // (3.10.7.4): a segment (a zero-window probe, typically) exactly at RCV.NXT goes on so its ACK
            // and window are processed, as Linux does; Receiver.data() trims its data to the closed
            // window and synchronizedArrives() keeps its FIN out.
            return s.seq == rcv.nxt;
        }
        return inWindow(s.seq, rcv.nxt, window) || inWindow(s.seq + length - 1, rcv.nxt, window);
    }

    /**
     * ACK processing for ESTABLISHED and later (3.10.7.4 fifth check): the {@link AckProcessor} takes the
     * send side (SACK blocks, the cumulative ACK, duplicate ACKs, the window); what an ACK of our FIN means
     * per state is decided here.
     *
     * @return false if the connection ended (LAST_ACK done) and nothing more must be done.
     */
    private boolean ackArrives(final InboundSegment s, final long nowNs)
    {
        acks.arrives(s, nowNs);
        final boolean finAcked = snd.finQueued && snd.una == sendQueue.endSeq() + 1;
        switch (state)
        {
            case FIN_WAIT_1:
                if (finAcked)
                {
                    moveTo(TcpState.FIN_WAIT_2, nowNs);
                }
                return true;
            case CLOSING:
                if (finAcked)
                {
                    moveTo(TcpState.TIME_WAIT, nowNs);
                }
                return true;
            case LAST_ACK:
                if (finAcked)
                {
                    end(TcpCloseReason.NORMAL);
                    return false;
                }
                return true;
            case ESTABLISHED:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
            case TIME_WAIT:
                return true;
            case CLOSED:
            case LISTEN:
            case SYN_SENT:
            case SYN_RECEIVED:
                return false;
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
    }

    /**
     * What the {@link Receiver} did with a segment's data: a FIN it brought in order is taken here (a
     * state change).
     *
     * @return true if the segment's buffer now belongs to a record.
     */
    private boolean received(final int result, final long nowNs)
    {
        if ((result & Receiver.FIN_REACHED) != 0)
        {
            receiveFin(nowNs);
        }
        return (result & Receiver.TAKEN) != 0;
    }

    /** The peer's FIN at RCV.NXT (3.10.7.4 eighth check). */
    private void receiveFin(final long nowNs)
    {
        if (state == TcpState.TIME_WAIT)
        {
            // A retransmitted FIN: our ACK was lost. ACK again and restart 2*MSL.
            rcv.ackNow = true;
            timers.timeWait = nowNs + config.timeWaitNs();
            return;
        }
        rcv.ackNow = true;
        if (rcv.finReceived)
        {
            return;
        }
        rcv.finReceived = true;
        rcv.nxt += 1;
        switch (state)
        {
            case ESTABLISHED:
                moveTo(TcpState.CLOSE_WAIT, nowNs);
                break;
            case FIN_WAIT_1:
                // Ours acknowledged already: both FINs done. Otherwise a simultaneous close.
                moveTo(snd.finQueued && snd.una == sendQueue.endSeq() + 1 ? TcpState.TIME_WAIT : TcpState.CLOSING,
                    nowNs);
                break;
            case FIN_WAIT_2:
                moveTo(TcpState.TIME_WAIT, nowNs);
                break;
            case CLOSED:
            case LISTEN:
            case SYN_SENT:
            case SYN_RECEIVED:
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                // Cannot happen: the FIN was already seen, or data is not accepted here.
                return;
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
        events.peerClosed();
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    /** @return the earliest pending deadline, or {@link #NO_DEADLINE}. */
    long nextDeadline()
    {
        return timers.earliest(rtx);
    }

    /** Fires every deadline that passed. Calls no application code: the layer settles afterwards. */
    void timersExpire(final long nowNs)
    {
        if (ConnectionTimers.due(timers.timeWait, nowNs))
        {
            end(TcpCloseReason.NORMAL);
            return;
        }
        if (ConnectionTimers.due(timers.delayedAck, nowNs))
        {
            timers.delayedAck = NO_DEADLINE;
            rcv.ackNow = true;
            rcv.applicationAnswers = false;   // no reply carried the ACK in time
        }
        if (ConnectionTimers.due(timers.persist, nowNs))
        {
            timers.persist = NO_DEADLINE;
            if (transmitter.zeroWindowProbe(nowNs))
            {
                timers.persistBackoff++;
                timers.persist = nowNs + transmitter.persistInterval();
            }
        }
        if (ConnectionTimers.due(timers.finWait2, nowNs) && finWait2Expired(nowNs))
        {
            return;
        }
        if (ConnectionTimers.due(timers.keepAlive, nowNs) && keepAliveExpired(nowNs))
        {
            return;
        }
        if (rtx.isExpired(nowNs))
        {
            retransmissionTimeout(nowNs);
        }
    }

    /** @return true if the connection ended: the peer was silent for the whole FIN_WAIT_2 timeout. */
    private boolean finWait2Expired(final long nowNs)
    {
        timers.finWait2 = NO_DEADLINE;
        if (state != TcpState.FIN_WAIT_2)
        {
            return false;
        }
        final long quietUntil = rcv.lastReceiveNs + config.finWait2TimeoutNs();
        if (quietUntil > nowNs)
        {
            timers.finWait2 = quietUntil;   // heard from the peer since: wait again from then
            return false;
        }
        // Ends quietly, as Linux's orphaned FIN_WAIT_2: a late segment from the peer meets a closed port.
        counters.finWait2Timeouts++;
        end(TcpCloseReason.TIMED_OUT);
        return true;
    }

    /** @return true if the connection ended: keep-alive probes went unanswered (RFC 1122 4.2.3.6). */
    private boolean keepAliveExpired(final long nowNs)
    {
        timers.keepAlive = NO_DEADLINE;
        if (!timers.keepAliveOn || (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT))
        {
            return false;
        }
        final long idleNs = config.keepAliveIdleNs();
        if (snd.una != snd.max || transmittableEnd() != snd.nxt)
        {
            // Data in flight or waiting: the retransmission and persist timers watch the peer.
            timers.keepAliveProbes = 0;
            timers.keepAlive = nowNs + idleNs;
            return false;
        }
        if (nowNs - rcv.lastReceiveNs < idleNs)
        {
            // Heard from the peer: idle again from its last segment.
            timers.keepAliveProbes = 0;
            timers.keepAlive = rcv.lastReceiveNs + idleNs;
            return false;
        }
        if (timers.keepAliveProbes >= config.keepAliveProbes())
        {
            transmitter.sendReset(nowNs);
            counters.keepAliveTimeouts++;
            counters.connectionsTimedOut++;
            end(TcpCloseReason.TIMED_OUT);
            return true;
        }
        transmitter.sendKeepAliveProbe(nowNs);
        timers.keepAliveProbes++;
        timers.keepAlive = nowNs + config.keepAliveIntervalNs();
        return false;
    }

    private void retransmissionTimeout(final long nowNs)
    {
        counters.rtoExpiries++;
        snd.consecutiveTimeouts++;
        final boolean opening = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (snd.consecutiveTimeouts > (opening ? config.maxSynRetransmissions() : config.maxRetransmissions()))
        {
            counters.connectionsTimedOut++;
            end(TcpCloseReason.TIMED_OUT);
            return;
        }
        rtx.backoff();
        rttProbe.cancel();
        if (opening)
        {
            counters.retransmits++;
            snd.nxt = snd.iss;
            transmitter.sendSyn(nowNs);
            rtx.restart(nowNs);
            return;
        }
        if (recovery.onRetransmissionTimeout(snd.max - snd.una, snd.max, snd.consecutiveTimeouts > 1))
        {
            counters.sackReneging++;
        }
        // Go back N: resend from SND.UNA as the (now one-segment) congestion window allows.
        snd.nxt = snd.una;
        snd.nxt = snd.una + transmitter.retransmitFirstUnacked(nowNs);
        rtx.restart(nowNs);
    }

    // =====================================================================================
    // For the layer
    // =====================================================================================

    /** Hands the application what processing collected (see {@link ApplicationEvents}). */
    void deliverEvents(final long nowNs)
    {
        events.deliver(this, handler, nowNs);
    }

    /** @return free receive window in bytes: buffer minus what the application holds and out-of-order bytes. */
    int receiveWindow()
    {
        return (int)Math.max(0, config.receiveBufferBytes() - rcv.unconsumed - outOfOrder.bytes());
    }

    @Override
    public String toString()
    {
        return "TcpConnection{" + state + " :" + localPort + " -> " + TcpLayer.ipToString(remoteIp) + ':' + remotePort +
            ", sndUna=" + Integer.toUnsignedString(snd.una) + ", sndNxt=" + Integer.toUnsignedString(snd.nxt) +
            ", rcvNxt=" + Integer.toUnsignedString(rcv.nxt) + ", sndWnd=" + snd.wnd + ", queued=" + sendQueue.bytes() + '}';
    }
}
