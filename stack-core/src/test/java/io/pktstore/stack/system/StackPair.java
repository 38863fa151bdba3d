package io.pktstore.stack.system;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.fault.FaultConfig;
import io.pktstore.nic.fault.FaultInjectingDevice;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.concurrent.NanoClock;

/**
 * Two complete stacks (arena, NetworkStack, TcpLayer) joined by an in-memory link, each receiving
 * through a seeded fault injector, driven from ONE thread with a virtual clock: every step runs both
 * duty cycles and advances the clock a little (link time); when neither stack has work the clock jumps
 * to the next TCP timer deadline instead of sleeping, so minutes of retransmission timeouts cost
 * nothing. Same seed, same run.
 */
final class StackPair implements AutoCloseable
{
    static final int IP_A = 0xC6120101;   // 198.18.1.1
    static final int IP_B = 0xC6120102;   // 198.18.1.2
    /** Link time per step: each duty cycle of both stacks takes this much virtual time. */
    static final long STEP_NS = 20_000L;

    final VirtualClock clock = new VirtualClock();
    final Arena arenaA;
    final Arena arenaB;
    final FaultInjectingDevice faultsA;
    final FaultInjectingDevice faultsB;
    final NetworkStack stackA;
    final NetworkStack stackB;
    final TcpLayer tcpA;
    final TcpLayer tcpB;

    /** A settable clock; only the driving thread touches it. */
    static final class VirtualClock implements NanoClock
    {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime()
        {
            return now;
        }
    }

    StackPair(final FaultConfig faults, final long seed, final TcpConfig tcpConfig, final int buffers)
    {
        final InMemoryLink link = InMemoryLink.pair(4096, InMemoryLink.DEFAULT_MAX_FRAME, ChecksumStatus.UNKNOWN);
        final ArenaGeometry geometry = ArenaGeometry.of(buffers, buffers, 2048, 0);
        arenaA = Arena.format(SimulatedPmRegion.create(geometry.requiredBytes()), geometry);
        arenaB = Arena.format(SimulatedPmRegion.create(geometry.requiredBytes()), geometry);
        faultsA = new FaultInjectingDevice(link.a(), faults, seed);
        faultsB = new FaultInjectingDevice(link.b(), faults, seed * 31 + 7);
        stackA = stack(IP_A, 0x02_00_00_00_01_01L, faultsA, arenaA);
        stackB = stack(IP_B, 0x02_00_00_00_01_02L, faultsB, arenaB);
        tcpA = new TcpLayer(tcpConfig, stackA.ipv4Output(), stackA.pool(), clock.now);
        tcpB = new TcpLayer(tcpConfig, stackB.ipv4Output(), stackB.pool(), clock.now);
        stackA.registerTransport(TcpLayer.PROTOCOL_TCP, tcpA);
        stackB.registerTransport(TcpLayer.PROTOCOL_TCP, tcpB);
    }

    private NetworkStack stack(final int ip, final long mac, final FrameDevice device, final Arena arena)
    {
        final StackConfig config = StackConfig.builder().mac(mac).ip(ip, 24).rxBurst(32).txBurst(64)
            .maxGatherPieces(8).arpRetryIntervalNs(200_000_000L).arpMaxRequests(50).build();
        return new NetworkStack(config, device, new PacketRecordPool(arena), clock);
    }

    /**
     * One step: both duty cycles; the clock advances by {@link #STEP_NS}, or jumps to the next timer
     * when nothing happened.
     *
     * @return work done by both stacks.
     */
    int step()
    {
        final int work = stackA.doWork() + stackB.doWork();
        if (stackA.lastTransportError() != null)
        {
            throw new AssertionError("stack A transport error", stackA.lastTransportError());
        }
        if (stackB.lastTransportError() != null)
        {
            throw new AssertionError("stack B transport error", stackB.lastTransportError());
        }
        if (work == 0)
        {
            final long next = Math.min(tcpA.nextDeadlineNs(), tcpB.nextDeadlineNs());
            // Held (reordered/delayed) frames and ARP retries are time-driven too: never jump more than 5 ms
            // past them unless a TCP timer is the only thing left.
            clock.now = Math.max(clock.now + STEP_NS, next == Long.MAX_VALUE ? clock.now + 5_000_000L : next);
        }
        else
        {
            clock.now += STEP_NS;
        }
        return work;
    }

    @Override
    public void close()
    {
        stackA.onClose();
        stackB.onClose();
        arenaA.close();
        arenaB.close();
    }
}
