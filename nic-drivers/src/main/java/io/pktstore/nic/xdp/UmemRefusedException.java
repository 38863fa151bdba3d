package io.pktstore.nic.xdp;

import io.pktstore.nic.DeviceException;

/**
 * The kernel refused a combination AF_XDP needs (memory it will not pin for the long term, zero-copy
 * on a driver without it). The message names the cause and the alternative.
 */
public final class UmemRefusedException extends DeviceException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message cause and alternative.
     */
    public UmemRefusedException(final String message)
    {
        super(message);
    }
}
