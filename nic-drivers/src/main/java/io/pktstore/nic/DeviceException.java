package io.pktstore.nic;

/** Base of the typed errors a device raises when it cannot be opened or used; the message names the cause. */
public class DeviceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** @param message what failed and why. */
    public DeviceException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed and why.
     * @param cause the underlying error.
     */
    public DeviceException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
