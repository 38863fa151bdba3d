package io.pktstore.stack.tcp;

import io.pktstore.stack.CounterSnapshot;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.IsnGenerator;
import io.pktstore.stack.tcp.algo.SynCookies;
import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The TCP layer of one stack: demultiplexes segments to connections by 4-tuple, runs the listen
 * table (bounded SYN backlog, SYN cookies beyond it), answers segments for closed ports with RST
 * (RFC 9293 3.10.7.1), rate-limits challenge ACKs (RFC 5961 7), and drives every connection's timers
 * from one Agrona {@link DeadlineTimerWheel} polled each duty cycle.
 * <p>
 * Connection objects are pre-allocated ({@link TcpConfig#maxConnections()}); a connection that ends
 * is reclaimed at the end of the current call so no callback ever sees a recycled object.
 * <p>
 * After every event a connection processes (a segment, its timers, a retry of its output, an application
 * call) the layer <em>settles</em> it, in this order: the application callbacks the event caused
 * ({@link ApplicationEvents}), the connection's output, its timer-wheel entry; or, if it ended, its
 * removal from the tables and {@link TcpHandler#onClosed}. Connections never call into the layer while
 * they process: the settle is the only place where connection work meets application code.
 * The 4-tuple key packs the peer address, peer port and our port into one long (our address is the
 * stack's only one):
 * <pre>
 *   63            32 31         16 15          0
 *   [  remote IPv4  ][ remote port ][ local port ]
 * </pre>
 * Single-threaded (the stack's agent thread); the per-segment path allocates nothing.
 */
public final class TcpLayer implements TransportHandler, DeadlineTimerWheel.TimerHandler, TcpConnection.Owner
{
    /** IP protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** No wheel timer. */
    static final long NO_TIMER = -1;
    /** Timer wheel tick: 2^20 ns (about 1 ms). */
    private static final long TICK_NS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    /** Most wheel ticks one poll catches up after a stall or a virtual-clock jump. */
    private static final int MAX_TICKS_PER_POLL = 8192;
    /**
     * How often the current wheel tick is scanned for timers already due (the wheel itself only moves on at
     * tick ends): a scan walks every slot of the tick, and under a SYN flood with a full backlog that cost a
     * tenth of the stack thread when done every duty cycle. Timers fire at most this late.
     */
    private static final long TIMER_SCAN_INTERVAL_NS = 50_000L;
    /**
     * Most wheel timers {@link #nextWakeNs} walks to find the earliest again; with more, a quiet stack wakes
     * every tick instead (with that many connections it is rarely quiet for long anyway).
     */
    private static final int EXACT_WAKE_SCAN_LIMIT = 256;
    private static final int FIRST_EPHEMERAL_PORT = 32768;
    private static final int EPHEMERAL_PORTS = 61000 - FIRST_EPHEMERAL_PORT;

    /** A listening port: its handler and how many half-open connections it has. */
    static final class Listener
    {
        final int port;
        final TcpHandler handler;
        int synReceived;

        Listener(final int port, final TcpHandler handler)
        {
            this.port = port;
            this.handler = handler;
        }
    }

    private final TcpConfig config;
    private final Ipv4Output ipv4;
    private final PacketRecordPool pool;
    private final TcpCounters counters = new TcpCounters();
    /**
     * What other threads read: the counters as the last poll published them (at most 1 ms old while the stack
     * works; current while it waits for input, see {@link #onQuiet}).
     */
    private final CounterSnapshot<TcpCounters> publishedCounters =
        new CounterSnapshot<>(new TcpCounters(), TcpCounters::copy, 1_000_000L);
    private final SegmentWriter writer;
    private final DeferredRecordRelease deferredRelease;
    private final TcpHeader header = new TcpHeader();
    private final InboundSegment segment = new InboundSegment();
    private final TcpOptions cookieOptions = new TcpOptions();
    private final Long2ObjectHashMap<TcpConnection> byTuple;
    private final Int2ObjectHashMap<Listener> listeners = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<TcpConnection> byTimer;
    private final DeadlineTimerWheel wheel;
    private final TcpConnection[] all;
    private final TcpConnection[] free;
    private int freeCount;
    private final TcpConnection[] reclaim;
    private int reclaimCount;
    private final TcpConnection[] pendingOutput;
    private int pendingOutputCount;
    private final IsnGenerator isnGenerator;
    private final SynCookies synCookies;
    private final ConnectionServices services;
    private int nextEphemeral;
    private long nextTimerScanNs = Long.MIN_VALUE;
    /**
     * No wheel timer is due before this: a lower bound (a timer cancelled or fired since leaves it early,
     * never late), so a quiet stack learns how long it may wait without walking its connections.
     */
    private long timersNotBeforeNs = Long.MAX_VALUE;

    /**
     * @param config settings; not copied.
     * @param ipv4   where segments go (builds Ethernet/IPv4 around them).
     * @param pool   packet records for received data and for copied send data.
     * @param nowNs  the clock at start (origin of the timer wheel).
     */
    public TcpLayer(final TcpConfig config, final Ipv4Output ipv4, final PacketRecordPool pool, final long nowNs)
    {
        this.config = config;
        this.ipv4 = ipv4;
        this.pool = pool;
        this.writer = new SegmentWriter(ipv4, counters);
        this.deferredRelease = new DeferredRecordRelease(pool);
        final int max = config.maxConnections();
        this.byTuple = new Long2ObjectHashMap<>(Math.max(16, max * 2), 0.65f);
        this.byTimer = new Long2ObjectHashMap<>(Math.max(16, max * 2), 0.65f);
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, nowNs, TICK_NS, TICKS_PER_WHEEL);
        this.all = new TcpConnection[max];
        this.free = new TcpConnection[max];
        this.reclaim = new TcpConnection[max];
        this.pendingOutput = new TcpConnection[max];
        final SplittableRandom random = new SplittableRandom(config.seed());
        this.isnGenerator = new IsnGenerator(random.nextLong(), random.nextLong());
        this.synCookies = new SynCookies(new SplittableRandom(random.nextLong()));
        this.services = new ConnectionServices(config, pool, counters, writer, deferredRelease, random.nextInt(), this);
        this.nextEphemeral = random.nextInt(EPHEMERAL_PORTS);
        for (int i = max - 1; i >= 0; i--)
        {
            all[i] = new TcpConnection(services);
            free[freeCount++] = all[i];
        }
    }

    /** @return the ISN of a new connection (RFC 6528; without its clock when configured for replays). */
    private int isn(final int localPort, final int remoteIp, final int remotePort, final long nowNs)
    {
        return isnGenerator.isn(ipv4.localIp(), localPort, remoteIp, remotePort, config.isnWithoutClock() ? 0 : nowNs);
    }

    // =====================================================================================
    // Application API
    // =====================================================================================

    /**
     * Starts listening on a port; connections made to it are announced to {@code handler}.
     *
     * @throws IllegalArgumentException if the port is out of range or already listening.
     */
    public void listen(final int port, final TcpHandler handler)
    {
        if (port <= 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (listeners.containsKey(port))
        {
            throw new IllegalArgumentException("already listening on port " + port);
        }
        listeners.put(port, new Listener(port, handler));
    }

    /** Stops listening on {@code port}; existing connections go on. @return true if it was listening. */
    public boolean unlisten(final int port)
    {
        return listeners.remove(port) != null;
    }

    /**
     * Active open to {@code remoteIp:remotePort} from an ephemeral port: sends SYN now.
     *
     * @return the connection (SYN_SENT), or null if the connection table or the ephemeral ports are full.
     */
    public TcpConnection connect(final int remoteIp, final int remotePort, final TcpHandler handler, final long nowNs)
    {
        if (remotePort <= 0 || remotePort > 0xFFFF)
        {
            throw new IllegalArgumentException("port must be 1..65535, got " + remotePort);
        }
        int localPort = -1;
        for (int i = 0; i < EPHEMERAL_PORTS; i++)
        {
            final int candidate = FIRST_EPHEMERAL_PORT + nextEphemeral;
            nextEphemeral = (nextEphemeral + 1) % EPHEMERAL_PORTS;
            if (!listeners.containsKey(candidate) && !byTuple.containsKey(key(remoteIp, remotePort, candidate)))
            {
                localPort = candidate;
                break;
            }
        }
        final TcpConnection c = localPort < 0 ? null : newConnection(localPort, remoteIp, remotePort, handler, nowNs);
        if (c == null)
        {
            counters.dropTableFull++;
            return null;
        }
        c.openActive(isn(localPort, remoteIp, remotePort, nowNs), nowNs);
        settle(c, nowNs);
        return c;
    }

    /** @return counters of this layer, live: read them on the stack's thread (elsewhere: {@link #readCounters}). */
    public TcpCounters counters()
    {
        return counters;
    }

    /**
     * From any thread, while the stack runs: copies this layer's counters as the stack's thread last
     * published them (every millisecond of its clock at the end of a poll while it works, and when it goes
     * quiet), consistent as a whole.
     *
     * @param into the caller's counters object (allocate one and reuse it).
     */
    public void readCounters(final TcpCounters into)
    {
        publishedCounters.read(into);
    }

    /** @return connections alive (any state but CLOSED). */
    public int connectionCount()
    {
        return byTuple.size();
    }

    /** @return the MSS we announce: MTU minus the 20-byte IPv4 and 20-byte TCP headers. */
    public int localMss()
    {
        return services.localMss();
    }

    /**
     * The earliest timer deadline of any connection, for a driver with a virtual clock that jumps to it
     * when idle. Walks the connection table: not for the hot path.
     *
     * @return the deadline in ns, or {@link Long#MAX_VALUE} if no timer is pending.
     */
    public long nextDeadlineNs()
    {
        long d = Long.MAX_VALUE;
        for (final TcpConnection c : all)
        {
            if (c.state != TcpState.CLOSED)
            {
                d = Math.min(d, c.nextDeadline());
            }
        }
        return d;
    }

    // =====================================================================================
    // TransportHandler
    // =====================================================================================

    @Override
    public boolean onDatagram(final ReceivedDatagram d, final long nowNs)
    {
        publishedCounters.changed();
        counters.segmentsIn++;
        segment.bufferAdopted = false;
        try
        {
            return dispatch(d, nowNs);
        }
        catch (final RuntimeException ex)
        {
            // An application callback threw after a record took the buffer: the buffer is ours (the
            // record's) whatever the IPv4 layer does with the exception.
            if (segment.bufferAdopted)
            {
                d.markTaken();
            }
            throw ex;
        }
        finally
        {
            reclaimFinished();
        }
    }

    private boolean dispatch(final ReceivedDatagram d, final long nowNs)
    {
        final long l4Address = d.bufferAddress() + d.l4Offset();
        if (d.l4Length() < TcpHeader.MIN_HEADER_LENGTH || d.l4Offset() + d.l4Length() > d.frameLength() ||
            header.wrapChecked(l4Address, d.l4Length()) != TcpHeader.VALID)
        {
            counters.dropMalformedHeader++;
            return false;
        }
        final InboundSegment s = segment;
        final int optionsLength = header.optionsLength();
        if (optionsLength > 0)
        {
            if (s.options.parse(header.buffer(), TcpHeader.OPTIONS_OFFSET, optionsLength) != TcpOptions.OK)
            {
                counters.dropMalformedOptions++;
                return false;
            }
        }
        else
        {
            s.options.clear();
        }
        s.bufferIndex = d.bufferIndex();
        s.bufferAddress = d.bufferAddress();
        s.frameLength = d.frameLength();
        s.l3Offset = d.l3Offset();
        s.l4Offset = d.l4Offset();
        s.timestampNs = d.timestampNs();
        s.checksumState = d.checksumState();
        s.srcIp = d.srcIp();
        s.srcPort = header.srcPort();
        s.dstPort = header.dstPort();
        s.seq = header.seq();
        s.ack = header.ack();
        s.flags = header.flags();
        s.window = header.window();
        s.tcpChecksum = header.checksum();
        s.payloadOffset = d.l4Offset() + header.payloadOffset();
        s.payloadLength = header.payloadLength();

        final TcpConnection c = byTuple.get(key(s.srcIp, s.srcPort, s.dstPort));
        boolean recycled = false;
        int recycledIss = 0;
        if (c != null)
        {
            if (!c.startsNewIncarnation(s))
            {
                final boolean taken = c.segmentArrives(s, nowNs);
                settle(c, nowNs);
                return taken;
            }
            // A peer reusing its port while we hold TIME_WAIT (RFC 6191): the old incarnation ends now
            // and the SYN goes on as if TIME_WAIT were over, so the peer is not blocked for 2*MSL.
            counters.timeWaitRecycled++;
            recycled = true;
            recycledIss = c.nextIncarnationIss();
            c.end(TcpCloseReason.NORMAL);
            settle(c, nowNs);
            reclaimFinished();
        }
        final Listener listener = listeners.get(s.dstPort);
        if (listener != null)
        {
            return listenArrives(listener, s, recycled, recycledIss, nowNs);
        }
        noSocket(s, nowNs);
        return false;
    }

    /** RFC 9293 3.10.7.2: a segment for a listening port with no connection yet. */
    private boolean listenArrives(
        final Listener listener, final InboundSegment s, final boolean recycled, final int recycledIss, final long nowNs)
    {
        if (s.has(TcpHeader.RST))
        {
            return false;
        }
        if (s.has(TcpHeader.ACK) && !s.has(TcpHeader.SYN))
        {
            return cookieAckArrives(listener, s, nowNs);
        }
        if (s.has(TcpHeader.ACK))
        {
            // SYN-ACK to a listener: it acknowledges nothing we sent.
            writer.sendReset(s.srcIp, s.dstPort, s.srcPort, s.ack, 0, TcpHeader.RST, nowNs);
            return false;
        }
        if (!s.has(TcpHeader.SYN))
        {
            return false;
        }
        counters.listenSyns++;
        if (listener.synReceived >= config.listenBacklog())
        {
            sendCookieSynAck(s, nowNs);
            return false;
        }
        final TcpConnection c = newConnection(s.dstPort, s.srcIp, s.srcPort, listener.handler, nowNs);
        if (c == null)
        {
            counters.dropTableFull++;
            return false;
        }
        // A new incarnation from TIME_WAIT starts its sequence space above the old one's (as Linux), so the
        // peer cannot take an old duplicate of ours for new data.
        final int isn = recycled ? recycledIss : isn(s.dstPort, s.srcIp, s.srcPort, nowNs);
        c.openPassive(s, isn, listener, nowNs);
        settle(c, nowNs);
        return false;
    }

    private void sendCookieSynAck(final InboundSegment s, final long nowNs)
    {
        final TcpOptions in = s.options;
        final int peerMss = in.hasMss() ? in.mss() : TcpConnection.DEFAULT_MSS;
        final int cookie = synCookies.encode(ipv4.localIp(), s.dstPort, s.srcIp, s.srcPort, s.seq, peerMss, nowNs);
        final TcpOptions o = cookieOptions;
        o.clear();
        o.mss(Math.min(SynCookies.mssAt(SynCookies.mssIndex(peerMss)), localMss()));
        // Without timestamps the cookie cannot carry window scale or SACK (as in Linux): offer neither.
        if (in.hasTimestamps() && config.timestamps())
        {
            final int peerScale = in.hasWindowScale() ? in.windowScale() : SynCookies.NO_WINDOW_SCALE;
            if (in.hasWindowScale())
            {
                o.windowScale(config.windowScale());
            }
            final boolean sack = in.sackPermitted() && config.sackPermitted();
            o.sackPermitted(sack);
            o.timestamps(SynCookies.encodeTimestamp(services.tsNow(nowNs), peerScale, sack), in.tsVal());
        }
        writer.begin(o);
        writer.send(s.srcIp, s.dstPort, s.srcPort, cookie, s.seq + 1, TcpHeader.SYN | TcpHeader.ACK,
            Math.min(config.receiveBufferBytes(), 0xFFFF), o, nowNs);
        counters.synCookiesSent++;
    }

    private boolean cookieAckArrives(final Listener listener, final InboundSegment s, final long nowNs)
    {
        final int mss = synCookies.validate(ipv4.localIp(), s.dstPort, s.srcIp, s.srcPort, s.seq - 1, s.ack - 1, nowNs);
        if (mss == SynCookies.INVALID || freeCount == 0)
        {
            counters.synCookiesInvalid++;
            writer.sendReset(s.srcIp, s.dstPort, s.srcPort, s.ack, 0, TcpHeader.RST, nowNs);
            return false;
        }
        int peerScale = SynCookies.NO_WINDOW_SCALE;
        boolean sack = false;
        if (s.options.hasTimestamps() && config.timestamps())
        {
            peerScale = SynCookies.decodeWindowScale(s.options.tsEcr());
            sack = SynCookies.decodeSackPermitted(s.options.tsEcr());
        }
        final TcpConnection c = newConnection(s.dstPort, s.srcIp, s.srcPort, listener.handler, nowNs);
        c.openFromCookie(s, mss, peerScale, sack, nowNs);
        // The ACK may carry data or a FIN: process it as any segment of an established connection.
        final boolean taken = c.segmentArrives(s, nowNs);
        settle(c, nowNs);
        return taken;
    }

    /**
     * Takes a free connection object for a 4-tuple (the one way every open starts).
     *
     * @return the object, in the tables and reset, or null if none is free.
     */
    private TcpConnection newConnection(
        final int localPort, final int remoteIp, final int remotePort, final TcpHandler handler, final long nowNs)
    {
        if (freeCount == 0)
        {
            return null;
        }
        final long key = key(remoteIp, remotePort, localPort);
        final TcpConnection c = free[--freeCount];
        c.init(localPort, remoteIp, remotePort, key, handler, nowNs);
        byTuple.put(key, c);
        return c;
    }

    /** RFC 9293 3.10.7.1: no connection and no listener. */
    private void noSocket(final InboundSegment s, final long nowNs)
    {
        counters.dropNoSocket++;
        if (s.has(TcpHeader.RST))
        {
            return;
        }
        if (s.has(TcpHeader.ACK))
        {
            writer.sendReset(s.srcIp, s.dstPort, s.srcPort, s.ack, 0, TcpHeader.RST, nowNs);
        }
        else
        {
            writer.sendReset(s.srcIp, s.dstPort, s.srcPort, 0, s.seq + s.sequenceLength(), TcpHeader.RST | TcpHeader.ACK,
                nowNs);
        }
    }

    @Override
    public int poll(final long nowNs)
    {
        // The previous cycle's TX has been flushed: records acknowledged then may go back now.
        int work = deferredRelease.releasePrevious();
        for (int i = 0; i < MAX_TICKS_PER_POLL && wheel.currentTickTime() <= nowNs; i++)
        {
            work += wheel.poll(nowNs, this, Integer.MAX_VALUE);
        }
        if (wheel.timerCount() > 0 && nowNs >= nextTimerScanNs)
        {
            nextTimerScanNs = nowNs + TIMER_SCAN_INTERVAL_NS;
            work += wheel.poll(nowNs, this, Integer.MAX_VALUE);
        }
        final int pending = pendingOutputCount;
        pendingOutputCount = 0;
        for (int i = 0; i < pending; i++)
        {
            final TcpConnection c = pendingOutput[i];
            pendingOutput[i] = null;
            // The flag marks membership of this list: an object is listed at most once (the list has one
            // slot per object), whatever happened to its connection since.
            c.listedForRetry = false;
            if (c.state != TcpState.CLOSED)
            {
                settle(c, nowNs);
                work++;
            }
        }
        reclaimFinished();
        if (work > 0)
        {
            publishedCounters.changed();
        }
        publishedCounters.publishIfDue(counters, nowNs);
        return work;
    }

    /**
     * The earliest wheel timer, from {@link #timersNotBeforeNs} while it lies ahead; once it passed, the
     * timers are walked again (at most {@link #EXACT_WAKE_SCAN_LIMIT} of them).
     */
    @Override
    public long nextWakeNs(final long nowNs)
    {
        if (wheel.timerCount() == 0)
        {
            timersNotBeforeNs = Long.MAX_VALUE;
            return Long.MAX_VALUE;
        }
        if (timersNotBeforeNs > nowNs)
        {
            return timersNotBeforeNs;
        }
        if (byTimer.size() > EXACT_WAKE_SCAN_LIMIT)
        {
            return nowNs + TICK_NS;
        }
        long earliest = Long.MAX_VALUE;
        for (final TcpConnection c : byTimer.values())
        {
            earliest = Math.min(earliest, c.wheelDeadline);
        }
        timersNotBeforeNs = earliest;
        return earliest;
    }

    /** Publishes the counters if they moved since the last publication, so a quiet stack's readers are current. */
    @Override
    public void onQuiet()
    {
        publishedCounters.publishIfChanged(counters);
    }

    @Override
    public boolean onTimerExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final TcpConnection c = byTimer.remove(timerId);
        if (c != null && c.wheelTimerId == timerId)
        {
            c.wheelTimerId = NO_TIMER;
            c.wheelDeadline = TcpConnection.NO_DEADLINE;
            if (c.state != TcpState.CLOSED)
            {
                c.timersExpire(now);
                settle(c, now);
            }
        }
        return true;
    }

    // =====================================================================================
    // Services for connections
    // =====================================================================================

    DeferredRecordRelease deferredRelease()
    {
        return deferredRelease;
    }

    /**
     * Settles a connection after an event (see the class comment): callbacks, then output and timer, or
     * retirement if it ended. A callback that throws leaves the events after it for the next poll.
     */
    @Override
    public void settle(final TcpConnection c, final long nowNs)
    {
        if (c.settling || c.retired)
        {
            return;
        }
        c.settling = true;
        boolean completed = false;
        try
        {
            c.deliverEvents(nowNs);
            if (c.state != TcpState.CLOSED)
            {
                c.transmitter.output(nowNs);
                if (c.outputBlocked)
                {
                    c.outputBlocked = false;
                    listForRetry(c);
                }
                rearm(c);
            }
            completed = true;
        }
        finally
        {
            c.settling = false;
            if (c.state == TcpState.CLOSED)
            {
                retire(c, nowNs);
            }
            else if (!completed)
            {
                listForRetry(c);
            }
        }
    }

    /** Keeps one wheel timer per connection at (or before) its earliest deadline. */
    private void rearm(final TcpConnection c)
    {
        final long deadline = c.nextDeadline();
        if (c.wheelTimerId != NO_TIMER)
        {
            if (deadline != TcpConnection.NO_DEADLINE && c.wheelDeadline <= deadline)
            {
                return;   // fires no later than needed; timersExpire re-checks and settle re-arms
            }
            cancelTimer(c);
        }
        if (deadline != TcpConnection.NO_DEADLINE)
        {
            final long id = wheel.scheduleTimer(deadline);
            c.wheelTimerId = id;
            c.wheelDeadline = deadline;
            byTimer.put(id, c);
            timersNotBeforeNs = Math.min(timersNotBeforeNs, deadline);
        }
    }

    private void cancelTimer(final TcpConnection c)
    {
        wheel.cancelTimer(c.wheelTimerId);
        byTimer.remove(c.wheelTimerId);
        c.wheelTimerId = NO_TIMER;
        c.wheelDeadline = TcpConnection.NO_DEADLINE;
    }

    /** The connection must run its output again next poll (TX full, or a callback threw). */
    private void listForRetry(final TcpConnection c)
    {
        if (!c.listedForRetry)
        {
            c.listedForRetry = true;
            pendingOutput[pendingOutputCount++] = c;
        }
    }

    /**
     * A connection ended: out of the tables, the application told (if it knew the connection), the object
     * reclaimed at the end of the current call.
     */
    private void retire(final TcpConnection c, final long nowNs)
    {
        if (c.retired)
        {
            return;
        }
        c.retired = true;
        if (c.listener != null)
        {
            c.listener.synReceived--;
            c.listener = null;
        }
        byTuple.remove(c.key);
        if (c.wheelTimerId != NO_TIMER)
        {
            cancelTimer(c);
        }
        reclaim[reclaimCount++] = c;
        if (c.announced)
        {
            c.handler.onClosed(c, c.closeReason, nowNs);
        }
    }

    private void reclaimFinished()
    {
        for (int i = 0; i < reclaimCount; i++)
        {
            free[freeCount++] = reclaim[i];
            reclaim[i] = null;
        }
        reclaimCount = 0;
    }

    static long key(final int remoteIp, final int remotePort, final int localPort)
    {
        return ((long)remoteIp << 32) | ((long)(remotePort & 0xFFFF) << 16) | (localPort & 0xFFFF);
    }

    static String ipToString(final int ip)
    {
        return ((ip >>> 24) & 0xFF) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }
}
