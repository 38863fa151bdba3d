package io.pktstore.stack.bench;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * What the stack's own code costs per 1 KB request/response, without a kernel, a syscall or a wake-up:
 * two stacks on one thread over an in-memory link, a client on our TCP sending 1 KB (one request in
 * flight) to the zero-copy {@link EchoServer} and reading the 1 KB back. Each stack's duty cycles are
 * timed apart, so the figures are the server's and the client's CPU time per round trip (the server's
 * includes its part of the link: the copy into its RX buffer and into the peer's queue). This is the
 * part of {@link StackVsKernelBenchmark}'s round trip that the stack's code decides; a profiler run on
 * it shows the Java path alone. Medians over runs.
 * <p>
 * Usage: {@code scripts/bench stack-core io.pktstore.stack.bench.EchoPathCostBenchmark [runs] [roundTrips]}
 * (defaults 7, 200000).
 */
public final class EchoPathCostBenchmark
{
    private static final int SIZE = 1024;
    private static final int SERVER_IP = 0xC612_0902;   // 198.18.9.2
    private static final int CLIENT_IP = 0xC612_0901;   // 198.18.9.1

    private EchoPathCostBenchmark()
    {
    }

    /** The client: one 1 KB request in flight, the next one as soon as the whole answer is back. */
    private static final class Client implements TcpHandler
    {
        private final PacketRecordPool pool;
        private final UnsafeBuffer request = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SIZE, 64));
        private TcpConnection connection;
        private int answered;
        private long roundTrips;

        Client(final PacketRecordPool pool)
        {
            this.pool = pool;
            request.setMemory(0, SIZE, (byte)'q');
        }

        @Override
        public void onConnected(final TcpConnection c, final long nowNs)
        {
            connection = c;
            ask(nowNs);
        }

        @Override
        public void onData(final TcpConnection c, final int record, final long nowNs)
        {
            int bytes = 0;
            for (int r = record; r != io.pktstore.stack.record.PacketRecord.NO_RECORD; r = pool.view(r).next())
            {
                bytes += pool.view(r).dataLength();
            }
            pool.releaseChain(record);
            c.consumed(bytes, nowNs);
            answered += bytes;
            if (answered >= SIZE)
            {
                answered -= SIZE;
                roundTrips++;
                ask(nowNs);
            }
        }

        private void ask(final long nowNs)
        {
            if (connection.send(request, 0, SIZE, nowNs) != SIZE)
            {
                throw new IllegalStateException("send buffer refused a 1 KB request");
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c, final long nowNs)
        {
            c.close(nowNs);
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason, final long nowNs)
        {
            connection = null;
        }
    }

    /**
     * @param args runs, round trips per run.
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final int perRun = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        System.out.println(BenchMachine.describe());
        final InMemoryLink link = InMemoryLink.pair(4096, InMemoryLink.DEFAULT_MAX_FRAME, ChecksumStatus.UNKNOWN);
        final ArenaGeometry geometry = ArenaGeometry.of(4096, 4096, 2048, 0);
        try (Arena serverArena = Arena.format(SimulatedPmRegion.create(geometry.requiredBytes()), geometry);
            Arena clientArena = Arena.format(SimulatedPmRegion.create(geometry.requiredBytes()), geometry))
        {
            final NetworkStack server = new NetworkStack(StackConfig.builder().mac(0x0200_0000_0902L).ip(SERVER_IP, 24)
                .build(), link.a(), new PacketRecordPool(serverArena), System::nanoTime);
            final NetworkStack client = new NetworkStack(StackConfig.builder().mac(0x0200_0000_0901L).ip(CLIENT_IP, 24)
                .build(), link.b(), new PacketRecordPool(clientArena), System::nanoTime);
            final TcpConfig tcp = new TcpConfig().delayedAckNs(40_000_000L);
            final TcpLayer serverTcp = new TcpLayer(tcp, server.ipv4Output(), server.pool(), System.nanoTime());
            final TcpLayer clientTcp = new TcpLayer(tcp, client.ipv4Output(), client.pool(), System.nanoTime());
            server.registerTransport(TcpLayer.PROTOCOL_TCP, serverTcp);
            client.registerTransport(TcpLayer.PROTOCOL_TCP, clientTcp);
            EchoServer.listen(serverTcp, server.pool(), 7);
            final Client handler = new Client(client.pool());
            clientTcp.connect(SERVER_IP, 7, handler, System.nanoTime());
            final double[] serverNs = new double[runs];
            final double[] clientNs = new double[runs];
            final double[] serverCycles = new double[runs];
            drive(server, client, handler, perRun, new long[4]);   // warm-up
            for (int r = 0; r < runs; r++)
            {
                final long[] spent = new long[4];
                final long first = handler.roundTrips;
                drive(server, client, handler, perRun, spent);
                final long done = handler.roundTrips - first;
                serverNs[r] = (double)spent[0] / done;
                clientNs[r] = (double)spent[1] / done;
                serverCycles[r] = (double)spent[2] / done;
                System.out.printf("  run %d: server %.0f ns, client %.0f ns per round trip; server duty cycles with work %.2f%n",
                    r + 1, serverNs[r], clientNs[r], serverCycles[r]);
            }
            System.out.printf("1 KB echo over an in-memory link, %d runs x %d round trips, medians:%n", runs, perRun);
            System.out.printf("  server stack: %.0f ns per round trip%n", median(serverNs));
            System.out.printf("  client stack: %.0f ns per round trip%n", median(clientNs));
            System.out.printf("  server duty cycles with work per round trip: %.2f%n", median(serverCycles));
        }
    }

    /** Runs both duty cycles until {@code count} more round trips are done; adds the time each took. */
    private static void drive(final NetworkStack server, final NetworkStack client, final Client handler,
        final int count, final long[] spent)
    {
        final long target = handler.roundTrips + count;
        long idleSteps = 0;
        while (handler.roundTrips < target)
        {
            final long t0 = System.nanoTime();
            final int serverWork = server.doWork();
            final long t1 = System.nanoTime();
            final int clientWork = client.doWork();
            final long t2 = System.nanoTime();
            spent[0] += t1 - t0;
            spent[1] += t2 - t1;
            if (serverWork > 0)
            {
                spent[2]++;
            }
            idleSteps = serverWork + clientWork == 0 ? idleSteps + 1 : 0;
            if (idleSteps > 1_000_000)
            {
                throw new IllegalStateException("no progress after " + handler.roundTrips + " round trips");
            }
        }
    }

    private static double median(final double[] values)
    {
        final double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
