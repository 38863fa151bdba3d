package io.pktstore.stack.tcp;

import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.NewRenoCongestionControl;
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
 * <pre>
 *  send space:   SND.UNA ........ SND.NXT ........ SND.MAX ........ queue end (+1 FIN)
 *                |acked| in flight |  (after go-back-N, SND.NXT &lt; SND.MAX) | unsent |
 *  receive space: RCV.NXT ........ rcvAdvertisedEdge (= RCV.NXT + window we last advertised)
 *                 out-of-order records wait in an RB tree keyed by sequence number
 * </pre>
 * Timers (retransmission, delayed ACK, zero-window probe, TIME_WAIT) are absolute deadlines here; the
 * layer keeps one timer-wheel entry per connection at the earliest of them.
 * <p>
 * Single-threaded (the stack's thread); nothing here allocates.
 */
public final class TcpConnection
{
    /** No deadline. */
    static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Ack at once after this many full-sized segments received without an ACK (RFC 9293 3.8.6.3). */
    private static final int ACK_EVERY_SEGMENTS = 2;
    /** Longest zero-window probe interval. */
    private static final long MAX_PERSIST_NS = 60_000_000_000L;
    /** PAWS: timestamps older than 24 days are not trusted (RFC 7323 5.5). */
    private static final long PAWS_IDLE_NS = 24L * 24 * 3600 * 1_000_000_000L;
    /** MSS assumed when the peer sends none (RFC 9293 3.7.1). */
    static final int DEFAULT_MSS = 536;

    final TcpLayer layer;
    private final TcpConfig config;
    private final PacketRecordPool pool;
    private final TcpCounters counters;
    private final PacketRecord rec = new PacketRecord();
    final SendQueue sendQueue;
    final OutOfOrderQueue outOfOrder;
    final RetransmissionTimer rtx;
    final NewRenoCongestionControl congestion;
    private final TcpOptions outOptions = new TcpOptions();
    private final int[] sackLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[TcpOptions.MAX_SACK_BLOCKS];

    // ---- identity ----
    TcpState state = TcpState.CLOSED;
    int localPort;
    int remoteIp;
    int remotePort;
    long key;
    TcpHandler handler;
    TcpLayer.Listener listener;
    boolean passive;
    private Object attachment;

    // ---- send sequence space ----
    int iss;
    int sndUna;
    int sndNxt;
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    int maxSndWnd;
    int sndMss;
    boolean finQueued;
    /** While true, queued data beyond {@link #releasedEnd} waits (see {@link #holdSends()}). */
    private boolean holdingSends;
    /** Sequence number up to which held sends may go out. */
    private int releasedEnd;

    // ---- receive sequence space ----
    int irs;
    int rcvNxt;
    int rcvAdvertisedEdge;
    int unconsumed;
    private boolean peerFinDelivered;

    // ---- negotiated options ----
    int sndShift;
    int rcvShift;
    boolean timestampsOk;
    boolean sackOk;
    int tsRecent;
    long tsRecentNs;
    int lastAckSent;

    // ---- timers and their state ----
    long delayedAckDeadline = NO_DEADLINE;
    long persistDeadline = NO_DEADLINE;
    long timeWaitDeadline = NO_DEADLINE;
    private int persistBackoff;
    private int retransmissions;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStartNs;
    private int segmentsSinceAck;
    private int limitedTransmit;
    /** What the peer reported holding above SND.UNA (RFC 2018). */
    private final SackScoreboard sacked = new SackScoreboard();
    private long lastSendNs;
    boolean ackNow;
    long wheelTimerId = TcpLayer.NO_TIMER;
    long wheelDeadline = NO_DEADLINE;
    /** In the layer's retry list (output refused by a full TX ring); set and cleared by the layer only. */
    boolean outputPending;
    private boolean inInput;

    TcpConnection(final TcpLayer layer, final TcpConfig config, final PacketRecordPool pool, final TcpCounters counters)
    {
        this.layer = layer;
        this.config = config;
        this.pool = pool;
        this.counters = counters;
        this.sendQueue = new SendQueue(pool, layer.deferredRelease());
        this.outOfOrder = new OutOfOrderQueue(pool.arena()::recordAddress, pool::release);
        this.rtx = new RetransmissionTimer(
            config.initialRtoNs(), config.minRtoNs(), config.maxRtoNs(), RetransmissionTimer.DEFAULT_GRANULARITY_NS);
        this.congestion = new NewRenoCongestionControl(DEFAULT_MSS, 0, true);
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
        return sndMss;
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
        return unconsumed;
    }

    /** @return the peer's current send window in bytes (already scaled). */
    public int peerWindow()
    {
        return sndWnd;
    }

    /** @return the retransmission timer (RTO, SRTT) of this connection, read-only use. */
    public RetransmissionTimer retransmissionTimer()
    {
        return rtx;
    }

    /** @return the congestion controller (cwnd, ssthresh), read-only use. */
    public NewRenoCongestionControl congestionControl()
    {
        return congestion;
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
        if (!state.acceptsSend() || finQueued || length <= 0)
        {
            return 0;
        }
        final int accepted = sendQueue.appendCopy(source, offset, Math.min(length, sendSpace()));
        if (accepted > 0)
        {
            outputSoon(nowNs);
        }
        return accepted;
    }

    /**
     * Sends the data of a chain of packet records (linked through {@code next}) without copying: the
     * segments gather straight from the records' payload buffers. The connection takes ownership of
     * every record in the chain and releases them once acknowledged (pass clones to keep the bytes).
     *
     * @param head first record of the chain.
     * @return true if queued; false (and the chain released) when the connection no longer sends.
     */
    public boolean sendRecords(final int head, final long nowNs)
    {
        if (!state.acceptsSend() || finQueued)
        {
            pool.releaseChain(head);
            return false;
        }
        int record = head;
        while (record != PacketRecord.NO_RECORD)
        {
            final int next = rec.wrap(pool.arena(), record).next();
            sendQueue.appendRecord(record);
            record = next;
        }
        outputSoon(nowNs);
        return true;
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
        if (!holdingSends)
        {
            holdingSends = true;
            releasedEnd = sendQueue.endSeq();
        }
    }

    /** Lets everything queued so far go out (no-op unless {@link #holdSends()} is on). */
    public void releaseHeldSends(final long nowNs)
    {
        if (holdingSends && releasedEnd != sendQueue.endSeq())
        {
            releasedEnd = sendQueue.endSeq();
            outputSoon(nowNs);
        }
    }

    /** @return bytes queued but held back by {@link #holdSends()} (0 when not holding). */
    public int heldBytes()
    {
        return holdingSends ? sendQueue.endSeq() - releasedEnd : 0;
    }

    /** @return the end of what may be transmitted: the queue's end, or the release point while holding. */
    private int transmittableEnd()
    {
        return holdingSends ? releasedEnd : sendQueue.endSeq();
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
        unconsumed = Math.max(0, unconsumed - bytes);
        final int after = receiveWindow();
        final int advertised = Math.max(0, rcvAdvertisedEdge - rcvNxt);
        final int worthwhile = Math.min(config.receiveBufferBytes() / 2, 2 * sndMss);
        // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): a window update only when the window we
        // advertised had become small and grows by a worthwhile amount; otherwise the next ACK carries it.
        if (advertised < worthwhile && after - advertised >= worthwhile && before != after && state.receivesData())
        {
            ackNow = true;
            outputSoon(nowNs);
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
                layer.finish(this, TcpCloseReason.NORMAL, nowNs);
                return;
            case SYN_RECEIVED:
                // The FIN waits until the handshake completes (established() moves to FIN_WAIT_1).
                finQueued = true;
                return;
            case ESTABLISHED:
                finQueued = true;
                state = TcpState.FIN_WAIT_1;
                break;
            case CLOSE_WAIT:
                finQueued = true;
                state = TcpState.LAST_ACK;
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
        outputSoon(nowNs);
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
            sendSegment(TcpHeader.RST | TcpHeader.ACK, acceptableSeq(), 0, nowNs);
            counters.rstsSent++;
        }
        layer.finish(this, TcpCloseReason.ABORTED, nowNs);
    }

    // =====================================================================================
    // Opening (called by the layer)
    // =====================================================================================

    void init(final int localPort, final int remoteIp, final int remotePort, final long key, final TcpHandler handler)
    {
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.key = key;
        this.handler = handler;
        listener = null;
        passive = false;
        attachment = null;
        finQueued = false;
        holdingSends = false;
        releasedEnd = 0;
        peerFinDelivered = false;
        unconsumed = 0;
        sndShift = 0;
        rcvShift = 0;
        timestampsOk = false;
        sackOk = false;
        tsRecent = 0;
        tsRecentNs = 0;
        delayedAckDeadline = NO_DEADLINE;
        persistDeadline = NO_DEADLINE;
        timeWaitDeadline = NO_DEADLINE;
        persistBackoff = 0;
        retransmissions = 0;
        rttTiming = false;
        segmentsSinceAck = 0;
        limitedTransmit = 0;
        sacked.clear();
        lastSendNs = 0;
        ackNow = false;
        // outputPending stays: it says the object sits in the layer's retry list, which may still hold it
        // from the previous connection (the layer's poll clears it when it takes the entry).
        inInput = false;
        rtx.reset();
        sndMss = DEFAULT_MSS;
        sndWnd = 0;
        maxSndWnd = 0;
        // The object is reused: everything the previous connection left must go, or the new one acts on
        // it before its own values arrive (a cookie-opened connection tested timestamps against the
        // previous connection's last ACK).
        sndWl1 = 0;
        irs = 0;
        rcvNxt = 0;
        rcvAdvertisedEdge = 0;
        lastAckSent = 0;
        peerOfferedScale = false;
        rttSeq = 0;
        rttStartNs = 0;
        congestion.reset(DEFAULT_MSS, 0);
    }

    private void initSendSpace(final int isn)
    {
        iss = isn;
        sndUna = isn;
        sndNxt = isn;
        sndMax = isn;
        // The window's ACK anchor until the peer's first window arrives; a simultaneous open never sets
        // it before SYN_RECEIVED, and a value left from the object's previous connection would put an
        // abort's RST at a random sequence number.
        sndWl2 = isn;
        sendQueue.reset(isn + 1);
    }

    /** Active open: sends SYN (RFC 9293 3.10.1). */
    void openActive(final int isn, final long nowNs)
    {
        initSendSpace(isn);
        state = TcpState.SYN_SENT;
        rcvShift = config.windowScale();
        sendSyn(nowNs);
    }

    /** Passive open from a SYN in LISTEN (RFC 9293 3.10.7.2): records the peer's options, sends SYN-ACK. */
    void openPassive(final InboundSegment s, final int isn, final TcpLayer.Listener from, final long nowNs)
    {
        listener = from;
        passive = true;
        initSendSpace(isn);
        acceptSynOptions(s);
        irs = s.seq;
        rcvNxt = s.seq + 1;
        rcvAdvertisedEdge = rcvNxt;
        // Our SYN-ACK acknowledges RCV.NXT (RFC 7323 4.3 anchor) even if it does not fit the TX ring now.
        lastAckSent = rcvNxt;
        if (timestampsOk)
        {
            tsRecentNs = nowNs;
        }
        sndWnd = s.window;   // never scaled in a SYN (RFC 7323 2.2)
        sndWl1 = s.seq;
        sndWl2 = isn;
        state = TcpState.SYN_RECEIVED;
        sendSyn(nowNs);
    }

    /**
     * Connection made from a valid SYN cookie: state ESTABLISHED at once, options as the cookie encoded.
     */
    void openFromCookie(
        final InboundSegment s, final int mss, final int peerWindowScale, final boolean sack, final long nowNs)
    {
        passive = true;
        initSendSpace(s.ack - 1);
        sndUna = s.ack;
        sndNxt = s.ack;
        sndMax = s.ack;
        irs = s.seq - 1;
        rcvNxt = s.seq;
        // The cookie SYN-ACK acknowledged up to here: segments at RCV.NXT update TS.Recent (RFC 7323 4.3).
        lastAckSent = rcvNxt;
        sndMss = Math.min(mss, layer.localMss());
        if (peerWindowScale >= 0)
        {
            sndShift = peerWindowScale;
            rcvShift = config.windowScale();
        }
        sackOk = sack && config.sackPermitted();
        timestampsOk = s.options.hasTimestamps() && config.timestamps();
        if (timestampsOk)
        {
            tsRecent = s.options.tsVal();
            tsRecentNs = nowNs;
        }
        sndWnd = s.window << sndShift;
        maxSndWnd = sndWnd;
        sndWl1 = s.seq;
        sndWl2 = s.ack;
        rcvAdvertisedEdge = rcvNxt + receiveWindow();
        congestion.reset(sndMss, iss);
        state = TcpState.ESTABLISHED;
    }

    private void acceptSynOptions(final InboundSegment s)
    {
        final TcpOptions o = s.options;
        final int peerMss = o.hasMss() ? o.mss() : DEFAULT_MSS;
        sndMss = Math.max(64, Math.min(peerMss, layer.localMss()));
        peerOfferedScale = o.hasWindowScale();
        if (peerOfferedScale)
        {
            sndShift = o.windowScale();
            rcvShift = config.windowScale();
        }
        else
        {
            sndShift = 0;
            rcvShift = 0;
        }
        sackOk = o.sackPermitted() && config.sackPermitted();
        timestampsOk = o.hasTimestamps() && config.timestamps();
        if (timestampsOk)
        {
            tsRecent = o.tsVal();
        }
        congestion.reset(sndMss, iss);
    }

    // =====================================================================================
    // Segment arrives (RFC 9293 3.10.7)
    // =====================================================================================

    /**
     * Processes one segment for this connection.
     *
     * @return true if the connection took the segment's buffer (made a packet record of it).
     */
    boolean onSegment(final InboundSegment s, final long nowNs)
    {
        inInput = true;
        boolean taken = false;
        try
        {
            taken = dispatchByState(s, nowNs);
        }
        finally
        {
            // Even if an application callback threw, later sends must not stay deferred forever.
            inInput = false;
        }
        if (state != TcpState.CLOSED)
        {
            output(nowNs);
            layer.rearm(this);
        }
        return taken;
    }

    private boolean dispatchByState(final InboundSegment s, final long nowNs)
    {
        boolean taken = false;
        switch (state)
        {
            case CLOSED:
            case LISTEN:
                // A free object or a listener never receives segments through a connection.
                break;
            case SYN_SENT:
                // 3.10.7.3: waiting for SYN-ACK (or a simultaneous SYN).
                synSentArrives(s, nowNs);
                break;
            case SYN_RECEIVED:
            case ESTABLISHED:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                // 3.10.7.4: synchronized states share the checks; per-state differences inside.
                taken = synchronizedArrives(s, nowNs);
                break;
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
        return taken;
    }

    private void synSentArrives(final InboundSegment s, final long nowNs)
    {
        final boolean hasAck = s.has(TcpHeader.ACK);
        if (hasAck && (le(s.ack, iss) || gt(s.ack, sndMax)))
        {
            // Acknowledges something we never sent: RST unless it is one (3.10.7.3 first check).
            if (!s.has(TcpHeader.RST))
            {
                layer.sendReset(remoteIp, localPort, remotePort, s.ack, 0, TcpHeader.RST, nowNs);
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
                layer.finish(this, TcpCloseReason.REFUSED, nowNs);
            }
            return;
        }
        if (!s.has(TcpHeader.SYN))
        {
            return;
        }
        acceptSynOptions(s);
        irs = s.seq;
        rcvNxt = s.seq + 1;
        rcvAdvertisedEdge = rcvNxt;
        if (timestampsOk)
        {
            tsRecentNs = nowNs;
        }
        if (hasAck)
        {
            sndUna = s.ack;
            sndWnd = s.window;   // a SYN's window is never scaled (RFC 7323 2.2)
            maxSndWnd = sndWnd;
            sndWl1 = s.seq;
            sndWl2 = s.ack;
            takeSynRttSample(nowNs);
            established(nowNs);
            ackNow = true;
        }
        else
        {
            // Simultaneous open (3.10.7.3 fourth check): SYN_RECEIVED, send SYN-ACK with our ISS.
            sndWnd = s.window;
            sndWl1 = s.seq;
            state = TcpState.SYN_RECEIVED;
            sndNxt = iss;
            sendSyn(nowNs);
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
        if (timestampsOk && o.hasTimestamps())
        {
            return gt(o.tsVal(), tsRecent) || (o.tsVal() == tsRecent && gt(s.seq, rcvNxt));
        }
        return gt(s.seq, rcvNxt);
    }

    /** @return an ISS for a new incarnation of this TIME_WAIT connection: well above all we sent (as Linux). */
    int nextIncarnationIss()
    {
        return sndMax + 0xFFFF + 2;
    }

    private boolean synchronizedArrives(final InboundSegment s, final long nowNs)
    {
        final boolean rst = s.has(TcpHeader.RST);
        final TcpOptions o = s.options;

        // SYN_RECEIVED: the peer retransmitted its SYN because our SYN-ACK got lost: answer it again.
        if (state == TcpState.SYN_RECEIVED && s.has(TcpHeader.SYN) && !s.has(TcpHeader.ACK) && s.seq == irs)
        {
            sndNxt = iss;
            sendSyn(nowNs);
            return false;
        }

        // TIME_WAIT: a retransmission of the peer's FIN (our ACK got lost): ACK again, restart 2*MSL.
        if (state == TcpState.TIME_WAIT && s.has(TcpHeader.FIN) && !rst && s.seq + s.payloadLength + 1 == rcvNxt)
        {
            ackNow = true;
            timeWaitDeadline = nowNs + config.timeWaitNs();
            return false;
        }

        // RFC 7323 5.3 R1: PAWS. An old timestamp means an old duplicate: ACK it and drop it.
        if (timestampsOk && o.hasTimestamps() && !rst && lt(o.tsVal(), tsRecent) &&
            nowNs - tsRecentNs < PAWS_IDLE_NS)
        {
            counters.dropPaws++;
            ackNow = true;
            return false;
        }

        // First check: sequence number acceptable (3.10.7.4 table)?
        if (!acceptable(s))
        {
            counters.dropOutOfWindow++;
            if (!rst)
            {
                ackNow = true;
            }
            return false;
        }

        // Second check: RST (RFC 5961 3.2): only at exactly RCV.NXT it resets; elsewhere in window we
        // challenge, so a blind attacker must guess the exact number.
        if (rst)
        {
            if (state == TcpState.TIME_WAIT)
            {
                // RFC 1337: an RST must not cut TIME_WAIT short (TIME-WAIT assassination).
                return false;
            }
            if (s.seq == rcvNxt)
            {
                counters.rstsAccepted++;
                counters.connectionsReset++;
                layer.finish(this, TcpCloseReason.RESET_BY_PEER, nowNs);
            }
            else
            {
                layer.challengeAck(this, nowNs);
            }
            return false;
        }

        // Fourth check: SYN in a synchronized state -> challenge ACK (RFC 5961 4.2), never a reset.
        if (s.has(TcpHeader.SYN))
        {
            layer.challengeAck(this, nowNs);
            return false;
        }

        // Fifth check: ACK must be on.
        if (!s.has(TcpHeader.ACK))
        {
            counters.dropNoAck++;
            return false;
        }

        // RFC 5961 5.2: acceptable ACK range is [SND.UNA - MAX.SND.WND, SND.MAX].
        if (gt(s.ack, sndMax))
        {
            counters.dropBadAck++;
            ackNow = true;
            return false;
        }
        if (lt(s.ack, sndUna - Math.max(maxSndWnd, 1)))
        {
            counters.dropBadAck++;
            layer.challengeAck(this, nowNs);
            return false;
        }

        // RFC 7323 4.3: remember the timestamp of the segment that covers the last ACK we sent.
        if (timestampsOk && o.hasTimestamps() && le(s.seq, lastAckSent) && ge(o.tsVal(), tsRecent))
        {
            tsRecent = o.tsVal();
            tsRecentNs = nowNs;
        }

        if (state == TcpState.SYN_RECEIVED)
        {
            if (gt(s.ack, sndUna) && le(s.ack, sndMax))
            {
                sndUna = s.ack;
                sndWnd = s.window << sndShift;
                maxSndWnd = sndWnd;
                sndWl1 = s.seq;
                sndWl2 = s.ack;
                takeSynRttSample(nowNs);
                established(nowNs);
                if (state == TcpState.CLOSED)
                {
                    return false;
                }
            }
            else
            {
                layer.sendReset(remoteIp, localPort, remotePort, s.ack, 0, TcpHeader.RST, nowNs);
                counters.rstsSent++;
                return false;
            }
        }
        else if (!processAck(s, nowNs))
        {
            return false;
        }

        boolean taken = false;
        if (s.payloadLength > 0 && state.receivesData())
        {
            taken = receiveData(s, nowNs);
            if (state == TcpState.CLOSED)
            {
                return taken;
            }
        }
        // A FIN that came with data went with the record (delivered in order or queued); a bare FIN
        // (or one behind duplicate data) is processed here if it sits at RCV.NXT.
        if (!taken && s.has(TcpHeader.FIN) && s.seq + s.payloadLength == rcvNxt && rcvAdvertisedEdge != rcvNxt)
        {
            receiveFin(nowNs);
        }
        else if (s.has(TcpHeader.FIN) && state == TcpState.TIME_WAIT)
        {
            receiveFin(nowNs);
        }
        return taken;
    }

    /** RFC 9293 3.10.7.4 first check, the four cases of SEG.LEN x RCV.WND. */
    private boolean acceptable(final InboundSegment s)
    {
        final int window = Math.max(0, rcvAdvertisedEdge - rcvNxt);
        final int length = s.sequenceLength();
        if (length == 0)
        {
            // As Linux (tcp_sequence), a bare ACK exactly at the right edge is accepted too: a sender that
            // filled our window and lost a segment carries SEG.SEQ = edge, and refusing its ACKs would
            // deadlock both sides.
            return inWindow(s.seq, rcvNxt, window + 1);
        }
        if (window == 0)
        {
            // Nothing fits, "but special allowance should be made to accept valid ACKs, URGs, and RSTs"
            // (3.10.7.4): a segment (a zero-window probe, typically) exactly at RCV.NXT goes on so its ACK
            // and window are processed, as Linux does; receiveData() trims its data to the closed
            // window and synchronizedArrives() keeps its FIN out.
            return s.seq == rcvNxt;
        }
        return inWindow(s.seq, rcvNxt, window) || inWindow(s.seq + length - 1, rcvNxt, window);
    }

    /**
     * ACK processing for ESTABLISHED and later (3.10.7.4 fifth check).
     *
     * @return false if the connection ended (LAST_ACK done) and nothing more must be done.
     */
    private boolean processAck(final InboundSegment s, final long nowNs)
    {
        final int ack = s.ack;
        final int windowBytes = s.window << sndShift;
        final boolean windowUnchanged = windowBytes == sndWnd;
        if (sackOk && s.options.sackBlockCount() > 0)
        {
            sacked.record(s.options, gt(ack, sndUna) ? ack : sndUna, sndMax);
        }
        if (gt(ack, sndUna))
        {
            limitedTransmit = 0;
            final int oldUna = sndUna;
            final int queueEnd = sendQueue.endSeq();
            final int dataAcked = sendQueue.acknowledge(lt(ack, queueEnd) ? ack : queueEnd);
            if (rttTiming && gt(ack, rttSeq))
            {
                rttTiming = false;
                if (rtx.onRttSample(nowNs - rttStartNs, false, false))
                {
                    rtx.clearBackoff();
                }
            }
            retransmissions = 0;
            sndUna = ack;
            sacked.acknowledge(ack);
            if (lt(sndNxt, ack))
            {
                sndNxt = ack;
            }
            final int flight = sndMax - sndUna;
            final int action = congestion.onAck(ack, ack - oldUna, flight);
            if (action == NewRenoCongestionControl.RETRANSMIT_FIRST_UNACKED ||
                action == NewRenoCongestionControl.RETRANSMIT_FIRST_UNACKED_RESTART_TIMER)
            {
                retransmitFirstUnacked(nowNs);
            }
            if (sndUna == sndMax)
            {
                rtx.stop();
            }
            else if (action != NewRenoCongestionControl.RETRANSMIT_FIRST_UNACKED)
            {
                rtx.restart(nowNs);
            }
            if (dataAcked > 0)
            {
                handler.onSendAcked(this, dataAcked, nowNs);
                if (state == TcpState.CLOSED)
                {
                    return false;
                }
            }
        }
        else if (ack == sndUna && s.payloadLength == 0 && !s.has(TcpHeader.FIN) && windowUnchanged &&
            sndMax != sndUna)
        {
            // RFC 5681 section 2 duplicate ACK.
            final int action = congestion.onDuplicateAck(ack, sndMax, sndMax - sndUna);
            if (action == NewRenoCongestionControl.FAST_RETRANSMIT)
            {
                limitedTransmit = 0;
                counters.fastRetransmits++;
                retransmitFirstUnacked(nowNs);
                rtx.restart(nowNs);
            }
            else if (!congestion.inRecovery() && congestion.duplicateAcks() < NewRenoCongestionControl.DUP_ACK_THRESHOLD)
            {
                // RFC 3042 limited transmit: each of the first two duplicate ACKs lets one new segment out
                // (within the peer's window), so small windows still collect three duplicates.
                limitedTransmit += sndMss;
            }
        }

        // Window update (3.10.7.4): only from a segment at least as new as the last one used.
        if (lt(sndWl1, s.seq) || (sndWl1 == s.seq && le(sndWl2, ack)))
        {
            sndWnd = windowBytes;
            sndWl1 = s.seq;
            sndWl2 = ack;
            if (sndWnd > maxSndWnd)
            {
                maxSndWnd = sndWnd;
            }
            if (peerWindowRoom() > 0)
            {
                persistDeadline = NO_DEADLINE;
                persistBackoff = 0;
            }
        }

        final boolean finAcked = finQueued && sndUna == sendQueue.endSeq() + 1;
        switch (state)
        {
            case FIN_WAIT_1:
                if (finAcked)
                {
                    state = TcpState.FIN_WAIT_2;
                }
                return true;
            case CLOSING:
                if (finAcked)
                {
                    enterTimeWait(nowNs);
                }
                return true;
            case LAST_ACK:
                if (finAcked)
                {
                    layer.finish(this, TcpCloseReason.NORMAL, nowNs);
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

    private void takeSynRttSample(final long nowNs)
    {
        if (rttTiming)
        {
            rttTiming = false;
            rtx.onRttSample(nowNs - rttStartNs, false, false);
        }
    }

    private void established(final long nowNs)
    {
        state = TcpState.ESTABLISHED;
        rtx.stop();
        retransmissions = 0;
        if (rtx.backoffCount() > 0)
        {
            rtx.onEstablishedAfterSynTimeout();
        }
        counters.connectionsEstablished++;
        layer.onEstablished(this);
        if (finQueued)
        {
            state = TcpState.FIN_WAIT_1;
            return;
        }
        handler.onConnected(this, nowNs);
    }

    /**
     * In-order data goes to the application; data ahead of RCV.NXT waits in the out-of-order tree.
     *
     * @return true if the segment's buffer now belongs to a record.
     */
    private boolean receiveData(final InboundSegment s, final long nowNs)
    {
        int seq = s.seq;
        int dataOffset = s.payloadOffset;
        int length = s.payloadLength;
        boolean fin = s.has(TcpHeader.FIN);
        if (lt(seq, rcvNxt))
        {
            final int skip = rcvNxt - seq;
            if (skip >= length)
            {
                counters.duplicateSegments++;
                ackNow = true;
                return false;
            }
            seq += skip;
            dataOffset += skip;
            length -= skip;
        }
        final int edge = rcvAdvertisedEdge;
        if (gt(seq + length, edge))
        {
            counters.dropBeyondWindow++;
            length = edge - seq;
            fin = false;
            if (length <= 0)
            {
                ackNow = true;
                return false;
            }
        }
        if (seq != rcvNxt && outOfOrder.count() >= config.receiveBufferBytes() / DEFAULT_MSS)
        {
            // Each queued segment pins a whole arena buffer (shared by every connection and the RX ring)
            // whatever its length, so the window's byte count alone does not bound them: a peer sending
            // one-byte segments between holes could take thousands. A sender with an MSS of at least
            // 536 never needs more than a window of them.
            counters.dropOutOfOrderFull++;
            ackNow = true;
            return false;
        }
        final int record = pool.adopt(s.bufferIndex);
        if (record == PacketRecord.NO_RECORD)
        {
            counters.dropNoRecord++;
            return false;
        }
        s.bufferAdopted = true;
        rec.wrap(pool.arena(), record)
            .timestampNs(s.timestampNs)
            .tcpSeq(seq)
            .frameLength(s.frameLength)
            .dataOffset(dataOffset)
            .dataLength(length)
            .tcpChecksum(s.tcpChecksum)
            .l3Offset(s.l3Offset)
            .l4Offset(s.l4Offset)
            .checksumState(s.checksumState)
            .flags((fin ? PacketRecord.FLAG_FIN : 0) | (s.has(TcpHeader.PSH) ? PacketRecord.FLAG_PSH : 0));

        if (seq != rcvNxt)
        {
            // Ahead of RCV.NXT: keep it and send a duplicate ACK at once (RFC 5681 4.2) with SACK.
            counters.outOfOrderQueued++;
            outOfOrder.insert(record, rcvNxt);
            ackNow = true;
            return true;
        }
        final boolean hadHoles = !outOfOrder.isEmpty();
        deliver(record, length, fin, nowNs);
        int next;
        while (state != TcpState.CLOSED && (next = outOfOrder.pollInOrder(rcvNxt)) != OutOfOrderQueue.NIL)
        {
            rec.wrap(pool.arena(), next);
            final int nextLength = rec.dataLength();
            final boolean nextFin = rec.hasFlag(PacketRecord.FLAG_FIN);
            if (nextLength == 0)
            {
                pool.release(next);
                if (nextFin)
                {
                    receiveFin(nowNs);
                }
            }
            else
            {
                deliver(next, nextLength, nextFin, nowNs);
            }
        }
        if (hadHoles)
        {
            ackNow = true;
        }
        else if (++segmentsSinceAck >= ACK_EVERY_SEGMENTS || config.delayedAckNs() == 0 || fin)
        {
            ackNow = true;
        }
        else if (delayedAckDeadline == NO_DEADLINE)
        {
            delayedAckDeadline = nowNs + config.delayedAckNs();
        }
        return true;
    }

    private void deliver(final int record, final int length, final boolean fin, final long nowNs)
    {
        rcvNxt += length;
        unconsumed += length;
        handler.onData(this, record, nowNs);
        if (fin && state != TcpState.CLOSED)
        {
            receiveFin(nowNs);
        }
    }

    /** The peer's FIN at RCV.NXT (3.10.7.4 eighth check). */
    private void receiveFin(final long nowNs)
    {
        if (state == TcpState.TIME_WAIT)
        {
            // A retransmitted FIN: our ACK was lost. ACK again and restart 2*MSL.
            ackNow = true;
            timeWaitDeadline = nowNs + config.timeWaitNs();
            return;
        }
        if (peerFinDelivered)
        {
            ackNow = true;
            return;
        }
        peerFinDelivered = true;
        rcvNxt += 1;
        ackNow = true;
        switch (state)
        {
            case SYN_RECEIVED:
            case ESTABLISHED:
                state = TcpState.CLOSE_WAIT;
                break;
            case FIN_WAIT_1:
                if (finQueued && sndUna == sendQueue.endSeq() + 1)
                {
                    enterTimeWait(nowNs);
                }
                else
                {
                    state = TcpState.CLOSING;   // simultaneous close
                }
                break;
            case FIN_WAIT_2:
                enterTimeWait(nowNs);
                break;
            case CLOSED:
            case LISTEN:
            case SYN_SENT:
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                // Cannot happen: the FIN was already seen or data is not accepted here.
                return;
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
        handler.onPeerClosed(this, nowNs);
    }

    private void enterTimeWait(final long nowNs)
    {
        state = TcpState.TIME_WAIT;
        rtx.stop();
        persistDeadline = NO_DEADLINE;
        delayedAckDeadline = NO_DEADLINE;
        timeWaitDeadline = nowNs + config.timeWaitNs();
        sendQueue.clear();
        outOfOrder.clear();
    }

    // =====================================================================================
    // Output
    // =====================================================================================

    private void outputSoon(final long nowNs)
    {
        if (!inInput)
        {
            output(nowNs);
            layer.rearm(this);
        }
    }

    /** Sends what the windows allow, a FIN when due, and a pending ACK. */
    void output(final long nowNs)
    {
        switch (state)
        {
            case CLOSED:
            case LISTEN:
                return;
            case SYN_SENT:
            case SYN_RECEIVED:
            case TIME_WAIT:
                // No data flows; only answer with an ACK if one is owed. SYN_RECEIVED is synchronized: its
                // challenge ACKs (RFC 5961) and answers to unacceptable segments (RFC 9293 3.10.7.4) go out.
                if (ackNow && state != TcpState.SYN_SENT)
                {
                    sendAck(nowNs);
                }
                ackNow = false;
                return;
            case ESTABLISHED:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
                break;
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
        final int queueEnd = transmittableEnd();
        // Held replies (holdSends) are not part of this output: our FIN must follow all of them.
        final boolean finDue = finQueued && queueEnd == sendQueue.endSeq();
        // RFC 5681 4.1: after an idle period longer than RTO the old cwnd no longer reflects the path.
        if (sndUna == sndMax && queueEnd != sndNxt && lastSendNs != 0 && nowNs - lastSendNs > rtx.rtoNs())
        {
            congestion.onIdleRestart();
        }
        while (true)
        {
            if (!sacked.isEmpty() && lt(sndNxt, sndMax))
            {
                // Resending after a go-back-N rewind: what the peer SACKed need not go again.
                final int skipped = sacked.skip(sndNxt);
                if (skipped != sndNxt)
                {
                    sndNxt = skipped;
                    continue;
                }
            }
            final int unsent = queueEnd - sndNxt;
            final int inFlight = sndNxt - sndUna - sacked.bytesBelow(sndNxt);
            final int window = Math.min(sndWnd, congestion.sendWindow(sndWnd) + limitedTransmit);
            if (unsent > 0)
            {
                // Congestion room counts only what is in the network (SACKed bytes are not), but nothing
                // may ever go past the right edge the peer announced: SND.WL2 + SND.WND (the ACK that
                // carried the window plus the window). SND.UNA + SND.WND would overshoot when the window
                // came from an older ACK than SND.UNA, and the peer then drops our segments.
                final int room = Math.min(window - inFlight, peerWindowRoom());
                int length = Math.min(unsent, Math.min(sndMss, room));
                if (length <= 0)
                {
                    break;
                }
                if (!sacked.isEmpty() && lt(sndNxt, sndMax))
                {
                    length = Math.min(length, sacked.nextStart(sndNxt, sndMax) - sndNxt);
                }
                // Sender SWS avoidance (RFC 9293 3.8.6.2.1): no runt while data is in flight.
                if (length < sndMss && length < unsent && inFlight > 0)
                {
                    break;
                }
                // The FIN takes a sequence number too: only with room for it in the peer's window.
                final boolean fin = finDue && sndNxt + length == queueEnd && peerWindowRoom() > length;
                final int sent = sendSegment(TcpHeader.ACK | (fin ? TcpHeader.FIN : 0) |
                    (sndNxt + length == queueEnd ? TcpHeader.PSH : 0), sndNxt, length, nowNs);
                if (sent < 0)
                {
                    layer.outputLater(this);
                    return;
                }
                if (sent == 0)
                {
                    break;
                }
                final boolean finSent = fin && sent == length;
                length = sent;
                if (!rttTiming && ge(sndNxt, sndMax))
                {
                    rttTiming = true;
                    rttSeq = sndNxt;
                    rttStartNs = nowNs;
                }
                sndNxt += length + (finSent ? 1 : 0);
                if (gt(sndNxt, sndMax))
                {
                    sndMax = sndNxt;
                }
                rtx.startIfStopped(nowNs);
                continue;
            }
            // A FIN never sent waits for room in the peer's window; one sent before (rewound by go-back-N)
            // goes again as before.
            if (finDue && sndNxt == queueEnd && (peerWindowRoom() > 0 || gt(sndMax, queueEnd)))
            {
                if (sendSegment(TcpHeader.ACK | TcpHeader.FIN, sndNxt, 0, nowNs) < 0)
                {
                    layer.outputLater(this);
                    return;
                }
                sndNxt += 1;
                if (gt(sndNxt, sndMax))
                {
                    sndMax = sndNxt;
                }
                rtx.startIfStopped(nowNs);
            }
            break;
        }
        if (ackNow)
        {
            sendAck(nowNs);
        }
        // Peer window closed with data (or our FIN) waiting and nothing in flight: probe it (RFC 9293
        // 3.8.6.1), or a lost window update would stall both sides forever.
        if (peerWindowRoom() <= 0 && (queueEnd - sndNxt > 0 || finWaitsForWindow()) && sndUna == sndNxt)
        {
            if (persistDeadline == NO_DEADLINE)
            {
                rtx.stop();
                persistDeadline = nowNs + persistInterval();
            }
        }
    }

    /** @return true if our FIN is due (all data sent) but was never sent. */
    private boolean finWaitsForWindow()
    {
        final int queueEnd = sendQueue.endSeq();
        return finQueued && transmittableEnd() == queueEnd && sndNxt == queueEnd && !gt(sndMax, queueEnd);
    }

    /** @return bytes we may still send before the right edge of the peer's window, SND.WL2 + SND.WND. */
    private int peerWindowRoom()
    {
        return sndWl2 + sndWnd - sndNxt;
    }

    private long persistInterval()
    {
        final long base = Math.max(rtx.rtoNs(), config.persistMinNs());
        return Math.min(MAX_PERSIST_NS, base << Math.min(persistBackoff, 20));
    }

    private void sendAck(final long nowNs)
    {
        sendSegment(TcpHeader.ACK, acceptableSeq(), 0, nowNs);
    }

    /**
     * The sequence number for a segment without data (pure ACK, RST) that the peer will accept, as
     * Linux's tcp_acceptable_seq. SND.MAX, not SND.NXT: after a go-back-N rewind the peer may already
     * hold data up to SND.MAX, and a number below its RCV.NXT would be unacceptable there (its ACK field
     * ignored; capping at SND.NXT made the lossy-link test time out). But after a zero-window probe
     * SND.MAX lies one byte beyond the peer's right edge, SND.WL2 + SND.WND, which is just as
     * unacceptable: then the edge itself (not below SND.UNA, which the peer's RCV.NXT has reached).
     */
    private int acceptableSeq()
    {
        final int edge = sndWl2 + sndWnd;
        if (le(sndMax, edge))
        {
            return sndMax;
        }
        return gt(edge, sndUna) ? edge : sndUna;
    }

    /** A SYN (active) or SYN-ACK (passive or simultaneous open) with our options. */
    private void sendSyn(final long nowNs)
    {
        final int flags = state == TcpState.SYN_SENT ? TcpHeader.SYN : TcpHeader.SYN | TcpHeader.ACK;
        sendSegment(flags, iss, 0, nowNs);
        sndNxt = iss + 1;
        if (gt(sndNxt, sndMax))
        {
            sndMax = sndNxt;
        }
        if (!rtx.isRunning())
        {
            rtx.restart(nowNs);
        }
        if (retransmissions == 0)
        {
            rttTiming = true;
            rttSeq = iss;
            rttStartNs = nowNs;
        }
    }

    /**
     * Builds and sends one segment; ACK segments carry RCV.NXT and our window.
     *
     * @return payload bytes sent (may be fewer than asked when the gather list filled), or -1 if the
     *         output had no room this duty cycle (nothing was sent).
     */
    int sendSegment(final int flags, final int seq, final int dataLength, final long nowNs)
    {
        final boolean syn = (flags & TcpHeader.SYN) != 0;
        final TcpOptions o = outOptions;
        o.clear();
        if (syn)
        {
            o.mss(layer.localMss());
            // Offer scaling in our SYN; in a SYN-ACK only if the peer offered it (RFC 7323 2.2).
            if (state == TcpState.SYN_SENT || peerOfferedScale)
            {
                o.windowScale(state == TcpState.SYN_SENT ? config.windowScale() : rcvShift);
            }
            if (state == TcpState.SYN_SENT ? config.sackPermitted() : sackOk)
            {
                o.sackPermitted(true);
            }
            if (state == TcpState.SYN_SENT ? config.timestamps() : timestampsOk)
            {
                o.timestamps(layer.tsNow(nowNs), state == TcpState.SYN_SENT ? 0 : tsRecent);
            }
        }
        else
        {
            if (timestampsOk)
            {
                o.timestamps(layer.tsNow(nowNs), tsRecent);
            }
            if (sackOk && !outOfOrder.isEmpty())
            {
                final int max = timestampsOk ? 3 : 4;
                final int n = outOfOrder.sackBlocks(sackLeft, sackRight, max);
                for (int i = 0; i < n; i++)
                {
                    o.addSackBlock(sackLeft[i], sackRight[i]);
                }
            }
        }
        final Gather gather = layer.writer().begin(o);
        int sent = 0;
        if (dataLength > 0)
        {
            // MSS counts data only; options take their room from it (RFC 6691).
            sent = sendQueue.gather(seq, Math.min(dataLength, sndMss - o.encodedLength()), gather);
        }
        final boolean hasAck = (flags & TcpHeader.ACK) != 0;
        final int windowField = windowField(syn);
        int sendFlags = flags;
        if (sent < dataLength && (flags & TcpHeader.FIN) != 0)
        {
            sendFlags &= ~TcpHeader.FIN;
        }
        final int result = layer.writer().send(
            remoteIp, localPort, remotePort, seq, hasAck ? rcvNxt : 0, sendFlags, windowField,
            o.encodedLength() == 0 ? null : o, nowNs);
        if (result == Ipv4Output.TX_FULL)
        {
            return -1;
        }
        lastSendNs = nowNs;
        if (hasAck)
        {
            lastAckSent = rcvNxt;
            ackNow = false;
            segmentsSinceAck = 0;
            delayedAckDeadline = NO_DEADLINE;
        }
        return sent;
    }

    private boolean peerOfferedScale;

    private int windowField(final boolean syn)
    {
        int window = receiveWindow();
        // Never shrink the window we already offered (RFC 9293 3.8.6.2.2 / 7323 2.4).
        final int offered = rcvAdvertisedEdge - rcvNxt;
        if (window < offered)
        {
            window = offered;
        }
        final int shift = syn ? 0 : rcvShift;
        final int field = Math.min(window >>> shift, 0xFFFF);
        final int edge = rcvNxt + (field << shift);
        if (gt(edge, rcvAdvertisedEdge))
        {
            rcvAdvertisedEdge = edge;
        }
        return field;
    }

    /** @return free receive window in bytes: buffer minus what the application holds and out-of-order bytes. */
    int receiveWindow()
    {
        return (int)Math.max(0, config.receiveBufferBytes() - unconsumed - outOfOrder.bytes());
    }

    /** @return sequence numbers the retransmitted segment covers (data plus FIN), 0 if nothing was sent. */
    private int retransmitFirstUnacked(final long nowNs)
    {
        final int queueEnd = sendQueue.endSeq();
        final boolean finWasSent = finQueued && gt(sndMax, queueEnd);
        // Only what was sent before: bytes beyond SND.MAX are new data and wait for the window.
        final int sentEnd = finWasSent ? queueEnd : sndMax;
        final int length = Math.max(0, Math.min(sndMss, sentEnd - sndUna));
        if (length == 0 && !finWasSent)
        {
            return 0;
        }
        counters.retransmits++;
        rttTiming = false;   // Karn: never time a retransmitted segment.
        final boolean fin = finWasSent && sndUna + length == queueEnd;
        final int sent = sendSegment(TcpHeader.ACK | (fin ? TcpHeader.FIN : 0), sndUna, length, nowNs);
        if (sent < 0)
        {
            return 0;
        }
        return sent + (fin && sent == length ? 1 : 0);
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    /** @return the earliest pending deadline, or {@link #NO_DEADLINE}. */
    long nextDeadline()
    {
        long d = rtx.isRunning() ? rtx.deadlineNs() : NO_DEADLINE;
        d = Math.min(d, delayedAckDeadline);
        d = Math.min(d, persistDeadline);
        return Math.min(d, timeWaitDeadline);
    }

    /** Fires every deadline that passed. */
    void onTimers(final long nowNs)
    {
        if (timeWaitDeadline <= nowNs)
        {
            layer.finish(this, TcpCloseReason.NORMAL, nowNs);
            return;
        }
        if (delayedAckDeadline <= nowNs)
        {
            delayedAckDeadline = NO_DEADLINE;
            ackNow = true;
        }
        if (persistDeadline <= nowNs)
        {
            persistDeadline = NO_DEADLINE;
            zeroWindowProbe(nowNs);
        }
        if (rtx.isRunning() && rtx.isExpired(nowNs))
        {
            onRetransmissionTimeout(nowNs);
            if (state == TcpState.CLOSED)
            {
                return;
            }
        }
        output(nowNs);
        if (state != TcpState.CLOSED)
        {
            layer.rearm(this);
        }
    }

    private void zeroWindowProbe(final long nowNs)
    {
        if (peerWindowRoom() > 0 || !state.synchronizedState())
        {
            return;
        }
        if (transmittableEnd() != sndNxt)
        {
            // One byte beyond the closed window: the receiver must answer with an ACK carrying its window.
            counters.zeroWindowProbes++;
            sendSegment(TcpHeader.ACK, sndNxt, 1, nowNs);
            if (gt(sndNxt + 1, sndMax))
            {
                sndMax = sndNxt + 1;
            }
        }
        else if (finWaitsForWindow())
        {
            // Only the FIN waits: no byte to probe with, so an ACK below the window (SND.UNA - 1, as Linux's
            // tcp_xmit_probe_skb), which the receiver must answer with an ACK carrying its window.
            counters.zeroWindowProbes++;
            sendSegment(TcpHeader.ACK, sndUna - 1, 0, nowNs);
        }
        else
        {
            return;
        }
        persistBackoff++;
        persistDeadline = nowNs + persistInterval();
    }

    private void onRetransmissionTimeout(final long nowNs)
    {
        counters.rtoExpiries++;
        retransmissions++;
        final boolean opening = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (retransmissions > (opening ? config.maxSynRetransmissions() : config.maxRetransmissions()))
        {
            counters.connectionsTimedOut++;
            layer.finish(this, TcpCloseReason.TIMED_OUT, nowNs);
            return;
        }
        rtx.backoff();
        rttTiming = false;
        if (opening)
        {
            counters.retransmits++;
            sndNxt = iss;
            sendSyn(nowNs);
            rtx.restart(nowNs);
            return;
        }
        congestion.onRetransmissionTimeout(sndMax - sndUna, sndMax, retransmissions > 1);
        // Go back N: resend from SND.UNA as the (now one-segment) congestion window allows.
        sndNxt = sndUna;
        sndNxt = sndUna + retransmitFirstUnacked(nowNs);
        rtx.restart(nowNs);
    }

    // =====================================================================================
    // Teardown
    // =====================================================================================

    /** Releases every record this connection holds and marks it CLOSED. */
    void releaseResources()
    {
        sendQueue.clear();
        outOfOrder.clear();
        rtx.stop();
        state = TcpState.CLOSED;
        delayedAckDeadline = NO_DEADLINE;
        persistDeadline = NO_DEADLINE;
        timeWaitDeadline = NO_DEADLINE;
    }

    @Override
    public String toString()
    {
        return "TcpConnection{" + state + " :" + localPort + " -> " + TcpLayer.ipToString(remoteIp) + ':' + remotePort +
            ", sndUna=" + Integer.toUnsignedString(sndUna) + ", sndNxt=" + Integer.toUnsignedString(sndNxt) +
            ", rcvNxt=" + Integer.toUnsignedString(rcvNxt) + ", sndWnd=" + sndWnd + ", queued=" + sendQueue.bytes() + '}';
    }
}
