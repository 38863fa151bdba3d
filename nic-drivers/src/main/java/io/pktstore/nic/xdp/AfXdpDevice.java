package io.pktstore.nic.xdp;

import io.pktstore.nic.DeviceCapabilities;
import io.pktstore.nic.DeviceException;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.FrameBuffers;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.NoSuchInterfaceException;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TimestampSource;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.Interfaces;
import io.pktstore.nic.internal.LibC;

/**
 * A raw Ethernet device over an AF_XDP socket whose UMEM is the owner's own buffer region (the
 * stack's arena): the kernel (copy mode) or the NIC (zero-copy mode) writes each received frame
 * straight into an arena buffer lent through the fill ring, and {@link #receive} hands that very
 * buffer to the caller ({@link DeviceCapabilities#receivesInPlace()}). Transmit sends the pieces of
 * a frame that already lie in arena buffers from where they are and holds a reference on each such
 * buffer until the completion ring says the kernel is done with it.
 *
 * <p>An XDP program (libxdp's default AF_XDP program, attached through a BPF link) redirects the
 * queue's frames to the socket, so the kernel's own stack never sees them (no RST, no ARP replies of
 * its own). The device loads and attaches it at open and detaches it at close; the link also
 * detaches it if the process dies. A failed open undoes every step it took.
 *
 * <p>Not thread-safe: the owner's thread calls everything, including {@link #close}. Open order:
 * UMEM and rings, bind, load the program, put the socket in its map, fill the fill ring, attach.
 */
public final class AfXdpDevice implements FrameDevice
{
    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;

    private final XdpConfig config;
    private final int ifIndex;
    private final XskSocket socket;
    private final BufferLedger ledger;
    private final XskReceiver receiver;
    private final XskTransmitter transmitter;
    private final XdpProgram program;
    private final DeviceCapabilities capabilities;
    private final DeviceStatistics statistics = new DeviceStatistics();
    private final long[] kernelCounters = new long[6];
    private long reportedDrops;
    private boolean closed;

    private AfXdpDevice(final XdpConfig config, final FrameBuffers buffers)
    {
        this.config = config;
        final String name = config.interfaceName();
        ifIndex = LibC.C.if_nametoindex(name);
        if (ifIndex == 0)
        {
            throw new NoSuchInterfaceException(
                "no network interface '" + name + "' (if_nametoindex: " + LibC.describe(LibC.errno()) + ")");
        }
        final int mtu = Interfaces.mtu(name);
        final UmemLayout layout = new UmemLayout(buffers);
        // The frame starts at the buffer's first byte and may fill the chunk past the kernel's 256-byte headroom.
        final int maxFrame = buffers.bufferSize() - XdpAbi.XDP_PACKET_HEADROOM;
        if (mtu + ETHERNET_HEADER > maxFrame)
        {
            throw new DeviceException("'" + name + "' has MTU " + mtu + ", but AF_XDP over " + buffers.describe() +
                " receives frames of at most " + maxFrame + " bytes (buffer size " + buffers.bufferSize() + " minus the " +
                "kernel's " + XdpAbi.XDP_PACKET_HEADROOM + "-byte headroom): lower the MTU to " + (maxFrame - ETHERNET_HEADER) +
                " or use 4096-byte arena buffers");
        }
        XskSocket openedSocket = null;
        BufferLedger openedLedger = null;
        XdpProgram loaded = null;
        boolean opened = false;
        try
        {
            openedSocket = new XskSocket(name, ifIndex, config, buffers);
            openedLedger = new BufferLedger(buffers);
            receiver = new XskReceiver(openedSocket, layout, openedLedger, statistics);
            transmitter = new XskTransmitter(openedSocket, layout, openedLedger, config.txCopySlots(),
                Math.min(maxFrame, mtu + ETHERNET_HEADER + VLAN_TAG), openedSocket.multiBuffer(), statistics);
            loaded = XdpProgram.load(config.programObject(), name);
            loaded.insertSocket(config.queueId(), openedSocket.fd());
            receiver.refill();
            loaded.attach(ifIndex, config.attach());
            opened = true;
        }
        finally
        {
            if (!opened)
            {
                // Undo in reverse, whatever failed (an Error from a missing libbpf included).
                if (loaded != null)
                {
                    loaded.close();
                }
                if (openedSocket != null)
                {
                    openedSocket.close();
                }
                if (openedLedger != null)
                {
                    openedLedger.releaseAll();
                }
            }
        }
        socket = openedSocket;
        ledger = openedLedger;
        program = loaded;
        capabilities = new DeviceCapabilities(mtu, Math.min(maxFrame, mtu + ETHERNET_HEADER + VLAN_TAG), false, false,
            false, TimestampSource.DRIVER, true);
    }

    /**
     * Opens the device: socket and UMEM over {@code buffers}, the redirect program attached to the
     * interface. Runs in the calling thread's network namespace.
     *
     * @param config interface, queue, mode, rings.
     * @param buffers the region the kernel writes frames into (the stack's arena buffer pool).
     * @return the open device.
     * @throws NoSuchInterfaceException if the interface does not exist.
     * @throws UmemRefusedException if the kernel refuses the memory or the mode (the message says
     *         why and what to use instead).
     * @throws DeviceException naming the failing step and errno for anything else.
     */
    public static AfXdpDevice open(final XdpConfig config, final FrameBuffers buffers)
    {
        return new AfXdpDevice(config, buffers);
    }

    /** @return the configuration this device was opened with. */
    public XdpConfig config()
    {
        return config;
    }

    /** @return the interface index the socket is bound to. */
    public int interfaceIndex()
    {
        return ifIndex;
    }

    /** @return the kernel's id of the attached XDP program (`bpftool prog show id N`). */
    public int programId()
    {
        return program.programId();
    }

    /** @return true if the socket was bound with scatter-gather, so frames are sent from several buffers. */
    public boolean scatterGather()
    {
        return socket.multiBuffer();
    }

    /** @return references this device holds on the owner's buffers (fill ring, copy slots, frames in flight). */
    public int buffersHeld()
    {
        return ledger.held();
    }

    /** @return payload bytes sent in place, from the caller's buffers (not copied). */
    public long txBytesInPlace()
    {
        return transmitter.inPlaceBytes();
    }

    /** @return frames copied whole into a copy slot (no piece could be sent in place). */
    public long txFramesCopiedWhole()
    {
        return transmitter.copiedWhole();
    }

    /** @return TX kicks (send) that failed with an error other than EAGAIN/EBUSY/ENOBUFS. */
    public long txKickErrors()
    {
        return transmitter.kickErrors();
    }

    /** @return refills that found the buffer pool empty (the kernel drops frames while the fill ring is empty). */
    public long fillRingStarved()
    {
        return receiver.fillEmpty();
    }

    /**
     * @return the kernel's XDP_STATISTICS as of the last {@link #statistics()} call: rx_dropped,
     *         rx_invalid_descs, tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs,
     *         tx_ring_empty_descs.
     */
    public long[] kernelCounters()
    {
        return kernelCounters.clone();
    }

    @Override
    public String name()
    {
        return config.interfaceName();
    }

    @Override
    public DeviceCapabilities capabilities()
    {
        return capabilities;
    }

    /** Refreshes the kernel's drop counters (cumulative in XDP_STATISTICS; added as deltas). */
    @Override
    public DeviceStatistics statistics()
    {
        if (!closed && socket.statistics(kernelCounters))
        {
            final long drops = kernelCounters[0] + kernelCounters[1] + kernelCounters[3] + kernelCounters[4];
            statistics.addKernelReading(drops - reportedDrops, drops - reportedDrops, 0);
            reportedDrops = drops;
        }
        return statistics;
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        checkOpen();
        transmitter.reapCompletions();
        if (transmitter.pending())
        {
            transmitter.kick();
        }
        return receiver.receive(burst);
    }

    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        checkOpen();
        return transmitter.transmit(burst);
    }

    /** Checks the RX ring {@link XdpConfig#busyPollSpins()} times, then blocks in poll() for the rest. */
    @Override
    public boolean awaitReadable(final long timeoutNs)
    {
        checkOpen();
        return receiver.readableWait().await(receiver, config.busyPollSpins(), timeoutNs);
    }

    /**
     * Detaches and unloads the program, closes the socket (the kernel then unpins the UMEM) and gives
     * every buffer the device still holds back to the owner. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            program.close();
        }
        finally
        {
            socket.close();
            ledger.releaseAll();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("AF_XDP device on '" + config.interfaceName() + "' is closed");
        }
    }
}
