package io.pktstore.stack;

import io.pktstore.arena.Arena;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.stack.ip.ArpLayer;
import io.pktstore.stack.ip.FrameTransmitter;
import io.pktstore.stack.ip.IcmpLayer;
import io.pktstore.stack.ip.Ipv4HeaderWriter;
import io.pktstore.stack.ip.Ipv4Layer;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.ip.NeighbourCache;
import io.pktstore.stack.ip.PendingFrames;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.EthernetFrame;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.BufferUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.nio.ByteBuffer;

/**
 * One TCP/IP stack over one {@link FrameDevice}, run by one thread as an Agrona {@link Agent}.
 *
 * <p>Duty cycle ({@link #doWork()}):
 * <ol>
 *   <li>read the injected clock once; every layer gets that {@code nowNs};</li>
 *   <li>on the first cycle, announce our address (gratuitous ARP);</li>
 *   <li>refill RX slots whose buffer a transport kept, from the arena (buffers no one kept are
 *       simply reused: each RX slot owns one arena buffer reference); a device that receives in
 *       place (AF_XDP: {@link io.pktstore.nic.DeviceCapabilities#receivesInPlace()}) takes arena
 *       buffers itself and hands each frame over in the buffer the kernel wrote it into, so
 *       there is nothing to refill and a buffer no one kept goes back to the arena;</li>
 *   <li>{@code device.receive} a burst into the arena buffers and dispatch each frame: Ethernet
 *       -&gt; ARP or IPv4 -&gt; ICMP or the registered transport;</li>
 *   <li>run the {@link DutyCycleHook} if one is set: the point where an application finishes what
 *       this cycle's input started (a store's group commit, then its replies);</li>
 *   <li>let every transport {@code poll} (timers, queued sends);</li>
 *   <li>drop datagrams that waited too long for neighbour resolution;</li>
 *   <li>flush the TX burst to the device.</li>
 * </ol>
 * Nothing is allocated per cycle. Every received frame is counted in {@link StackCounters}: either
 * as consumed or under the reason it was dropped.
 *
 * <p>Arena exhaustion: a slot whose buffer was kept and cannot be refilled receives into a
 * stack-private fallback buffer instead, and frames landing there are dropped
 * ({@link StackCounters#RX_DROP_NO_ARENA_BUFFER}), so a full arena slows input but harms nothing.
 *
 * <p>Not thread-safe: {@link #registerTransport} before the agent starts, everything else from the
 * agent's thread (see {@link StackRunner}).
 */
public final class NetworkStack implements Agent
{
    /** Datagrams that may wait for neighbour resolution, over all neighbours. */
    static final int PENDING_SLOTS = 16;
    /** How long a quiet stack may wait while datagrams wait for neighbour resolution. */
    static final long PENDING_RECHECK_NS = 1_000_000L;

    private final StackConfig config;
    private final FrameDevice device;
    private final PacketRecordPool pool;
    private final Arena arena;
    private final NanoClock clock;
    private final StackCounters counters = new StackCounters();
    /**
     * What other threads read: the counters as the last duty cycle published them (at most 1 ms old while
     * the stack works, current while it waits for input).
     */
    private final CounterSnapshot<StackCounters> publishedCounters =
        new CounterSnapshot<>(new StackCounters(), StackCounters::copy, 1_000_000L);
    private final RxBurst rx;
    private final int[] rxBufferIndex;
    /** RX slots without an arena buffer (kept by a transport, or none was free): only these are refilled. */
    private final int[] emptySlots;
    private int emptySlotCount;
    private final long[] fallbackAddress;
    private final FrameTransmitter tx;
    private final ArpLayer arp;
    private final PendingFrames pending;
    private final Ipv4Layer ipv4;
    private final EthernetFrame frame = new EthernetFrame();
    private final int rxCapacity;
    private final boolean rxInPlace;
    /** Keeps the fallback RX memory reachable so its addresses stay valid. */
    private final ByteBuffer fallbackKeepAlive;
    private DutyCycleHook cycleHook;
    private RuntimeException lastHookError;
    private boolean announced;
    private boolean closed;

    /**
     * @param config addresses, bursts, timing.
     * @param device the frame device (owned by the caller; not closed by the stack).
     * @param pool the packet record pool over the arena RX buffers come from.
     * @param clock the clock read once per duty cycle.
     */
    public NetworkStack(final StackConfig config, final FrameDevice device, final PacketRecordPool pool, final NanoClock clock)
    {
        if (config == null || device == null || pool == null || clock == null)
        {
            throw new NullPointerException("config, device, pool and clock are required");
        }
        this.config = config;
        this.device = device;
        this.pool = pool;
        this.arena = pool.arena();
        this.clock = clock;
        rxCapacity = arena.bufferSize();
        if (config.mtu() + EthernetFrame.PAYLOAD_OFFSET > rxCapacity)
        {
            // A full-sized frame must land whole in one arena buffer (the store keeps frames as received).
            throw new IllegalArgumentException("MTU " + config.mtu() + " needs frames of " +
                (config.mtu() + EthernetFrame.PAYLOAD_OFFSET) + " bytes, but the arena's buffers hold " + rxCapacity +
                ": use a smaller MTU or an arena with larger buffers");
        }
        rx = new RxBurst(config.rxBurst());
        rxBufferIndex = new int[config.rxBurst()];
        emptySlots = new int[config.rxBurst()];
        fallbackAddress = new long[config.rxBurst()];
        final ByteBuffer fallback = BufferUtil.allocateDirectAligned(config.rxBurst() * rxCapacity, 64);
        final long fallbackBase = BufferUtil.address(fallback);
        for (int i = 0; i < rxBufferIndex.length; i++)
        {
            fallbackAddress[i] = fallbackBase + (long)i * rxCapacity;
            rxBufferIndex[i] = Arena.NONE;
            emptySlots[emptySlotCount++] = i;
        }
        this.fallbackKeepAlive = fallback;
        rxInPlace = device.capabilities().receivesInPlace();
        if (!rxInPlace)
        {
            refillRx();
        }
        tx = new FrameTransmitter(device, config.txBurst(), 1 + config.maxGatherPieces(), counters);
        // A datagram waits for its neighbour as long as ARP keeps asking: arpMaxRequests intervals.
        pending = new PendingFrames(PENDING_SLOTS, config.mtu(), config.mac(),
            config.arpMaxRequests() * config.arpRetryIntervalNs(), tx, counters);
        arp = new ArpLayer(config, counters, tx, new NeighbourCache(config.neighbourCapacity()), pending);
        final Ipv4HeaderWriter headers = new Ipv4HeaderWriter(config);
        ipv4 = new Ipv4Layer(config, counters, tx, arp, new IcmpLayer(config, counters, tx, headers), pending, headers);
    }

    /**
     * Registers the handler of an IP protocol (6 = TCP). Call before the agent starts.
     *
     * @param protocol 0..255, not 1 (ICMP is the stack's).
     * @param handler the handler.
     */
    public void registerTransport(final int protocol, final TransportHandler handler)
    {
        ipv4.registerTransport(protocol, handler);
    }

    /**
     * Sets the hook run once per duty cycle after input and before the transports' poll and the TX
     * flush (null: none). Call before the agent starts.
     *
     * @param hook the hook.
     */
    public void cycleHook(final DutyCycleHook hook)
    {
        this.cycleHook = hook;
    }

    /** @return IPv4 output for transports (use only from the agent's thread). */
    public Ipv4Output ipv4Output()
    {
        return ipv4;
    }

    /** @return the counters, live: read them on the agent's thread (elsewhere: {@link #readCounters}). */
    public StackCounters counters()
    {
        return counters;
    }

    /**
     * From any thread, while the stack runs: copies the counters as the agent's thread last published them
     * (every millisecond of its clock at the end of a duty cycle while it works, and when a cycle finds no
     * work), consistent as a whole: every received
     * frame of the copy is accounted for (see {@link StackCounters}).
     *
     * @param into the caller's counters object (allocate one and reuse it).
     */
    public void readCounters(final StackCounters into)
    {
        publishedCounters.read(into);
    }

    /** @return the configuration. */
    public StackConfig config()
    {
        return config;
    }

    /** @return the packet record pool. */
    public PacketRecordPool pool()
    {
        return pool;
    }

    /** @return the device. */
    public FrameDevice device()
    {
        return device;
    }

    /** @return the ARP layer (neighbour cache inspection in tests and tools). */
    public ArpLayer arp()
    {
        return arp;
    }

    /** @return the last exception a transport threw out of onDatagram (counted, not rethrown), or null. */
    public RuntimeException lastTransportError()
    {
        return ipv4.lastTransportError();
    }

    @Override
    public int doWork()
    {
        if (closed)
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        int work = 0;
        if (!announced)
        {
            announced = true;
            arp.announce(nowNs);
            work++;
        }
        counters.increment(StackCounters.DUTY_CYCLES);
        if (!rxInPlace)
        {
            refillRx();
        }
        final int received = device.receive(rx, nowNs);
        if (received > 0)
        {
            counters.increment(StackCounters.RX_BURSTS);
            if (received == rxBufferIndex.length)
            {
                counters.increment(StackCounters.RX_BURSTS_FULL);
            }
        }
        for (int slot = 0; slot < received; slot++)
        {
            dispatch(slot, nowNs);
        }
        work += received;
        if (cycleHook != null)
        {
            work += runCycleHook(nowNs);
        }
        work += ipv4.pollTransports(nowNs);
        pending.expire(nowNs);
        work += tx.flush(nowNs);
        pending.onFlushed();
        if (work > 0)
        {
            publishedCounters.changed();
            publishedCounters.publishIfDue(counters, nowNs);
        }
        else
        {
            // Nothing to do: the idle strategy may wait now, so readers get what the stack rests in.
            publishedCounters.publishIfChanged(counters);
            ipv4.quietTransports();
        }
        return work;
    }

    /**
     * How long the stack may wait for input before it needs a duty cycle anyway: until the earliest
     * timer of its transports, at most {@code maxNs}; at most {@link #PENDING_RECHECK_NS} while datagrams
     * wait for a neighbour (their expiry is checked each cycle). Call on the agent's thread, after a duty
     * cycle that found no work. A wait that ends on time, not a fixed short one, matters: re-arming a
     * 1 ms timeout around every wait cost the round trip about 7 us on a virtual machine (each arm and
     * cancel reprograms the CPU's timer), more than the stack's own work (docs/tcp.md).
     *
     * @param maxNs the longest wait wanted, &gt; 0.
     * @return the wait in ns, 0 if a timer is already due, at most {@code maxNs}.
     */
    public long quietWaitNs(final long maxNs)
    {
        final long nowNs = clock.nanoTime();
        long limit = maxNs;
        if (pending.queued() > 0)
        {
            limit = Math.min(limit, PENDING_RECHECK_NS);
        }
        final long wake = ipv4.nextTransportWakeNs(nowNs);
        if (wake == Long.MAX_VALUE)
        {
            return limit;
        }
        return wake <= nowNs ? 0 : Math.min(limit, wake - nowNs);
    }

    @Override
    public void onClose()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        publishedCounters.publish(counters);
        for (int i = 0; i < rxBufferIndex.length; i++)
        {
            if (rxBufferIndex[i] != Arena.NONE)
            {
                arena.releaseBuffer(rxBufferIndex[i]);
                rxBufferIndex[i] = Arena.NONE;
            }
        }
    }

    @Override
    public String roleName()
    {
        return "pktstore-stack-" + device.name();
    }

    private int runCycleHook(final long nowNs)
    {
        try
        {
            return cycleHook.afterInput(nowNs);
        }
        catch (final RuntimeException ex)
        {
            // As for transports: counted and kept, and the TX flush still runs for everyone.
            counters.increment(StackCounters.CYCLE_HOOK_ERRORS);
            lastHookError = ex;
            return 1;
        }
    }

    /** @return the last exception the duty-cycle hook threw (counted, not rethrown), or null. */
    public RuntimeException lastCycleHookError()
    {
        return lastHookError;
    }

    private void refillRx()
    {
        int stillEmpty = 0;
        for (int i = 0; i < emptySlotCount; i++)
        {
            final int slot = emptySlots[i];
            final int buffer = arena.allocateBuffer();
            rxBufferIndex[slot] = buffer;
            if (buffer == Arena.NONE)
            {
                rx.setBuffer(slot, fallbackAddress[slot], rxCapacity);
                emptySlots[stillEmpty++] = slot;   // the arena is full: try again next cycle
            }
            else
            {
                rx.setBuffer(slot, arena.bufferAddress(buffer), rxCapacity);
            }
        }
        emptySlotCount = stillEmpty;
    }

    private void dispatch(final int slot, final long nowNs)
    {
        if (!rxInPlace)
        {
            if (deliver(slot, rxBufferIndex[slot], nowNs))
            {
                // The transport owns this buffer reference now; the slot gets a new one next cycle.
                rxBufferIndex[slot] = Arena.NONE;
                emptySlots[emptySlotCount++] = slot;
            }
            return;
        }
        final long address = rx.bufferAddress(slot);
        final long offset = address - arena.bufferAddress(0);
        final int buffer = (int)(offset / rxCapacity);
        if (offset < 0 || offset % rxCapacity != 0 || buffer >= arena.geometry().bufferCount())
        {
            // The device's buffers are not this arena's: nothing here owns the frame's memory.
            counters.increment(StackCounters.RX_DROP_NO_ARENA_BUFFER);
            return;
        }
        if (!deliver(slot, buffer, nowNs))
        {
            arena.releaseBuffer(buffer);
        }
    }

    /** @return true if a transport took ownership of the frame's buffer reference. */
    private boolean deliver(final int slot, final int bufferIndex, final long nowNs)
    {
        final int length = rx.frameLength(slot);
        counters.increment(StackCounters.RX_FRAMES);
        counters.add(StackCounters.RX_BYTES, length);
        if (bufferIndex == Arena.NONE)
        {
            counters.increment(StackCounters.RX_DROP_NO_ARENA_BUFFER);
            return false;
        }
        final long address = rx.bufferAddress(slot);
        if (!frame.wrapChecked(address, length))
        {
            counters.increment(StackCounters.ETH_DROP_TRUNCATED);
            return false;
        }
        final long destination = frame.destination();
        if (destination != config.mac() && destination != MacAddress.BROADCAST)
        {
            counters.increment(StackCounters.ETH_DROP_NOT_FOR_US);
            return false;
        }
        final long source = frame.source();
        if (MacAddress.isMulticast(source))
        {
            counters.increment(StackCounters.ETH_DROP_BAD_SOURCE);
            return false;
        }
        switch (frame.etherType())
        {
            case EthernetFrame.TYPE_ARP:
                arp.onPacket(source, address + EthernetFrame.PAYLOAD_OFFSET, length - EthernetFrame.PAYLOAD_OFFSET, nowNs);
                return false;

            case EthernetFrame.TYPE_IPV4:
                if (destination == MacAddress.BROADCAST)
                {
                    // We have no broadcast or multicast IP address, so nothing here may come as a link broadcast.
                    counters.increment(StackCounters.IP_DROP_LINK_BROADCAST);
                    return false;
                }
                return ipv4.onPacket(bufferIndex, address, length, source, rx.timestampNs(slot), rx.checksumStatus(slot),
                    rx.csumStart(slot), rx.csumOffset(slot), nowNs);

            default:
                counters.increment(StackCounters.ETH_DROP_UNKNOWN_TYPE);
                return false;
        }
    }
}
