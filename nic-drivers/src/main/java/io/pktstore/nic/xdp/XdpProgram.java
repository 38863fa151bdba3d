package io.pktstore.nic.xdp;

import java.nio.file.Path;

import io.pktstore.nic.DeviceException;
import io.pktstore.nic.InsufficientPrivilegesException;
import io.pktstore.nic.internal.LibC;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.xdp.LibBpf.BPF;

/**
 * The XDP program that hands an interface's frames to our socket: libxdp's default AF_XDP program
 * ({@code xsk_def_prog}: {@code bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS)}),
 * loaded with libbpf and attached through a BPF link. A link, not the netlink attach libxdp itself
 * uses, because the kernel detaches a link's program when its last descriptor closes: when the
 * device closes, and also when the process dies without closing it, so no crash leaves the
 * interface's traffic redirected to a socket that is gone.
 *
 * <p>Life cycle: {@link #load}, {@link #insertSocket}, {@link #attach}; {@link #close} detaches and
 * unloads, whatever step was reached.
 */
final class XdpProgram implements AutoCloseable
{
    private static final String PROGRAM = "xsk_def_prog";
    private static final String MAP = "xsks_map";
    /** bpf_prog_info: type u32@0, id u32@4 (the kernel fills as many bytes as we ask for). */
    private static final int PROG_INFO_LENGTH = 8;
    /** bpf_link_create_opts: sz (size_t)@0, flags u32@8; libbpf accepts a shorter sz than its own. */
    private static final int LINK_OPTS_LENGTH = 16;

    private final String interfaceName;
    private final long object;
    private final int programFd;
    private final int mapFd;
    private final int programId;
    private int linkFd = -1;
    private boolean closed;

    private XdpProgram(final String interfaceName, final long object, final int programFd, final int mapFd,
        final int programId)
    {
        this.interfaceName = interfaceName;
        this.object = object;
        this.programFd = programFd;
        this.mapFd = mapFd;
        this.programId = programId;
    }

    /**
     * Opens the object file and loads its program and map into the kernel (nothing attached yet).
     *
     * @param objectFile libxdp's xsk_def_xdp_prog.o or one with the same names.
     * @param interfaceName for messages.
     * @return the loaded program.
     */
    static XdpProgram load(final Path objectFile, final String interfaceName)
    {
        final long object = BPF.bpf_object__open_file(objectFile.toString(), 0L);
        if (object == 0)
        {
            throw new DeviceException("libbpf could not open the XDP program " + objectFile + ": " +
                LibC.describe(LibBpf.errno()));
        }
        try
        {
            final int loaded = BPF.bpf_object__load(object);
            if (loaded != 0)
            {
                final int errno = -loaded;
                if (errno == LibC.EPERM || errno == LibC.EACCES)
                {
                    throw new InsufficientPrivilegesException("loading an XDP program needs CAP_BPF and " +
                        "CAP_NET_ADMIN (bpf_object__load " + objectFile + ": " + LibC.describe(errno) + ")");
                }
                throw new DeviceException("the kernel refused to load the XDP program " + objectFile + ": " +
                    LibC.describe(errno));
            }
            final long program = BPF.bpf_object__find_program_by_name(object, PROGRAM);
            final int mapFd = BPF.bpf_object__find_map_fd_by_name(object, MAP);
            if (program == 0 || mapFd < 0)
            {
                throw new DeviceException(objectFile + " has no program '" + PROGRAM + "' or no map '" + MAP +
                    "': not libxdp's default AF_XDP program");
            }
            final int programFd = BPF.bpf_program__fd(program);
            return new XdpProgram(interfaceName, object, programFd, mapFd, programId(programFd));
        }
        catch (final RuntimeException ex)
        {
            BPF.bpf_object__close(object);
            throw ex;
        }
    }

    private static int programId(final int programFd)
    {
        final long info = UnsafeApi.allocateMemory(PROG_INFO_LENGTH + 4);
        try
        {
            UnsafeApi.setMemory(info, PROG_INFO_LENGTH, (byte)0);
            UnsafeApi.putInt(info + PROG_INFO_LENGTH, PROG_INFO_LENGTH);
            final int r = BPF.bpf_obj_get_info_by_fd(programFd, info, info + PROG_INFO_LENGTH);
            return r == 0 ? UnsafeApi.getInt(info + 4) : -1;
        }
        finally
        {
            UnsafeApi.freeMemory(info);
        }
    }

    /** @return the kernel's id of the loaded program (as `bpftool prog show` and `ip link` print it). */
    int programId()
    {
        return programId;
    }

    /** @return true while the program is attached to the interface. */
    boolean attached()
    {
        return linkFd >= 0;
    }

    /**
     * Points the program's map entry for {@code queueId} at the socket: from then on that queue's
     * frames go to it (before, they pass to the kernel's stack).
     *
     * @param queueId the RX queue.
     * @param socketFd the bound AF_XDP socket.
     */
    void insertSocket(final int queueId, final int socketFd)
    {
        final long kv = UnsafeApi.allocateMemory(8);
        try
        {
            UnsafeApi.putInt(kv, queueId);
            UnsafeApi.putInt(kv + 4, socketFd);
            final int r = BPF.bpf_map_update_elem(mapFd, kv, kv + 4, 0L);
            if (r != 0)
            {
                throw new DeviceException("could not put the AF_XDP socket of '" + interfaceName + "' queue " + queueId +
                    " into the program's XSKMAP: " + LibC.describe(-r));
            }
        }
        finally
        {
            UnsafeApi.freeMemory(kv);
        }
    }

    /**
     * Attaches the program to the interface through a BPF link.
     *
     * @param ifIndex the interface.
     * @param attach driver or skb mode.
     */
    void attach(final int ifIndex, final XdpAttach attach)
    {
        final long opts = UnsafeApi.allocateMemory(LINK_OPTS_LENGTH);
        try
        {
            UnsafeApi.setMemory(opts, LINK_OPTS_LENGTH, (byte)0);
            UnsafeApi.putLong(opts, LINK_OPTS_LENGTH);
            UnsafeApi.putInt(opts + 8, attach.linkFlags());
            final int fd = BPF.bpf_link_create(programFd, ifIndex, XdpAbi.BPF_XDP, opts);
            if (fd < 0)
            {
                throw attachFailure(-fd, attach);
            }
            linkFd = fd;
        }
        finally
        {
            UnsafeApi.freeMemory(opts);
        }
    }

    private DeviceException attachFailure(final int errno, final XdpAttach attach)
    {
        final String call = "attaching the XDP program to '" + interfaceName + "' (" + attach + " mode): " +
            LibC.describe(errno);
        if (errno == LibC.EBUSY || errno == LibC.EEXIST)
        {
            return new DeviceException(call + ". The interface already has an XDP program attached (see `ip link show " +
                "dev " + interfaceName + "`, `bpftool net show dev " + interfaceName + "`): remove it (`ip link set dev " +
                interfaceName + " xdp off`, or stop the program that owns it) or use --driver AFPACKET_V2");
        }
        if (attach == XdpAttach.DRIVER && (errno == LibC.EOPNOTSUPP || errno == LibC.EINVAL))
        {
            return new DeviceException(call + ". The interface's driver has no native XDP: attach in SKB (generic) " +
                "mode instead, or use --driver AFPACKET_V2");
        }
        if (errno == LibC.EPERM || errno == LibC.EACCES)
        {
            return new InsufficientPrivilegesException(call + " needs CAP_NET_ADMIN and CAP_BPF");
        }
        return new DeviceException(call);
    }

    /** Detaches (closing the link) and unloads the program and its map. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (linkFd >= 0)
        {
            LibC.C.close(linkFd);
            linkFd = -1;
        }
        BPF.bpf_object__close(object);
    }
}
