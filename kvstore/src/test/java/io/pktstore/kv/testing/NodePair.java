package io.pktstore.kv.testing;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.PmRegion;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;

/**
 * A storage node and a client, each a whole stack, joined by an in-memory link and driven from one
 * thread with a virtual clock (every step runs both duty cycles): the node serves RESP from a store
 * on the region it is given (a strict crash simulator in crash tests), the client is a plain TCP
 * connection whose received bytes are collected. Deterministic: same seed, same run.
 */
public final class NodePair implements AutoCloseable
{
    public static final int NODE_IP = 0xC6120202;     // 198.18.2.2
    public static final int CLIENT_IP = 0xC6120201;   // 198.18.2.1
    private static final long STEP_NS = 20_000;

    public final Arena nodeArena;
    public final KvStore store;
    public final KvServer server;
    public final NetworkStack nodeStack;
    private final Arena clientArena;
    private final NetworkStack clientStack;
    private final TcpLayer clientTcp;
    private final TcpLayer nodeTcp;
    private final Clock clock = new Clock();
    public final Client client = new Client();

    /** The virtual clock. */
    private static final class Clock implements NanoClock
    {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime()
        {
            return now;
        }
    }

    /** The client connection's end: what it sent, what came back. */
    public final class Client implements TcpHandler
    {
        public TcpConnection connection;
        public final ByteArrayOutputStream received = new ByteArrayOutputStream();
        public boolean closed;

        @Override
        public void onConnected(final TcpConnection c, final long nowNs)
        {
            connection = c;
        }

        @Override
        public void onData(final TcpConnection c, final int record, final long nowNs)
        {
            final PacketRecord view = clientStack.pool().view(record);
            final byte[] bytes = new byte[view.dataLength()];
            new UnsafeBuffer(view.dataAddress(clientArena), bytes.length).getBytes(0, bytes);
            received.writeBytes(bytes);
            clientStack.pool().release(record);
            c.consumed(bytes.length, nowNs);
        }

        @Override
        public void onPeerClosed(final TcpConnection c, final long nowNs)
        {
            c.close(nowNs);
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason, final long nowNs)
        {
            closed = true;
        }

        /** Queues bytes to send (the caller steps until they are out). @return bytes accepted. */
        public int send(final byte[] data)
        {
            return connection.send(new UnsafeBuffer(data), 0, data.length, clock.now);
        }
    }

    /**
     * @param nodeRegion the node's arena region (formatted here).
     * @param geometry its geometry.
     * @param engine the store's engine.
     */
    public NodePair(final PmRegion nodeRegion, final ArenaGeometry geometry, final Engine engine)
    {
        final InMemoryLink link = InMemoryLink.pair(1024, InMemoryLink.DEFAULT_MAX_FRAME, ChecksumStatus.UNKNOWN);
        nodeArena = Arena.format(nodeRegion, geometry);
        store = KvStore.create(nodeArena, engine, KvStoreConfig.defaults().withReserves(0, 0, 16, 40));
        final PacketRecordPool nodePool = new PacketRecordPool(nodeArena);
        nodeStack = stack(NODE_IP, 0x02_00_00_00_02_02L, link.a(), nodePool);
        nodeTcp = new TcpLayer(tcpConfig(), nodeStack.ipv4Output(), nodePool, clock.now);
        nodeStack.registerTransport(TcpLayer.PROTOCOL_TCP, nodeTcp);
        server = new KvServer(store, nodePool, ServerConfig.defaults());
        server.listen(nodeTcp, RespSession::new, null);
        nodeStack.cycleHook(server);

        final ArenaGeometry clientGeometry = ArenaGeometry.of(4096, 2048, 2048, 0, 16);
        clientArena = Arena.format(SimulatedPmRegion.create(clientGeometry.requiredBytes()), clientGeometry);
        final PacketRecordPool clientPool = new PacketRecordPool(clientArena);
        clientStack = stack(CLIENT_IP, 0x02_00_00_00_02_01L, link.b(), clientPool);
        clientTcp = new TcpLayer(tcpConfig(), clientStack.ipv4Output(), clientPool, clock.now);
        clientStack.registerTransport(TcpLayer.PROTOCOL_TCP, clientTcp);
    }

    private static TcpConfig tcpConfig()
    {
        return new TcpConfig().maxConnections(8).receiveBufferBytes(64 * 1024).sendBufferBytes(64 * 1024)
            .delayedAckNs(0).seed(0x7E57L);
    }

    private NetworkStack stack(final int ip, final long mac, final FrameDevice device, final PacketRecordPool pool)
    {
        final StackConfig config = StackConfig.builder().mac(mac).ip(ip, 24).rxBurst(16).txBurst(32)
            .arpRetryIntervalNs(100_000_000L).build();
        return new NetworkStack(config, device, pool, clock);
    }

    /** Connects the client to the node's RESP port and steps until it is established. */
    public void connect()
    {
        clientTcp.connect(NODE_IP, ServerConfig.DEFAULT_RESP_PORT, client, clock.now);
        for (int i = 0; i < 10_000 && client.connection == null; i++)
        {
            step();
        }
        if (client.connection == null)
        {
            throw new AssertionError("the client did not connect");
        }
    }

    /** One step: both duty cycles, link time. @return work done. */
    public int step()
    {
        final int work = clientStack.doWork() + nodeStack.doWork();
        if (nodeStack.lastCycleHookError() != null)
        {
            throw new AssertionError("the node's hook failed", nodeStack.lastCycleHookError());
        }
        if (nodeStack.lastTransportError() != null)
        {
            throw new AssertionError("the node's TCP failed", nodeStack.lastTransportError());
        }
        clock.now += work == 0 ? 1_000_000 : STEP_NS;
        return work;
    }

    /** Steps until the client received at least {@code bytes} bytes in all (bounded). */
    public void stepUntilReceived(final int bytes)
    {
        for (int i = 0; i < 100_000 && client.received.size() < bytes; i++)
        {
            step();
        }
    }

    @Override
    public void close()
    {
        nodeStack.onClose();
        clientStack.onClose();
        clientArena.close();
    }
}
