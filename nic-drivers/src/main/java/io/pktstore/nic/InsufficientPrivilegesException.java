package io.pktstore.nic;

/** The process lacks a capability the device needs (CAP_NET_RAW for packet sockets, CAP_NET_ADMIN, CAP_SYS_ADMIN for setns). */
public final class InsufficientPrivilegesException extends DeviceException
{
    private static final long serialVersionUID = 1L;

    /** @param message names the capability and the failing call. */
    public InsufficientPrivilegesException(final String message)
    {
        super(message);
    }
}
