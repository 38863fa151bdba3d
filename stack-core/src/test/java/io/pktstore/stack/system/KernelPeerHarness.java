package io.pktstore.stack.system;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.xdp.AfXdpDevice;
import io.pktstore.nic.xdp.XdpConfig;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.record.ArenaFrameBuffers;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpLayer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stack on a veth pair whose other end is the Linux kernel: an AF_PACKET (TPACKET_V2) or AF_XDP
 * device ({@link Driver}) on the root-namespace end (no IP address there, so the kernel neither
 * answers ARP nor sends RST for the stack's address), the kernel's TCP in a fresh peer namespace with 198.18.x.1, the stack at
 * 198.18.x.2. The stack runs on its own thread (an Agrona agent); tests hand it work through
 * {@link #onStackThread}, since a stack is single-threaded. close() stops everything and removes the
 * namespace and interfaces by name.
 */
public final class KernelPeerHarness implements AutoCloseable
{
    /** The veth pair and peer namespace. */
    public final VethTopology topology;
    /** The stack's address (dotted). */
    public final String stackIp;
    /** The stack's arena. */
    public final Arena arena;
    /** The device on the stack's veth end. */
    public final FrameDevice device;
    /** AF_XDP only: the arena's buffer pool as the device sees it, recording every buffer lent to the kernel. */
    public final LendingRecorder lent;
    /** The stack. */
    public final NetworkStack stack;
    /** Its TCP layer. */
    public final TcpLayer tcp;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AgentRunner runner;

    /** The device the stack runs on. */
    public enum Driver
    {
        /** AF_PACKET with TPACKET_V2 rings: each received frame is copied into an arena buffer. */
        AFPACKET_V2,
        /** AF_XDP over the arena's buffers (copy mode on veth): frames land in arena buffers. */
        AF_XDP
    }

    KernelPeerHarness(final int subnet, final TcpConfig tcpConfig, final int buffers)
    {
        this(Driver.AFPACKET_V2, subnet, tcpConfig, buffers);
    }

    KernelPeerHarness(final Driver driver, final int subnet, final TcpConfig tcpConfig, final int buffers)
    {
        this(driver, subnet, tcpConfig, buffers, new BackoffIdleStrategy(100, 10, 1_000, 100_000));
    }

    /**
     * @param subnet      third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig   TCP settings.
     * @param buffers     arena records and buffers.
     * @param idle        the stack thread's idle strategy (busy spin for latency).
     */
    public KernelPeerHarness(final int subnet, final TcpConfig tcpConfig, final int buffers, final IdleStrategy idle)
    {
        this(Driver.AFPACKET_V2, subnet, tcpConfig, buffers, idle);
    }

    /**
     * @param driver      the device under the stack.
     * @param subnet      third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig   TCP settings.
     * @param buffers     arena records and buffers.
     * @param idle        the stack thread's idle strategy (busy spin for latency).
     */
    public KernelPeerHarness(final Driver driver, final int subnet, final TcpConfig tcpConfig, final int buffers,
        final IdleStrategy idle)
    {
        topology = VethTopology.create("198.18." + subnet + ".1/24");
        Arena opened = null;
        FrameDevice openedDevice = null;
        try
        {
            // Kernel TCP through TSO/GSO would hand us 64 KB frames. On AF_PACKET TX checksum offload stays
            // ON so the stack completes CHECKSUM_PARTIAL segments itself (the veth default); AF_XDP does not
            // say that a checksum is partial, so there the peer computes it (see docs/af-xdp.md).
            topology.setPeerOffloads(driver != Driver.AF_XDP, false, false);
            stackIp = "198.18." + subnet + ".2";
            final ArenaGeometry geometry = ArenaGeometry.of(buffers, buffers, 2048, 0);
            opened = Arena.format(SimulatedPmRegion.create(geometry.requiredBytes()), geometry);
            arena = opened;
            if (driver == Driver.AF_XDP)
            {
                lent = new LendingRecorder(new ArenaFrameBuffers(arena));
                openedDevice = AfXdpDevice.open(XdpConfig.builder(topology.stackInterface()).build(), lent);
            }
            else
            {
                lent = null;
                openedDevice = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
                    .version(TpacketVersion.V2).build());
            }
            device = openedDevice;
            final StackConfig config = StackConfig.builder().mac(topology.stackMac()).ip(stackIp + "/24")
                .rxBurst(64).txBurst(64).maxGatherPieces(8).build();
            stack = new NetworkStack(config, device, new PacketRecordPool(arena), new SystemNanoClock());
            tcp = new TcpLayer(tcpConfig, stack.ipv4Output(), stack.pool(), System.nanoTime());
            stack.registerTransport(TcpLayer.PROTOCOL_TCP, tcp);
            runner = new AgentRunner(idle, failure::set, null, new Agent()
            {
                @Override
                public int doWork()
                {
                    int work = stack.doWork();
                    Runnable task;
                    while ((task = tasks.poll()) != null)
                    {
                        task.run();
                        work++;
                    }
                    return work;
                }

                @Override
                public void onClose()
                {
                    stack.onClose();
                }

                @Override
                public String roleName()
                {
                    return "stack-" + topology.stackInterface();
                }
            });
            AgentRunner.startOnThread(runner);
        }
        catch (final RuntimeException e)
        {
            if (openedDevice != null)
            {
                openedDevice.close();
            }
            if (opened != null)
            {
                opened.close();
            }
            topology.close();
            throw e;
        }
    }

    /** Runs {@code task} on the stack's thread and waits for its result. */
    public <T> T onStackThread(final Callable<T> task) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() ->
        {
            try
            {
                result.complete(task.call());
            }
            catch (final Throwable t)
            {
                result.completeExceptionally(t);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    /** @return the first error that escaped the stack's duty cycle, or null. */
    Throwable failure()
    {
        final Throwable t = failure.get();
        return t != null ? t : stack.lastTransportError();
    }

    /** Runs a shell command in the peer namespace with a timeout. */
    public CommandResult peer(final long timeoutMs, final String... command)
    {
        return topology.peerNamespace().exec(List.of(command), timeoutMs);
    }

    /** @return kernel counter {@code name} in the peer namespace (nstat -az, absolute). */
    long peerCounter(final String name)
    {
        final CommandResult r = peer(10_000, "nstat", "-az", "--json", name);
        final String out = r.stdout();
        final int at = out.indexOf('"' + name + '"');
        if (at < 0)
        {
            throw new AssertionError("nstat has no " + name + ": " + r);
        }
        final int colon = out.indexOf(':', at);
        int end = colon + 1;
        while (end < out.length() && (Character.isWhitespace(out.charAt(end)) || Character.isDigit(out.charAt(end))))
        {
            end++;
        }
        return Long.parseLong(out.substring(colon + 1, end).trim());
    }

    /** Stops the stack's thread and closes its device; the veth pair and namespace stay until close(). */
    public void stopStack()
    {
        if (!runner.isClosed())
        {
            runner.close();
            device.close();
        }
    }

    @Override
    public void close()
    {
        try
        {
            if (!runner.isClosed())
            {
                runner.close();
                device.close();
            }
        }
        finally
        {
            try
            {
                arena.close();
            }
            finally
            {
                topology.close();
            }
        }
    }
}
