package io.pktstore.kv.cli;

import io.pktstore.kv.http.HttpSession;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.store.KvStore;
import io.pktstore.nic.FrameDevice;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.app.DiscardServer;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.app.ReplyingDiscardServer;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.RetransmissionTimer;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The storage node on one device, run by one thread as an Agrona agent (DESIGN rule 1): the
 * Ethernet/ARP/IPv4/TCP stack over the store's arena, the RESP and HTTP front ends on the store, the
 * echo and discard services (the networking-only baselines), and the duty-cycle hook that commits the
 * store once per cycle before replies leave. Nothing else touches the stack while it runs; its
 * counters are read after {@link #close()} or through the front ends' INFO and stats.
 *
 * <p>The benchmark starts it too, on stores of its own, and for the networking-only baseline with
 * {@link ReplyOnlyPort}s in place of the front ends: the same stack, thread and idle strategy, but the
 * ports answer every request without parsing or storing it.
 */
public final class StorageNode implements AutoCloseable
{
    /** RFC 862 echo and RFC 863 discard: the networking-only baselines. */
    static final int ECHO_PORT = 7;
    static final int DISCARD_PORT = 9;

    private final FrameDevice device;
    private final NetworkStack stack;
    private final TcpLayer tcp;
    private final KvServer server;
    private final EchoServer echo;
    private final DiscardServer discard;
    private final List<ReplyingDiscardServer> replyOnly = new ArrayList<>();
    private final AgentRunner runner;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * Starts the node's thread.
     *
     * @param device the frame device (closed by {@link #close()}).
     * @param stackConfig addresses and timing.
     * @param tcpConfig TCP's settings (its seed: secret and random unless a replay needs it fixed).
     * @param store the opened store.
     * @param serverConfig ports and limits.
     * @param clock the stack's clock.
     * @param idle makes how the thread waits when there is nothing to do, from the node's stack.
     */
    StorageNode(final FrameDevice device, final StackConfig stackConfig, final TcpConfig tcpConfig, final KvStore store,
                final ServerConfig serverConfig, final NanoClock clock, final Function<NetworkStack, IdleStrategy> idle)
    {
        this(device, stackConfig, tcpConfig, store, serverConfig, clock, idle, List.of());
    }

    /** The node's minimum retransmission timeout by default: Linux's 200 ms (--tcp-rto-min). */
    public static final long DEFAULT_MIN_RTO_NS = 200_000_000L;

    /**
     * TCP as a storage node on a LAN wants it: a minimum RTO of Linux's 200 ms by default rather than RFC
     * 6298's 1 s (a lost reply would otherwise stall a client for a second).
     *
     * @param minRtoNs the minimum retransmission timeout.
     * @return a config with secret random seeds; the caller may fix them for replay.
     */
    public static TcpConfig tcpConfig(final long minRtoNs)
    {
        return new TcpConfig().rto(Math.max(RetransmissionTimer.RFC_INITIAL_RTO_NS, minRtoNs), minRtoNs,
            RetransmissionTimer.DEFAULT_MAX_RTO_NS);
    }

    /**
     * Starts the node's thread, with the benchmark's networking-only ports if any are given.
     *
     * @param replyOnlyPorts ports that answer each fixed-size request with a fixed reply, parsing and storing
     *                       nothing; when not empty the RESP and HTTP front ends do not listen.
     */
    public StorageNode(final FrameDevice device, final StackConfig stackConfig, final TcpConfig tcpConfig, final KvStore store,
                       final ServerConfig serverConfig, final NanoClock clock,
                       final Function<NetworkStack, IdleStrategy> idle, final List<ReplyOnlyPort> replyOnlyPorts)
    {
        this.device = device;
        final PacketRecordPool pool = new PacketRecordPool(store.arena());
        stack = new NetworkStack(stackConfig, device, pool, clock);
        tcp = new TcpLayer(tcpConfig, stack.ipv4Output(), pool, clock.nanoTime());
        stack.registerTransport(TcpLayer.PROTOCOL_TCP, tcp);
        server = new KvServer(store, pool, serverConfig);
        if (replyOnlyPorts.isEmpty())
        {
            server.listen(tcp, RespSession::new, HttpSession::new);
        }
        for (final ReplyOnlyPort port : replyOnlyPorts)
        {
            replyOnly.add(ReplyingDiscardServer.listen(tcp, pool, port.port(), port.requestBytes(), port.reply()));
        }
        server.showCounters(stack.counters(), tcp.counters());
        stack.cycleHook(server);
        echo = EchoServer.listen(tcp, pool, ECHO_PORT);
        discard = DiscardServer.listen(tcp, pool, DISCARD_PORT);
        runner = new AgentRunner(idle.apply(stack), failure::set, null, stack);
        AgentRunner.startOnThread(runner);
    }

    /** @return the first error that escaped the stack's duty cycle, the hook or a transport, or null. */
    public Throwable failure()
    {
        final Throwable t = failure.get();
        if (t != null)
        {
            return t;
        }
        if (stack.lastCycleHookError() != null)
        {
            return stack.lastCycleHookError();
        }
        return server.failure() != null ? server.failure() : stack.lastTransportError();
    }

    /** @return the serving side (read its counters only after {@link #close()} or on the stack's thread). */
    public KvServer server()
    {
        return server;
    }

    /** @return a summary of what the node did (read after close). */
    String summary()
    {
        return String.format("%d requests over %d connections; %d keys stored; echo %d / discard %d connections",
            server.stats().requests, server.acceptedConnections(), server.store().count(), echo.connectionsAccepted(),
            discard.connectionsAccepted());
    }

    /**
     * A port of the networking-only baseline: every {@code requestBytes} bytes received are answered with
     * {@code reply}.
     */
    public record ReplyOnlyPort(int port, int requestBytes, byte[] reply)
    {
    }

    /** Stops the thread and closes the device (the store and arena are the caller's). */
    @Override
    public void close()
    {
        try
        {
            runner.close();
        }
        finally
        {
            device.close();
        }
    }
}
