package io.pktstore.kv.bench;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.stack.record.PacketRecordPool;

import java.net.InetSocketAddress;

/**
 * pktstore's zero-copy store served over the kernel's TCP by a Java NIO server
 * ({@link KernelTcpFrontEnd}) at the same address on the same veth end: the answer to "does our stack
 * beat the kernel's for this store?".
 */
final class KernelStoreSystem implements BenchSystem
{
    private final Engine engine;

    KernelStoreSystem(final Engine engine)
    {
        this.engine = engine;
    }

    @Override
    public String name()
    {
        return BenchPlan.KERNEL;
    }

    @Override
    public String description()
    {
        return "pktstore's zero-copy store (" + engine.cliName() + ") behind kernel TCP (Java NIO, one selector thread)";
    }

    @Override
    public Running start(final BenchHost host, final Workload workload) throws Exception
    {
        host.kernelOwnsServerAddress(true);
        final BenchArena arena = new BenchArena(engine, KvStoreConfig.defaults(), workload);
        try
        {
            final KvServer server = new KvServer(arena.store(), new PacketRecordPool(arena.store().arena()),
                ServerConfig.defaults().withPorts(FrontEnds.RESP_PORT, FrontEnds.HTTP_PORT));
            final Protocol protocol = workload.protocol();
            final KernelTcpFrontEnd front = new KernelTcpFrontEnd(server, FrontEnds.sessions(protocol),
                new InetSocketAddress(BenchHost.SERVER_IP, FrontEnds.port(protocol)));
            return new StoreServing(arena)
            {
                @Override
                public Throwable failure()
                {
                    return front.failure() != null ? front.failure() : server.failure();
                }

                @Override
                void stopServing() throws Exception
                {
                    front.close();
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
