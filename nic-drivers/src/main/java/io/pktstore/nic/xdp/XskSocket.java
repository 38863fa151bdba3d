package io.pktstore.nic.xdp;

import java.util.concurrent.locks.LockSupport;

import io.pktstore.nic.DeviceException;
import io.pktstore.nic.FrameBuffers;
import io.pktstore.nic.InsufficientPrivilegesException;
import io.pktstore.nic.internal.LibC;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.internal.LibC.C;
import static io.pktstore.nic.xdp.XdpAbi.*;

/**
 * One AF_XDP socket with its own UMEM: socket, XDP_UMEM_REG over the owner's buffer region, the four
 * ring sizes, XDP_MMAP_OFFSETS, one mapping per ring, bind to (interface, queue). Raw system calls,
 * not libxdp's xsk_umem__create: that one has six arguments (JNR-FFI 2.2.17 garbles the sixth) and
 * libxdp's ring accessors are inline functions, so the rings are read from Java either way.
 *
 * <p>The UMEM is registered in unaligned-chunk mode with chunks of the buffer size, so a fill ring
 * entry may point anywhere: we give the kernel {@code buffer - 256} and it writes the frame after
 * its 256-byte headroom, i.e. exactly at the buffer's first byte, where the stack expects a frame.
 */
final class XskSocket implements AutoCloseable
{
    private final String interfaceName;
    private final int fd;
    private final long[] mappings = new long[4];
    private final long[] mappingLengths = new long[4];
    private final XskRing fill;
    private final XskRing completion;
    private final XskRing rx;
    private final XskRing tx;
    private final long scratch;
    private boolean multiBuffer;
    private boolean closed;

    /**
     * @param interfaceName interface to bind (for messages; the index is given).
     * @param ifIndex its index.
     * @param config queue, mode, ring size.
     * @param buffers the region registered as UMEM.
     */
    XskSocket(final String interfaceName, final int ifIndex, final XdpConfig config, final FrameBuffers buffers)
    {
        this.interfaceName = interfaceName;
        scratch = UnsafeApi.allocateMemory(MMAP_OFFSETS_LENGTH + 8);
        fd = C.socket(AF_XDP, SOCK_RAW, 0);
        if (fd < 0)
        {
            final int errno = LibC.errno();
            UnsafeApi.freeMemory(scratch);
            if (errno == LibC.EPERM || errno == LibC.EACCES)
            {
                throw new InsufficientPrivilegesException("an AF_XDP socket needs CAP_NET_RAW (socket(AF_XDP): " +
                    LibC.describe(errno) + ")");
            }
            throw new DeviceException("socket(AF_XDP) failed: " + LibC.describe(errno) +
                (errno == 97 ? ": this kernel has no AF_XDP (CONFIG_XDP_SOCKETS)" : ""));
        }
        try
        {
            registerUmem(buffers);
            final int ringSize = config.ringSize();
            setRingSize(XDP_UMEM_FILL_RING, ringSize, "XDP_UMEM_FILL_RING");
            setRingSize(XDP_UMEM_COMPLETION_RING, ringSize, "XDP_UMEM_COMPLETION_RING");
            setRingSize(XDP_RX_RING, ringSize, "XDP_RX_RING");
            setRingSize(XDP_TX_RING, ringSize, "XDP_TX_RING");
            UnsafeApi.putInt(scratch + MMAP_OFFSETS_LENGTH, MMAP_OFFSETS_LENGTH);
            if (C.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, scratch, scratch + MMAP_OFFSETS_LENGTH) != 0)
            {
                throw fail("getsockopt(XDP_MMAP_OFFSETS)", LibC.errno());
            }
            rx = map(0, 0, PGOFF_RX_RING, ringSize, DESC_SIZE, "RX");
            tx = map(1, RING_OFFSET_LENGTH, PGOFF_TX_RING, ringSize, DESC_SIZE, "TX");
            fill = map(2, 2 * RING_OFFSET_LENGTH, PGOFF_FILL_RING, ringSize, ADDR_SIZE, "fill");
            completion = map(3, 3 * RING_OFFSET_LENGTH, PGOFF_COMPLETION_RING, ringSize, ADDR_SIZE, "completion");
            bind(ifIndex, config);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * xdp_umem_reg over the owner's region: chunks of one buffer, no extra headroom, unaligned mode.
     * Refusals name the cause and the way out (see docs/af-xdp.md for what was measured).
     */
    private void registerUmem(final FrameBuffers buffers)
    {
        final int chunk = buffers.bufferSize();
        if (chunk < MIN_CHUNK_SIZE || chunk > MAX_CHUNK_SIZE)
        {
            throw new DeviceException("AF_XDP UMEM chunks are " + MIN_CHUNK_SIZE + ".." + MAX_CHUNK_SIZE + " bytes, but " +
                buffers.describe() + " has " + chunk + "-byte buffers: use an arena with 2048- or 4096-byte buffers, " +
                "or --driver AFPACKET_V2");
        }
        UnsafeApi.setMemory(scratch, UMEM_REG_LENGTH, (byte)0);
        UnsafeApi.putLong(scratch, buffers.regionAddress());
        UnsafeApi.putLong(scratch + 8, buffers.regionLength());
        UnsafeApi.putInt(scratch + 16, chunk);
        UnsafeApi.putInt(scratch + 20, 0);
        UnsafeApi.putInt(scratch + 24, UMEM_UNALIGNED_CHUNK_FLAG);
        if (C.setsockopt(fd, SOL_XDP, XDP_UMEM_REG, scratch, UMEM_REG_LENGTH) == 0)
        {
            return;
        }
        final int errno = LibC.errno();
        final String call = "registering " + buffers.describe() + " (" + buffers.regionLength() + " bytes) as AF_XDP UMEM " +
            "(setsockopt XDP_UMEM_REG): " + LibC.describe(errno) + ". ";
        if (errno == LibC.EFAULT)
        {
            throw new UmemRefusedException(call + "The kernel will not pin these pages for the long term: a writable " +
                "shared mapping of a file on a block file system (ext4, xfs, btrfs) needs dirty-page tracking, which " +
                "pinned pages defeat. Put the arena on tmpfs (/dev/shm) or a device-DAX mapping, or use " +
                "--driver AFPACKET_V2 (one copy per received frame)");
        }
        if (errno == LibC.EOPNOTSUPP)
        {
            throw new UmemRefusedException(call + "The kernel refuses long-term pins of a file on a DAX file system " +
                "(fsdax: the file system may move its blocks): on persistent memory map the arena from a device-DAX " +
                "namespace (/dev/daxX.Y) instead, or use --driver AFPACKET_V2");
        }
        if (errno == LibC.ENOMEM || errno == LibC.ENOBUFS)
        {
            throw new UmemRefusedException(call + "Pinning the region failed for lack of memory or locked-memory " +
                "allowance (RLIMIT_MEMLOCK without CAP_IPC_LOCK): run as root, raise `ulimit -l`, or use a smaller arena");
        }
        throw fail("setsockopt(XDP_UMEM_REG) over " + buffers.describe(), errno);
    }

    private void setRingSize(final int option, final int size, final String what)
    {
        UnsafeApi.putInt(scratch + MMAP_OFFSETS_LENGTH, size);
        if (C.setsockopt(fd, SOL_XDP, option, scratch + MMAP_OFFSETS_LENGTH, 4) != 0)
        {
            throw fail("setsockopt(" + what + ", " + size + ")", LibC.errno());
        }
    }

    /** Maps ring {@code slot} whose xdp_ring_offset is at {@code offsetsAt} in the offsets in scratch. */
    private XskRing map(final int slot, final int offsetsAt, final long pageOffset, final int size, final int entrySize,
        final String name)
    {
        final long producer = UnsafeApi.getLong(scratch + offsetsAt);
        final long consumer = UnsafeApi.getLong(scratch + offsetsAt + 8);
        final long desc = UnsafeApi.getLong(scratch + offsetsAt + 16);
        final long flags = UnsafeApi.getLong(scratch + offsetsAt + 24);
        final long length = desc + (long)size * entrySize;
        final long address = LibC.mmap(0L, length, LibC.PROT_READ_WRITE, LibC.MAP_SHARED | MAP_POPULATE, fd, pageOffset);
        if (address == LibC.MAP_FAILED)
        {
            throw fail("mmap of the " + name + " ring", LibC.errno());
        }
        mappings[slot] = address;
        mappingLengths[slot] = length;
        return new XskRing(address, producer, consumer, flags, desc, size, entrySize);
    }

    private static final int MAP_POPULATE = 0x8000;

    /**
     * Binds to the queue. Scatter-gather (XDP_USE_SG, Linux 6.6+) lets a frame be sent as several
     * descriptors (headers in one buffer, payload in others); if the kernel or driver refuses it the
     * socket binds without and every frame is sent from one buffer.
     */
    private void bind(final int ifIndex, final XdpConfig config)
    {
        final int modeFlag = config.mode() == XdpMode.ZERO_COPY ? BIND_ZEROCOPY : BIND_COPY;
        int errno = -1;
        if (config.scatterGather())
        {
            errno = tryBind(ifIndex, config.queueId(), modeFlag | BIND_USE_NEED_WAKEUP | BIND_USE_SG);
            multiBuffer = errno == 0;
        }
        if (errno == -1 || errno == LibC.EOPNOTSUPP || errno == LibC.EINVAL)
        {
            errno = tryBind(ifIndex, config.queueId(), modeFlag | BIND_USE_NEED_WAKEUP);
        }
        if (errno == 0)
        {
            return;
        }
        final String call = "binding the AF_XDP socket to '" + interfaceName + "' queue " + config.queueId() + " in " +
            config.mode() + " mode: " + LibC.describe(errno) + ". ";
        if (config.mode() == XdpMode.ZERO_COPY && errno == LibC.EOPNOTSUPP)
        {
            throw new UmemRefusedException(call + "The interface's driver has no AF_XDP zero-copy support (veth and " +
                "most virtual interfaces never have; NICs such as ice, i40e, ixgbe, mlx5, igc do): use copy mode " +
                "(--xdp-mode COPY), in which the kernel still writes frames straight into arena buffers");
        }
        if (errno == LibC.EINVAL)
        {
            throw new DeviceException(call + "Is queue " + config.queueId() + " one of the interface's RX queues " +
                "(`ethtool -l " + interfaceName + "`)?");
        }
        if (errno == LibC.EBUSY)
        {
            throw new DeviceException(call + "Another AF_XDP socket is bound to this queue (still after " +
                BUSY_RETRY_MS + " ms)");
        }
        throw fail("bind(AF_XDP) to '" + interfaceName + "'", errno);
    }

    /**
     * A socket closed a moment ago still holds its queue until the kernel's deferred release of its
     * buffer pool has run (EBUSY meanwhile, measured here right after a close): retry for up to
     * {@link #BUSY_RETRY_MS} ms before reporting the queue as taken.
     */
    private int tryBind(final int ifIndex, final int queueId, final int flags)
    {
        int errno = bindOnce(ifIndex, queueId, flags);
        for (int waited = 0; errno == LibC.EBUSY && waited < BUSY_RETRY_MS; waited += 10)
        {
            LockSupport.parkNanos(10_000_000L);
            errno = bindOnce(ifIndex, queueId, flags);
        }
        return errno;
    }

    private static final int BUSY_RETRY_MS = 2000;

    private int bindOnce(final int ifIndex, final int queueId, final int flags)
    {
        UnsafeApi.setMemory(scratch, SOCKADDR_XDP_LENGTH, (byte)0);
        UnsafeApi.putShort(scratch, (short)AF_XDP);
        UnsafeApi.putShort(scratch + 2, (short)flags);
        UnsafeApi.putInt(scratch + 4, ifIndex);
        UnsafeApi.putInt(scratch + 8, queueId);
        return C.bind(fd, scratch, SOCKADDR_XDP_LENGTH) == 0 ? 0 : LibC.errno();
    }

    private DeviceException fail(final String call, final int errno)
    {
        if (errno == LibC.EPERM || errno == LibC.EACCES)
        {
            return new InsufficientPrivilegesException(call + " needs CAP_NET_RAW/CAP_NET_ADMIN: " + LibC.describe(errno));
        }
        return new DeviceException(call + " failed on the AF_XDP socket for '" + interfaceName + "': " +
            LibC.describe(errno));
    }

    int fd()
    {
        return fd;
    }

    XskRing fill()
    {
        return fill;
    }

    XskRing completion()
    {
        return completion;
    }

    XskRing rx()
    {
        return rx;
    }

    XskRing tx()
    {
        return tx;
    }

    /** @return true if the socket is bound with XDP_USE_SG (a frame may span several descriptors). */
    boolean multiBuffer()
    {
        return multiBuffer;
    }

    /**
     * Reads XDP_STATISTICS (cumulative since bind) into {@code into}: rx_dropped, rx_invalid_descs,
     * tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs, tx_ring_empty_descs.
     *
     * @param into six counters.
     * @return false if the call failed (the array is unchanged).
     */
    boolean statistics(final long[] into)
    {
        UnsafeApi.putInt(scratch + STATISTICS_LENGTH, STATISTICS_LENGTH);
        if (C.getsockopt(fd, SOL_XDP, XDP_STATISTICS, scratch, scratch + STATISTICS_LENGTH) != 0)
        {
            return false;
        }
        for (int i = 0; i < 6; i++)
        {
            into[i] = UnsafeApi.getLong(scratch + 8L * i);
        }
        return true;
    }

    /** Unmaps the rings and closes the socket; the kernel then unpins the UMEM. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < mappings.length; i++)
        {
            if (mappings[i] != 0)
            {
                C.munmap(mappings[i], mappingLengths[i]);
                mappings[i] = 0;
            }
        }
        C.close(fd);
        UnsafeApi.freeMemory(scratch);
    }
}
