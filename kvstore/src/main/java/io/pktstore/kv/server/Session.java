package io.pktstore.kv.server;

import io.pktstore.arena.ArenaException;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.UnsafeApi;

/**
 * One client connection of a front end: its unparsed input, its replies, and the life cycle every
 * protocol shares. A protocol subclass parses and runs requests in {@link #runRequests}; this class
 * decides when it may, hands replies to the connection, and closes.
 *
 * <h2>Flow (one way: the connection hands data up, replies go down)</h2>
 * <ol>
 *   <li>Delivered records are queued ({@link #deliver}) and requests run at once against the store
 *       (a later request in the same burst sees an earlier one's write). Parsed bytes are reported
 *       consumed as they are parsed, so the receive window stays open for values larger than it.</li>
 *   <li>Replies are appended to the {@link OutputChain} and handed to the connection as its send
 *       space allows; the connection holds them ({@code holdSends}) until the server's duty-cycle hook
 *       has committed the store, then {@link #afterCommit} releases them: no reply leaves before its
 *       request is durable.</li>
 *   <li>While more than {@link #PENDING_LIMIT} bytes of replies wait, the session stops reading:
 *       unparsed input stays queued, the receive window closes, the client slows down.</li>
 * </ol>
 * Single-threaded (the stack's thread).
 */
public abstract class Session
{
    /** Replies waiting beyond this stop the session from reading more requests. */
    public static final long PENDING_LIMIT = 1 << 20;
    /** Bytes of the session's off-heap scratch (inline lines, request heads). */
    public static final int SCRATCH_BYTES = 64 * 1024 + 1024;

    protected final KvServer server;
    protected final InputQueue input;
    protected final OutputChain output;
    protected final PacketRecordPool pool;
    /** Off-heap scratch of {@link #SCRATCH_BYTES}. */
    protected final long scratch;
    protected ClientConnection connection;
    /** The duty cycle's clock, as of the latest event. */
    protected long nowNs;
    /** Requests run since the last release: when each finished parsing (System.nanoTime) and its kind. */
    private long[] started = new long[64];
    private byte[] startedKind = new byte[64];
    private int startedCount;
    private boolean dirty;
    private boolean peerClosed;
    private boolean closeAfterReply;
    private boolean closed;

    /** This session's adapter over the stack's TCP connections. */
    final TcpClientConnection tcpAdapter = new TcpClientConnection();

    protected Session(final KvServer server)
    {
        this.server = server;
        this.pool = server.pool();
        this.input = new InputQueue(pool);
        this.output = new OutputChain(pool);
        this.scratch = UnsafeApi.allocateMemory(SCRATCH_BYTES);
    }

    /** A connection reached ESTABLISHED and is this session's now. */
    public final void open(final ClientConnection c)
    {
        connection = c;
        // dirty is left as it is: a session reused in the cycle its last connection closed is still on the
        // server's list (its afterCommit clears it); clearing it here listed the session a second time at
        // its next event, and every later afterCommit listed each entry again, so the list grew with every
        // reuse and each duty cycle ran the session as many times.
        peerClosed = false;
        closeAfterReply = false;
        closed = false;
        c.holdSends();
        onOpen();
    }

    /** Records arrived in order. */
    public final void deliver(final int record, final long nowNs)
    {
        input.append(record);
        process(nowNs);
    }

    /** The peer sent its FIN: no more input will come. */
    public final void peerClosed(final long nowNs)
    {
        peerClosed = true;
        process(nowNs);
    }

    /** The connection acknowledged sent bytes: room for more replies. */
    public final void sendAcked(final long nowNs)
    {
        process(nowNs);
    }

    /** After the store's commit: let held replies go, then continue. */
    public final void afterCommit(final long nowNs)
    {
        dirty = false;
        if (startedCount > 0)
        {
            final long released = System.nanoTime();
            final RequestLatency latency = server.latency();
            for (int i = 0; i < startedCount; i++)
            {
                latency.record(startedKind[i], released - started[i]);
            }
            startedCount = 0;
        }
        if (closed)
        {
            return;
        }
        connection.releaseHeldSends(nowNs);
        process(nowNs);
    }

    /**
     * A request finished parsing and runs now: its time in the node is recorded when its reply is
     * released ({@link RequestLatency}).
     *
     * @param kind {@link RequestLatency#WRITE}, {@link RequestLatency#READ} or {@link RequestLatency#OTHER}.
     */
    protected final void requestStarted(final int kind)
    {
        if (startedCount == started.length)
        {
            started = java.util.Arrays.copyOf(started, startedCount * 2);
            startedKind = java.util.Arrays.copyOf(startedKind, startedCount * 2);
        }
        started[startedCount] = System.nanoTime();
        startedKind[startedCount++] = (byte)kind;
    }

    /** The connection is gone: drop everything. */
    public final void closed()
    {
        closed = true;
        input.clear();
        output.clear();
        onClose();
        connection = null;
    }

    /** Runs what can run, hands replies down, reports consumed input, and closes when done. */
    private void process(final long now)
    {
        if (closed)
        {
            return;
        }
        nowNs = now;
        if (!closeAfterReply && output.pending() <= PENDING_LIMIT)
        {
            try
            {
                runRequests(now);
            }
            catch (final ArenaException e)
            {
                // The store failed to commit inside a request (a burst larger than its link log commits
                // part way). Nothing this session wrote since the last good commit is durable, so none of
                // its held replies may go: the connection is reset, as the server resets every session
                // of the cycle in which a commit fails; later connections get the failure's refusals.
                abortConnection();
                return;
            }
        }
        if (closed)
        {
            return;   // aborted while running (no memory for a reply)
        }
        // Replies first, then the consumed input: a connection that has replies to send lets them carry
        // the ACK of the requests, rather than acknowledging drained small requests on their own.
        final long handedDown = output.flush(connection, now);
        final long consumed = input.takeConsumed();
        if (consumed > 0)
        {
            connection.consumed((int)Math.min(Integer.MAX_VALUE, consumed), now);
        }
        // With nothing waiting, reading stopped only because the input ran out: after the peer's FIN
        // nothing more will complete a partial request, so we are done too.
        final boolean closing = output.isEmpty() && (closeAfterReply || peerClosed);
        // The next commit must release what was handed down (or our FIN) and time the requests that ran.
        // A session with none of these waits for its next event: it is not run again every duty cycle.
        if (!dirty && (handedDown > 0 || startedCount > 0 || closing))
        {
            dirty = true;
            server.markDirty(this);
        }
        if (closing)
        {
            connection.close(now);   // our FIN follows the replies (held until their commit)
        }
    }

    /** Stop reading; close once the replies written so far are out (QUIT, protocol errors). */
    protected final void closeAfterReply()
    {
        closeAfterReply = true;
    }

    /** @return true if reading stopped for good (after {@link #closeAfterReply()}). */
    protected final boolean closingAfterReply()
    {
        return closeAfterReply;
    }

    /** Aborts the connection (RST): nothing written is sent. */
    final void abort(final long now)
    {
        if (!closed && connection != null)
        {
            output.clear();
            connection.abort(now);
        }
    }

    /**
     * Aborts the connection now (RST), for a reply that cannot be written (the arena has no buffer
     * left even in its reserve): the session stops; nothing it wrote is sent.
     */
    protected final void abortConnection()
    {
        closeAfterReply = true;
        abort(nowNs);
    }

    /** @return the connection (while open). */
    public final ClientConnection connection()
    {
        return connection;
    }

    /** Called when a connection takes this session. */
    protected abstract void onOpen();

    /** Called when the connection is gone, after input and output were released. */
    protected abstract void onClose();

    /**
     * Parses and runs queued requests until the input runs out, the output is above
     * {@link #PENDING_LIMIT}, or the session must stop (see {@link #closeAfterReply()}).
     */
    protected abstract void runRequests(long nowNs);

    /**
     * Whether, once the server's store has failed ({@link KvServer#failure()}), this session answers every
     * request with a refusal that neither reads nor writes the store, so that its replies may still be
     * sent (a read could show a write that was never made durable). Sessions that do not are aborted
     * whenever they have replies after a failure.
     *
     * @return false unless the protocol overrides it.
     */
    protected boolean refusesAllAfterFailure()
    {
        return false;
    }

    /** @return true if replies are waiting to be handed to the connection. */
    protected final boolean outputWaiting()
    {
        return output.pending() > PENDING_LIMIT;
    }
}
