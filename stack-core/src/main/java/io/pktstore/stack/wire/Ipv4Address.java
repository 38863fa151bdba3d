package io.pktstore.stack.wire;

/**
 * IPv4 addresses as host {@code int}s (198.18.0.1 = 0xC6120001), as they appear big-endian on the wire.
 */
public final class Ipv4Address
{
    /** 0.0.0.0. */
    public static final int ANY = 0;
    /** 255.255.255.255. */
    public static final int LIMITED_BROADCAST = 0xFFFF_FFFF;

    private Ipv4Address()
    {
    }

    /**
     * @param text dotted quad, e.g. "198.18.0.1".
     * @return the address as a host int.
     * @throws IllegalArgumentException naming the input if it is not a dotted quad.
     */
    public static int parse(final String text)
    {
        final String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address (need 4 dotted decimals): '" + text + "'");
        }
        int ip = 0;
        for (final String part : parts)
        {
            final int octet;
            try
            {
                octet = Integer.parseInt(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not an IPv4 address (bad octet '" + part + "'): '" + text + "'");
            }
            if (octet < 0 || octet > 255 || part.length() > 3 || part.startsWith("+"))
            {
                throw new IllegalArgumentException("not an IPv4 address (bad octet '" + part + "'): '" + text + "'");
            }
            ip = (ip << 8) | octet;
        }
        return ip;
    }

    /**
     * @param ip address as a host int.
     * @return its dotted quad.
     */
    public static String toString(final int ip)
    {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    /**
     * @param prefixLength 0..32.
     * @return the netmask as a host int (24 = 0xFFFFFF00).
     */
    public static int netmask(final int prefixLength)
    {
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length must be 0..32, was " + prefixLength);
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /**
     * @param ip an address.
     * @return true if it can never be a unicast source: 0.0.0.0/8, 127/8 loopback, 224/4 multicast,
     *         240/4 reserved and the limited broadcast.
     */
    public static boolean isMartianSource(final int ip)
    {
        final int first = ip >>> 24;
        return first == 0 || first == 127 || first >= 224;
    }
}
