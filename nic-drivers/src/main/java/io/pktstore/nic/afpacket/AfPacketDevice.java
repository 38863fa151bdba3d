package io.pktstore.nic.afpacket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.pktstore.nic.DeviceCapabilities;
import io.pktstore.nic.DeviceException;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.InsufficientPrivilegesException;
import io.pktstore.nic.NoSuchInterfaceException;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TimestampSource;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.Interfaces;
import io.pktstore.nic.internal.LibC;
import io.pktstore.nic.internal.ReadableWait;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.afpacket.TpacketLayout.*;
import static io.pktstore.nic.internal.LibC.C;

/**
 * A raw Ethernet device on a Linux interface through an AF_PACKET socket with PACKET_MMAP rings:
 * a TPACKET_V2 (per frame, latency) or TPACKET_V3 (per block, throughput) RX ring and a TX ring,
 * both mapped once and read/written in place. Receive copies frames from the RX ring into the
 * caller's buffers; transmit copies (gathers) frames into the TX ring and kicks it with a
 * non-blocking send(MSG_DONTWAIT). Receive timestamps are the kernel's, CLOCK_REALTIME.
 *
 * <p>Open it in the network namespace that holds the interface: the socket belongs to the
 * namespace of the thread that opens it (see {@code io.pktstore.nic.host.NetNamespace}).
 *
 * <p>Setup order (the kernel insists): socket, PACKET_VERSION, options that must precede the ring
 * (VNET_HDR, QDISC_BYPASS), RX ring, TX ring, one mmap (RX then TX), bind, then IGNORE_OUTGOING,
 * promiscuous membership and PACKET_FANOUT.
 */
public final class AfPacketDevice implements FrameDevice
{
    private static final int SOCKADDR_LL_LENGTH = 20;
    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;

    private final AfPacketConfig config;
    private final int fd;
    private final int ifIndex;
    private final long ringAddress;
    private final long ringLength;
    private final RxRing rxRing;
    private final TxRing txRing;
    private final DeviceCapabilities capabilities;
    private final DeviceStatistics statistics = new DeviceStatistics();
    private final ReadableWait readableWait;
    /** Scratch for getsockopt(PACKET_STATISTICS) and setup, allocated once. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
    private final long scratchAddress = BufferUtil.address(scratch);
    private boolean closed;

    private AfPacketDevice(final AfPacketConfig config)
    {
        this.config = config;
        final String name = config.interfaceName();
        ifIndex = C.if_nametoindex(name);
        if (ifIndex == 0)
        {
            throw new NoSuchInterfaceException(
                "no network interface '" + name + "' (if_nametoindex: " + LibC.describe(LibC.errno()) + ")");
        }
        fd = C.socket(LibC.AF_PACKET, LibC.SOCK_RAW, 0);
        if (fd < 0)
        {
            final int errno = LibC.errno();
            if (errno == LibC.EPERM || errno == LibC.EACCES)
            {
                throw new InsufficientPrivilegesException("opening an AF_PACKET socket for '" + name +
                    "' needs CAP_NET_RAW (socket(AF_PACKET, SOCK_RAW): " + LibC.describe(errno) + ")");
            }
            throw new DeviceException("socket(AF_PACKET, SOCK_RAW) for '" + name + "' failed: " + LibC.describe(errno));
        }
        readableWait = new ReadableWait(fd);
        long mapped = 0;
        long mappedLength = 0;
        try
        {
            setInt(PACKET_VERSION, config.version().kernelValue(), "PACKET_VERSION=" + config.version());
            if (config.vnetHdr())
            {
                setInt(PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            }
            if (config.qdiscBypass())
            {
                setInt(PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }
            setRing(PACKET_RX_RING, config.rxBlockSize(), config.rxBlockCount(), config.rxFrameSize(),
                config.version() == TpacketVersion.V3 ? config.v3RetireBlockTimeoutMs() : 0);
            setRing(PACKET_TX_RING, config.txBlockSize(), config.txBlockCount(), config.txFrameSize(), 0);
            final long rxLength = (long)config.rxBlockSize() * config.rxBlockCount();
            final long txLength = (long)config.txBlockSize() * config.txBlockCount();
            mappedLength = rxLength + txLength;
            mapped = LibC.mmap(0L, mappedLength, LibC.PROT_READ_WRITE, LibC.MAP_SHARED, fd, 0L);
            if (mapped == LibC.MAP_FAILED)
            {
                mapped = 0;
                throw new DeviceException("mmap of the " + mappedLength + "-byte packet rings for '" + name +
                    "' failed: " + LibC.describe(LibC.errno()));
            }
            if (config.hasStationFilter())
            {
                attachStationFilter(config.stationMac(), config.stationIp());
            }
            bind(name);
            if (config.ignoreOutgoing())
            {
                setInt(PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            }
            if (config.promiscuous())
            {
                addPromiscuousMembership(name);
            }
            if (config.fanoutGroup() >= 0)
            {
                // Only after bind. Value: group id in the low 16 bits, mode and flags in the high 16.
                final int flags = config.ignoreOutgoing() ? PACKET_FANOUT_FLAG_IGNORE_OUTGOING : 0;
                setInt(PACKET_FANOUT, config.fanoutGroup() | ((PACKET_FANOUT_HASH | flags) << 16),
                    "PACKET_FANOUT group " + config.fanoutGroup());
            }
            final int mtu = Interfaces.mtu(name);
            rxRing = config.version() == TpacketVersion.V3 ?
                new V3RxRing(mapped, config.rxBlockSize(), config.rxBlockCount(), config.vnetHdr(), statistics) :
                new V2RxRing(mapped, config.rxBlockSize(), config.rxBlockCount(), config.rxFrameSize(),
                    config.vnetHdr(), statistics);
            txRing = new TxRing(fd, mapped + rxLength, config.txBlockSize(), config.txBlockCount(),
                config.txFrameSize(), config.version(), config.vnetHdr(), statistics);
            capabilities = new DeviceCapabilities(mtu, Math.min(mtu + ETHERNET_HEADER + VLAN_TAG, txRing.maxFrameLength()),
                true, config.vnetHdr(), config.vnetHdr(), TimestampSource.SOFTWARE);
        }
        catch (final RuntimeException ex)
        {
            if (mapped != 0)
            {
                C.munmap(mapped, mappedLength);
            }
            C.close(fd);
            throw ex;
        }
        ringAddress = mapped;
        ringLength = mappedLength;
    }

    /**
     * Opens the device: socket, rings, bind. Runs in the calling thread's network namespace.
     *
     * @param config interface, ring format and geometry, options.
     * @return the open device.
     * @throws NoSuchInterfaceException if the interface does not exist.
     * @throws InsufficientPrivilegesException without CAP_NET_RAW.
     * @throws DeviceException naming the failing call and errno for anything else.
     */
    public static AfPacketDevice open(final AfPacketConfig config)
    {
        return new AfPacketDevice(config);
    }

    /** SOL_SOCKET / SO_ATTACH_FILTER (asm-generic/socket.h). */
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;

    /**
     * Attaches the classic BPF program of {@link AfPacketConfig.Builder#stationFilter}:
     * <pre>
     *  0  ldh [12]                   EtherType
     *  1  jeq #0x0806   jt 2  jf 4   ARP?
     *  2  ld  [38]                   ARP target protocol address (14 + 24)
     *  3  jeq #ip       jt 8  jf 9
     *  4  ld  [0]                    destination MAC, bytes 0..3
     *  5  jeq #mac_hi   jt 6  jf 9
     *  6  ldh [4]                    destination MAC, bytes 4..5
     *  7  jeq #mac_lo   jt 8  jf 9
     *  8  ret #262144                accept the whole frame
     *  9  ret #0                     drop
     * </pre>
     * struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } (8 bytes);
     * struct sock_fprog { u16 len; pad to 8; struct sock_filter *filter; } (16 bytes).
     */
    private void attachStationFilter(final long mac, final int ip)
    {
        final int[][] program = {
            {0x28, 0, 0, 12},
            {0x15, 0, 2, 0x0806},
            {0x20, 0, 0, 38},
            {0x15, 4, 5, ip},
            {0x20, 0, 0, 0},
            {0x15, 0, 3, (int)(mac >>> 16)},
            {0x28, 0, 0, 4},
            {0x15, 0, 1, (int)(mac & 0xFFFF)},
            {0x06, 0, 0, 262144},
            {0x06, 0, 0, 0},
        };
        final long filter = UnsafeApi.allocateMemory(program.length * 8L + 16);
        try
        {
            for (int i = 0; i < program.length; i++)
            {
                final long at = filter + i * 8L;
                UnsafeApi.putShort(at, (short)program[i][0]);
                UnsafeApi.putByte(at + 2, (byte)program[i][1]);
                UnsafeApi.putByte(at + 3, (byte)program[i][2]);
                UnsafeApi.putInt(at + 4, program[i][3]);
            }
            final long fprog = filter + program.length * 8L;
            UnsafeApi.setMemory(fprog, 16, (byte)0);
            UnsafeApi.putShort(fprog, (short)program.length);
            UnsafeApi.putLong(fprog + 8, filter);
            if (C.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16) != 0)
            {
                throw fail("setsockopt(SO_ATTACH_FILTER station " + Long.toHexString(mac) + ")", LibC.errno());
            }
        }
        finally
        {
            UnsafeApi.freeMemory(filter);
        }
    }

    private void setInt(final int option, final int value, final String what)
    {
        UnsafeApi.putInt(scratchAddress, value);
        if (C.setsockopt(fd, LibC.SOL_PACKET, option, scratchAddress, 4) != 0)
        {
            throw fail("setsockopt(" + what + ")", LibC.errno());
        }
    }

    /**
     * tpacket_req3 (28 B; V2 reads only the first 16 = tpacket_req):
     * <pre>
     *   0          4        8          12       16          20           24            28
     *   +----------+--------+----------+--------+-----------+------------+-------------+
     *   |block_size|block_nr|frame_size|frame_nr|retire_tov |sizeof_priv |feature_word |
     *   +----------+--------+----------+--------+-----------+------------+-------------+
     * </pre>
     */
    private void setRing(final int option, final int blockSize, final int blockCount, final int frameSize, final int tovMs)
    {
        final int frameCount = blockCount * (blockSize / frameSize);
        UnsafeApi.setMemory(scratchAddress, 28, (byte)0);
        UnsafeApi.putInt(scratchAddress, blockSize);
        UnsafeApi.putInt(scratchAddress + 4, blockCount);
        UnsafeApi.putInt(scratchAddress + 8, frameSize);
        UnsafeApi.putInt(scratchAddress + 12, frameCount);
        UnsafeApi.putInt(scratchAddress + 16, tovMs);
        final int length = config.version() == TpacketVersion.V3 ? 28 : 16;
        if (C.setsockopt(fd, LibC.SOL_PACKET, option, scratchAddress, length) != 0)
        {
            throw fail("setsockopt(" + (option == PACKET_RX_RING ? "PACKET_RX_RING" : "PACKET_TX_RING") + ", " +
                blockCount + " x " + blockSize + " B blocks, " + frameSize + " B frames)", LibC.errno());
        }
    }

    /** sockaddr_ll (20 B): family u16@0, protocol be16@2, ifindex i32@4, rest zero. */
    private void bind(final String name)
    {
        UnsafeApi.setMemory(scratchAddress, SOCKADDR_LL_LENGTH, (byte)0);
        UnsafeApi.putShort(scratchAddress, (short)LibC.AF_PACKET);
        UnsafeApi.putShort(scratchAddress + 2, ETH_P_ALL_BE);
        UnsafeApi.putInt(scratchAddress + 4, ifIndex);
        if (C.bind(fd, scratchAddress, SOCKADDR_LL_LENGTH) != 0)
        {
            final int errno = LibC.errno();
            if (errno == LibC.ENODEV || errno == LibC.ENXIO)
            {
                throw new NoSuchInterfaceException("network interface '" + name + "' vanished before bind (" +
                    LibC.describe(errno) + ")");
            }
            throw fail("bind to '" + name + "'", errno);
        }
    }

    /** packet_mreq (16 B): mr_ifindex i32@0, mr_type u16@4, mr_alen u16@6, mr_address[8]@8. */
    private void addPromiscuousMembership(final String name)
    {
        UnsafeApi.setMemory(scratchAddress, 16, (byte)0);
        UnsafeApi.putInt(scratchAddress, ifIndex);
        UnsafeApi.putShort(scratchAddress + 4, (short)PACKET_MR_PROMISC);
        if (C.setsockopt(fd, LibC.SOL_PACKET, PACKET_ADD_MEMBERSHIP, scratchAddress, 16) != 0)
        {
            throw fail("setsockopt(PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC) on '" + name + "'", LibC.errno());
        }
    }

    private DeviceException fail(final String call, final int errno)
    {
        if (errno == LibC.EPERM || errno == LibC.EACCES)
        {
            return new InsufficientPrivilegesException(call + " needs CAP_NET_RAW/CAP_NET_ADMIN: " + LibC.describe(errno));
        }
        return new DeviceException(call + " failed on AF_PACKET socket for '" + config.interfaceName() + "': " +
            LibC.describe(errno));
    }

    /** @return the configuration this device was opened with. */
    public AfPacketConfig config()
    {
        return config;
    }

    /** @return the interface index the socket is bound to. */
    public int interfaceIndex()
    {
        return ifIndex;
    }

    /** @return TX slots the kernel marked TP_STATUS_WRONG_FORMAT (malformed frames it refused). */
    public long txWrongFormat()
    {
        return txRing.wrongFormat();
    }

    /** @return TX kicks (send) that failed with an error other than EAGAIN/ENOBUFS. */
    public long txKickErrors()
    {
        return txRing.kickErrors();
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

    /**
     * Refreshes the kernel counters (PACKET_STATISTICS, which the kernel resets on each read; its
     * tp_packets already includes tp_drops) and returns the live statistics.
     */
    @Override
    public DeviceStatistics statistics()
    {
        if (!closed)
        {
            final boolean v3 = config.version() == TpacketVersion.V3;
            final int length = v3 ? 12 : 8;
            UnsafeApi.setMemory(scratchAddress, 16, (byte)0);
            UnsafeApi.putInt(scratchAddress + 32, length);
            if (C.getsockopt(fd, LibC.SOL_PACKET, PACKET_STATISTICS, scratchAddress, scratchAddress + 32) == 0)
            {
                statistics.addKernelReading(
                    Integer.toUnsignedLong(UnsafeApi.getInt(scratchAddress)),
                    Integer.toUnsignedLong(UnsafeApi.getInt(scratchAddress + 4)),
                    v3 ? Integer.toUnsignedLong(UnsafeApi.getInt(scratchAddress + 8)) : 0);
            }
        }
        return statistics;
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        checkOpen();
        return rxRing.receive(burst);
    }

    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        checkOpen();
        return txRing.transmit(burst);
    }

    /**
     * Spins {@link AfPacketConfig#busyPollSpins()} times over the ring, then blocks in poll() for the
     * rest of the timeout (rounded up to whole milliseconds).
     */
    @Override
    public boolean awaitReadable(final long timeoutNs)
    {
        checkOpen();
        return readableWait.await(rxRing, config.busyPollSpins(), timeoutNs);
    }

    /** Unmaps the rings and closes the socket (the kernel then frees the rings). Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            C.munmap(ringAddress, ringLength);
            C.close(fd);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("AF_PACKET device on '" + config.interfaceName() + "' is closed");
        }
    }
}
