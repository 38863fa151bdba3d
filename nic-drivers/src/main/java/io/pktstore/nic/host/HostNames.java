package io.pktstore.nic.host;

import java.security.SecureRandom;

/**
 * Unique names for test hosts: {@value #PREFIX} + 8 random lowercase hex characters + a one-letter
 * role, e.g. {@code pks1f3a9c07n} (namespace), {@code pks1f3a9c07s} (stack end), {@code pks1f3a9c07p}
 * (peer end); at most 12 characters, within the 15 allowed for interface names. Names are meant to
 * differ between runs, so they come from a SecureRandom, not the seeded generators of the data path.
 */
public final class HostNames
{
    /** Every namespace and interface this harness creates starts with this. */
    public static final String PREFIX = "pks";
    private static final SecureRandom RANDOM = new SecureRandom();

    private HostNames()
    {
    }

    /** @return a fresh random stem: prefix + 8 hex characters. */
    public static String newStem()
    {
        return PREFIX + String.format("%08x", RANDOM.nextInt());
    }
}
