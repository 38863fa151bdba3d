package io.pktstore.kv.server;

import io.pktstore.arena.ArenaException;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.Scrubber;
import io.pktstore.stack.DutyCycleHook;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpCounters;
import io.pktstore.stack.tcp.TcpLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The storage node's serving side on one stack: the store, the front ends' listening ports, and the
 * duty-cycle hook that makes a cycle's requests durable before their replies leave.
 *
 * <p>Once per duty cycle, after the cycle's input ran ({@link #afterInput}): commit the store (one
 * group commit for every request of the cycle, whatever the connection), then let each session that
 * ran requests or wrote replies release its held replies and go on; then a step of an online scrub if
 * one runs. If the commit fails (the region's write-back failed), nothing written since the last commit
 * may be acknowledged: every session with replies waiting is aborted and the store refuses every write
 * from then on. Later, sessions that answer every request with a refusal once the store failed (HTTP's
 * 503) send their replies; the others are aborted whenever they have replies.
 *
 * <p>Single-threaded (the stack's thread).
 */
public final class KvServer implements DutyCycleHook
{
    private final KvStore store;
    private final PacketRecordPool pool;
    private final ServerConfig config;
    private final Scrubber scrubber;
    private final ServerStats stats = new ServerStats();
    private final RequestLatency latency = new RequestLatency();
    /** The stack's and TCP's live counters (read on the stack's thread, as every session runs there). */
    private StackCounters stackCounters = new StackCounters();
    private TcpCounters tcpCounters = new TcpCounters();
    private final ScanCursors cursors = new ScanCursors(1024);
    private final List<SessionService> services = new ArrayList<>();
    private Session[] dirty = new Session[64];
    private Session[] running = new Session[64];
    private int dirtyCount;
    private ArenaException failure;
    private long nextClientId = 1;

    /**
     * @param store the store (opened and recovered).
     * @param pool the stack's record pool (over the store's arena).
     * @param config ports and limits.
     */
    public KvServer(final KvStore store, final PacketRecordPool pool, final ServerConfig config)
    {
        if (pool.arena() != store.arena())
        {
            throw new IllegalArgumentException("the stack's pool and the store must use the same arena");
        }
        this.store = store;
        this.pool = pool;
        this.config = config;
        this.scrubber = new Scrubber(store);
    }

    /**
     * Listens on the configured ports with the given session factories.
     *
     * @param tcp the stack's TCP layer.
     * @param resp makes RESP sessions (null: no RESP port).
     * @param http makes HTTP sessions (null: no HTTP port).
     */
    public void listen(final TcpLayer tcp, final Function<KvServer, Session> resp, final Function<KvServer, Session> http)
    {
        if (resp != null && config.respPort() != 0)
        {
            final SessionService service = new SessionService(this, "resp", resp);
            tcp.listen(config.respPort(), service);
            services.add(service);
        }
        if (http != null && config.httpPort() != 0)
        {
            final SessionService service = new SessionService(this, "http", http);
            tcp.listen(config.httpPort(), service);
            services.add(service);
        }
    }

    void markDirty(final Session session)
    {
        if (dirtyCount == dirty.length)
        {
            dirty = java.util.Arrays.copyOf(dirty, dirtyCount * 2);
            running = new Session[dirty.length];
        }
        dirty[dirtyCount++] = session;
    }

    @Override
    public int afterInput(final long nowNs)
    {
        int work = 0;
        boolean failedNow = false;
        if (failure == null && store.needsCommit())
        {
            try
            {
                work += store.commit();
                stats.groupCommits++;
            }
            catch (final ArenaException e)
            {
                failure = e;
                failedNow = true;
            }
        }
        // Sessions that run more requests now mark themselves for the next cycle's commit.
        final int count = dirtyCount;
        final Session[] list = dirty;
        dirty = running;
        running = list;
        dirtyCount = 0;
        for (int i = 0; i < count; i++)
        {
            final Session session = list[i];
            list[i] = null;
            // Replies of this cycle may speak of writes that are not durable; later ones too, unless the
            // session answers nothing but refusals once the store failed (it read nothing that may be lost).
            if (failedNow || failure != null && !session.refusesAllAfterFailure())
            {
                session.abort(nowNs);
            }
            else
            {
                session.afterCommit(nowNs);
            }
            work++;
        }
        if (scrubber.running())
        {
            work += scrubber.step(config.scrubRecordsPerCycle()) > 0 ? 1 : 0;
        }
        return work;
    }

    /** @return a new client id (RESP CLIENT ID): unique on this server. */
    public long nextClientId()
    {
        return nextClientId++;
    }

    /** @return the store. */
    public KvStore store()
    {
        return store;
    }

    /** @return the stack's record pool. */
    public PacketRecordPool pool()
    {
        return pool;
    }

    /** @return the settings. */
    public ServerConfig config()
    {
        return config;
    }

    /** @return the online scrubber. */
    public Scrubber scrubber()
    {
        return scrubber;
    }

    /** @return request counters. */
    public ServerStats stats()
    {
        return stats;
    }

    /**
     * Lets the stats show the counters of the stack this server runs on.
     *
     * @param stack the network stack's counters ({@code NetworkStack.counters()}).
     * @param tcp the TCP layer's ({@code TcpLayer.counters()}).
     */
    public void showCounters(final StackCounters stack, final TcpCounters tcp)
    {
        stackCounters = stack;
        tcpCounters = tcp;
    }

    /** @return the stack's counters (zeros until {@link #showCounters}). */
    public StackCounters stackCounters()
    {
        return stackCounters;
    }

    /** @return TCP's counters (zeros until {@link #showCounters}). */
    public TcpCounters tcpCounters()
    {
        return tcpCounters;
    }

    /** @return requests' time in the node, by kind. */
    public RequestLatency latency()
    {
        return latency;
    }

    /** @return the saved SCAN cursors. */
    public ScanCursors cursors()
    {
        return cursors;
    }

    /** @return the persistence failure that stopped serving, or null. */
    public ArenaException failure()
    {
        return failure != null ? failure : store.failure();
    }

    /** @return connections open now, over all front ends. */
    public long openConnections()
    {
        long n = 0;
        for (final SessionService s : services)
        {
            n += s.open();
        }
        return n;
    }

    /** @return connections accepted so far, over all front ends. */
    public long acceptedConnections()
    {
        long n = 0;
        for (final SessionService s : services)
        {
            n += s.accepted();
        }
        return n;
    }
}
