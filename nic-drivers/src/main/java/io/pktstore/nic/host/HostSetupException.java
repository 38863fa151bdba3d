package io.pktstore.nic.host;

/** A host operation (ip, ethtool, nft, setns, ...) failed; the message names the command and its error output. */
public final class HostSetupException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** @param message what failed and why. */
    public HostSetupException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed and why.
     * @param cause underlying error.
     */
    public HostSetupException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
