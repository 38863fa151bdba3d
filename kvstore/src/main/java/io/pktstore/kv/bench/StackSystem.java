package io.pktstore.kv.bench;

import io.pktstore.kv.cli.StorageNode;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.RequestLatency;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.stack.StackConfig;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;

/**
 * A system on pktstore's own stack: the storage node ({@link StorageNode}: the stack over AF_PACKET
 * TPACKET_V2 on the server end of the veth, its agent thread, the RESP front end, the group commit per
 * duty cycle) over a fresh store of the given engine and write mode, or, for the networking-only
 * baseline, the same node with its ports answering every PUT "as if stored" without parsing or
 * storing anything.
 */
final class StackSystem implements BenchSystem
{
    private final String name;
    private final String description;
    private final Engine engine;
    private final KvStoreConfig storeConfig;
    private final boolean replyOnly;
    private final StackConfig.IdleMode idle;

    private StackSystem(final String name, final String description, final Engine engine, final KvStoreConfig storeConfig,
                        final boolean replyOnly, final StackConfig.IdleMode idle)
    {
        this.name = name;
        this.description = description;
        this.engine = engine;
        this.storeConfig = storeConfig;
        this.replyOnly = replyOnly;
        this.idle = idle;
    }

    /** The networking-only baseline: discard with a reply, on the same stack and thread. */
    static StackSystem networkingOnly(final StackConfig.IdleMode idle)
    {
        return new StackSystem(BenchPlan.NET, "our stack, discard with a reply (parses nothing, stores nothing)",
            Engine.SKIPLIST, KvStoreConfig.defaults(), true, idle);
    }

    /**
     * A store on the stack.
     *
     * @param mode the write mode (zero copy, the copying store, or a stage switch of either).
     * @param persistence false to measure without write-back.
     */
    static StackSystem store(final String name, final String description, final Engine engine,
                             final KvStoreConfig.WriteMode mode, final boolean persistence, final StackConfig.IdleMode idle)
    {
        return new StackSystem(name, description, engine, KvStoreConfig.defaults().withWriteMode(mode, persistence), false,
            idle);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String description()
    {
        return description;
    }

    @Override
    public Running start(final BenchHost host, final Workload workload) throws Exception
    {
        host.kernelOwnsServerAddress(false);
        final BenchArena arena = new BenchArena(engine, storeConfig, workload);
        try
        {
            final AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(host.serverInterface())
                .version(TpacketVersion.V2).build());
            final StackConfig stack = StackConfig.builder().mac(host.serverMac()).ip(BenchHost.SERVER_CIDR).idleMode(idle)
                .build();
            final Protocol protocol = workload.protocol();
            final List<StorageNode.ReplyOnlyPort> ports = replyOnly
                ? List.of(new StorageNode.ReplyOnlyPort(FrontEnds.port(protocol),
                    protocol.putRequestBytes(workload.valueBytes(), BenchHost.SERVER_IP), protocol.storedReply()))
                : List.of();
            // The node's TCP: its default minimum RTO, secret random seeds (keyed ISNs, SYN cookies).
            final StorageNode node = new StorageNode(device, stack, StorageNode.tcpConfig(StorageNode.DEFAULT_MIN_RTO_NS), arena.store(),
                ServerConfig.defaults().withPorts(FrontEnds.RESP_PORT, FrontEnds.HTTP_PORT), new SystemNanoClock(),
                idle::newIdleStrategy, ports);
            return new StoreServing(arena)
            {
                @Override
                public Throwable failure()
                {
                    return node.failure();
                }

                @Override
                public double nodeWriteMicrosP50()
                {
                    node.close();   // the stack's thread stops: its histogram may be read now
                    final Histogram writes = node.server().latency().histogram(RequestLatency.WRITE);
                    return writes.getTotalCount() == 0 ? Double.NaN : writes.getValueAtPercentile(50) / 1e3;
                }

                @Override
                void stopServing() throws Exception
                {
                    node.close();
                }
            };
        }
        catch (final Exception | Error e)
        {
            arena.close();
            throw e;
        }
    }
}
