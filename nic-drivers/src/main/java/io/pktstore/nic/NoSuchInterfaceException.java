package io.pktstore.nic;

/** The named network interface does not exist (in the calling thread's network namespace). */
public final class NoSuchInterfaceException extends DeviceException
{
    private static final long serialVersionUID = 1L;

    /** @param message names the interface and the failing call, e.g. "no network interface 'pksX' (if_nametoindex: ENODEV)". */
    public NoSuchInterfaceException(final String message)
    {
        super(message);
    }
}
