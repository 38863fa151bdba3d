package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.app.DiscardServer;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One stack on one interface, running on its own thread as an Agrona agent (DESIGN rule 1): an
 * AF_PACKET TPACKET_V2 device (per-frame rings: latency), the Ethernet/ARP/IPv4/TCP stack over the
 * arena's packet records, and the services it offers. Nothing else touches the stack while it runs;
 * its counters are read after {@link #close()}.
 */
final class StackNode implements AutoCloseable {
    /** RFC 862 echo and RFC 863 discard: the networking-only baselines. */
    static final int ECHO_PORT = 7;
    static final int DISCARD_PORT = 9;

    private final AfPacketDevice device;
    private final NetworkStack stack;
    private final EchoServer echo;
    private final DiscardServer discard;
    private final AgentRunner runner;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    StackNode(final String interfaceName, final String mac, final String cidr, final Arena arena,
              final StackConfig.IdleMode idleMode) {
        device = AfPacketDevice.open(AfPacketConfig.builder(interfaceName).version(TpacketVersion.V2).build());
        try {
            final StackConfig config = StackConfig.builder().mac(mac).ip(cidr).idleMode(idleMode).build();
            final PacketRecordPool pool = new PacketRecordPool(arena);
            stack = new NetworkStack(config, device, pool, new SystemNanoClock());
            // TcpConfig's default seed is secret and random: keyed ISNs and SYN cookies (RFC 6528).
            final TcpConfig tcpConfig = new TcpConfig();
            final TcpLayer tcp = new TcpLayer(tcpConfig, stack.ipv4Output(), pool, System.nanoTime());
            stack.registerTransport(TcpLayer.PROTOCOL_TCP, tcp);
            echo = EchoServer.listen(tcp, pool, ECHO_PORT);
            discard = DiscardServer.listen(tcp, pool, DISCARD_PORT);
            runner = new AgentRunner(idleMode.newIdleStrategy(), failure::set, null, stack);
            AgentRunner.startOnThread(runner);
        } catch (final RuntimeException e) {
            device.close();
            throw e;
        }
    }

    /** @return the first error that escaped the stack's duty cycle, or null. */
    Throwable failure() {
        final Throwable t = failure.get();
        return t != null ? t : stack.lastTransportError();
    }

    /** @return a summary of what the services did (read after close). */
    String summary() {
        return String.format("echo: %d connections, %d bytes; discard: %d connections, %d bytes",
            echo.connectionsAccepted(), echo.bytesEchoed(), discard.connectionsAccepted(), discard.bytesReceived());
    }

    @Override
    public void close() {
        try {
            runner.close();
        } finally {
            device.close();
        }
    }
}
