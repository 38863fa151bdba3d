package io.pktstore.stack.wire;

/**
 * MAC addresses as {@code long}s: the 48 bits in the low bits, first octet most significant
 * (02:00:00:00:00:01 = 0x0200_0000_0001L), so they fit primitive fields and maps.
 */
public final class MacAddress
{
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** 00:00:00:00:00:00 (unknown, as in an ARP request's target). */
    public static final long ZERO = 0L;

    private MacAddress()
    {
    }

    /**
     * @param mac a MAC as a long.
     * @return true for group (multicast or broadcast) addresses: the I/G bit of the first octet.
     */
    public static boolean isMulticast(final long mac)
    {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /**
     * @param text "aa:bb:cc:dd:ee:ff" (':' or '-' separated, hex).
     * @return the MAC as a long.
     * @throws IllegalArgumentException naming the input if it is not a MAC address.
     */
    public static long parse(final String text)
    {
        final String[] parts = text.trim().split("[:-]");
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address (need 6 hex octets): '" + text + "'");
        }
        long mac = 0;
        for (final String part : parts)
        {
            final int octet;
            try
            {
                octet = Integer.parseInt(part, 16);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + part + "'): '" + text + "'");
            }
            if (part.isEmpty() || part.length() > 2 || octet < 0 || octet > 255)
            {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + part + "'): '" + text + "'");
            }
            mac = (mac << 8) | octet;
        }
        return mac;
    }

    /**
     * @param mac a MAC as a long.
     * @return "aa:bb:cc:dd:ee:ff".
     */
    public static String toString(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
