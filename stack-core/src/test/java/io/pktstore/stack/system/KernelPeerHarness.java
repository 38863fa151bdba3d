package io.pktstore.stack.system;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.xdp.AfXdpDevice;
import io.pktstore.nic.xdp.XdpConfig;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;
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
import java.util.function.Function;
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
    /** 02:00:c6:12:x:02 (locally administered, unicast) for the stack of subnet x in its own namespace. */
    private static final long STATION_MAC_PREFIX = 0x0200_c612_0000L;

    /** The veth pair and peer namespace. */
    public final VethTopology topology;
    /** The stack's address (dotted). */
    public final String stackIp;
    /** The stack's arena. */
    public final Arena arena;
    /** The device on the stack's veth end. */
    public final FrameDevice device;
    /** AF_XDP only: the arena's buffers as the device sees them, recording every buffer lent to the kernel. */
    public final LendingRecorder lent;
    /** The stack. */
    public final NetworkStack stack;
    /** Its TCP layer. */
    public final TcpLayer tcp;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean paused;
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
     * @param driver      the device under the stack.
     * @param subnet      third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig   TCP settings.
     * @param buffers     arena records and buffers.
     * @param idle        the stack thread's idle strategy (busy spin for latency).
     */
    public KernelPeerHarness(final Driver driver, final int subnet, final TcpConfig tcpConfig, final int buffers,
        final IdleStrategy idle)
    {
        this(driver, subnet, tcpConfig, buffers, stack -> idle, false);
    }

    /**
     * @param subnet      third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig   TCP settings.
     * @param buffers     arena records and buffers.
     * @param idle        the stack thread's idle strategy (busy spin for latency).
     */
    public KernelPeerHarness(final int subnet, final TcpConfig tcpConfig, final int buffers, final IdleStrategy idle)
    {
        this(subnet, tcpConfig, buffers, stack -> idle, false);
    }

    /**
     * @param subnet         third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig      TCP settings.
     * @param buffers        arena records and buffers.
     * @param idle           how the stack thread waits when idle.
     * @param ownNamespace   put the stack's veth end in a namespace of its own (created here, removed by
     *                       close), where {@link #addKernelAddress} can give the kernel a second address on
     *                       the same veth end: kernel servers and the stack then share one link.
     */
    public KernelPeerHarness(
        final int subnet, final TcpConfig tcpConfig, final int buffers, final StackConfig.IdleMode idle,
        final boolean ownNamespace)
    {
        this(subnet, tcpConfig, buffers, idle::newIdleStrategy, ownNamespace);
    }

    /**
     * @param subnet       third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig    TCP settings.
     * @param buffers      arena records and buffers.
     * @param idle         makes the stack thread's idle strategy from the stack.
     * @param ownNamespace see {@link #KernelPeerHarness(int, TcpConfig, int, StackConfig.IdleMode, boolean)}.
     */
    public KernelPeerHarness(
        final int subnet, final TcpConfig tcpConfig, final int buffers, final Function<NetworkStack, IdleStrategy> idle,
        final boolean ownNamespace)
    {
        this(Driver.AFPACKET_V2, subnet, tcpConfig, buffers, idle, ownNamespace);
    }

    /**
     * @param driver       the device under the stack.
     * @param subnet       third octet of 198.18.x.0/24 (peer .1, stack .2).
     * @param tcpConfig    TCP settings.
     * @param buffers      arena records and buffers.
     * @param idle         makes the stack thread's idle strategy from the stack.
     * @param ownNamespace see {@link #KernelPeerHarness(int, TcpConfig, int, StackConfig.IdleMode, boolean)}.
     */
    public KernelPeerHarness(
        final Driver driver, final int subnet, final TcpConfig tcpConfig, final int buffers,
        final Function<NetworkStack, IdleStrategy> idle, final boolean ownNamespace)
    {
        topology = VethTopology.create("198.18." + subnet + ".1/24", ownNamespace, 0);
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
            // In its own namespace, where the kernel may hold addresses on the same veth end (addKernelAddress),
            // the stack is a station of its own on the link, as a shard of the node is: a MAC of its own and the
            // station filter the node's sockets carry. The kernel's traffic then is neither copied into the ring
            // nor wakes the stack, and the stack's does not pass through the kernel's IP input.
            final long stationMac = ownNamespace && driver != Driver.AF_XDP
                ? STATION_MAC_PREFIX | subnet << 8 | 2 : MacAddress.parse(topology.stackMac());
            // Benchmarks may size the RX ring and bursts: -Dpktstore.harness.rxRingMiB, .rxBurst, .txBurst.
            final AfPacketConfig deviceConfig = AfPacketConfig.builder(topology.stackInterface())
                .version(TpacketVersion.V2)
                .stationFilter(stationMac, Ipv4Address.parse(stackIp))
                .rxRing(256 * 1024, 4 * Integer.getInteger("pktstore.harness.rxRingMiB", 16), 2048).build();
            if (driver == Driver.AF_XDP)
            {
                lent = new LendingRecorder(new ArenaFrameBuffers(arena));
                openedDevice = topology.runInStackNamespace(() -> AfXdpDevice.open(
                    XdpConfig.builder(topology.stackInterface()).build(), lent));
            }
            else
            {
                lent = null;
                openedDevice = topology.runInStackNamespace(() -> AfPacketDevice.open(deviceConfig));
            }
            device = openedDevice;
            // In its own namespace the stack routes off-subnet traffic to the peer, as the kernel side there does
            // with its default route (addKernelAddress): answers to addresses beyond the subnet leave on the link.
            final StackConfig config = StackConfig.builder().mac(stationMac).ip(stackIp + "/24")
                .gateway(ownNamespace ? Ipv4Address.parse("198.18." + subnet + ".1") : 0)
                .rxBurst(Integer.getInteger("pktstore.harness.rxBurst", 64))
                .txBurst(Integer.getInteger("pktstore.harness.txBurst", 64)).maxGatherPieces(8).build();
            stack = new NetworkStack(config, device, new PacketRecordPool(arena), new SystemNanoClock());
            tcp = new TcpLayer(tcpConfig, stack.ipv4Output(), stack.pool(), System.nanoTime());
            stack.registerTransport(TcpLayer.PROTOCOL_TCP, tcp);
            runner = new AgentRunner(idle.apply(stack), failure::set, null, new Agent()
            {
                @Override
                public int doWork() throws InterruptedException
                {
                    if (paused)
                    {
                        // Asleep, not even woken by frames (they wait in the ring): see pause().
                        Thread.sleep(1);
                        runTasks();
                        return 1;
                    }
                    return stack.doWork() + runTasks();
                }

                private int runTasks()
                {
                    int work = 0;
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
        catch (final Exception e)
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
            throw e instanceof RuntimeException ? (RuntimeException)e : new IllegalStateException(e);
        }
    }

    /**
     * Gives the kernel {@code 198.18.subnet.host/24} on the stack's veth end (own-namespace harness only):
     * kernel servers bound to it share the stack's link, and the stack drops their traffic as not for it.
     *
     * @return the address, dotted.
     */
    public String addKernelAddress(final int host)
    {
        if (topology.stackNamespace() == null)
        {
            throw new IllegalStateException("only with the stack end in its own namespace");
        }
        final String address = stackIp.substring(0, stackIp.lastIndexOf('.') + 1) + host;
        topology.stackNamespace().exec(List.of("ip", "addr", "add", address + "/24", "dev", topology.stackInterface()))
            .check();
        topology.stackNamespace().exec(List.of("ip", "route", "add", "default", "via", topology.peerAddress())).check();
        return address;
    }

    /** Runs a command in the stack's namespace (own-namespace harness only). */
    public CommandResult stackSide(final long timeoutMs, final String... command)
    {
        return topology.stackNamespace().exec(List.of(command), timeoutMs);
    }

    /**
     * Pauses (true) or resumes (false) the stack: while paused its thread sleeps and reads nothing (frames
     * wait in the AF_PACKET ring, dropped there if it fills), so a benchmark can measure kernel servers on the
     * same link without the stack waking for their traffic; on resume it catches up with what waited.
     */
    public void pause(final boolean pause)
    {
        paused = pause;
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
