package io.pktstore.nic.internal;

import java.nio.charset.StandardCharsets;

import io.pktstore.nic.DeviceException;
import org.agrona.UnsafeApi;

import static io.pktstore.nic.internal.LibC.C;

/** Facts about a network interface that the drivers read when they open. */
public final class Interfaces
{
    private static final int IFREQ_LENGTH = 40;
    private static final int IFREQ_MTU_OFFSET = 16;

    private Interfaces()
    {
    }

    /**
     * Reads an interface's MTU with SIOCGIFMTU on a throw-away datagram socket (any socket of the
     * namespace answers it; an AF_XDP socket does not, its ioctl is not implemented).
     * <pre>
     *   ifreq (40 B): ifr_name[16]@0, ifr_mtu i32@16
     * </pre>
     *
     * @param name the interface, in the calling thread's network namespace.
     * @return its MTU in bytes.
     * @throws DeviceException naming errno if the socket or the ioctl fails.
     */
    public static int mtu(final String name)
    {
        final int fd = C.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0);
        if (fd < 0)
        {
            throw new DeviceException("socket(AF_INET, SOCK_DGRAM) to read the MTU of '" + name + "' failed: " +
                LibC.describe(LibC.errno()));
        }
        final long ifreq = UnsafeApi.allocateMemory(IFREQ_LENGTH);
        try
        {
            UnsafeApi.setMemory(ifreq, IFREQ_LENGTH, (byte)0);
            final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < bytes.length && i < 15; i++)
            {
                UnsafeApi.putByte(ifreq + i, bytes[i]);
            }
            if (C.ioctl(fd, LibC.SIOCGIFMTU, ifreq) != 0)
            {
                throw new DeviceException("ioctl(SIOCGIFMTU) on '" + name + "' failed: " + LibC.describe(LibC.errno()));
            }
            return UnsafeApi.getInt(ifreq + IFREQ_MTU_OFFSET);
        }
        finally
        {
            UnsafeApi.freeMemory(ifreq);
            C.close(fd);
        }
    }
}
