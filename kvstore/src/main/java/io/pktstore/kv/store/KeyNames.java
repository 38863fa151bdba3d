package io.pktstore.kv.store;

import org.agrona.UnsafeApi;

/** Printable renderings of binary keys for reports and logs (not for the request path). */
public final class KeyNames
{
    /** Longest rendering before it is cut with "...". */
    public static final int MAX_BYTES_SHOWN = 64;

    private KeyNames()
    {
    }

    /**
     * @return the key in double quotes, printable ASCII as is, other bytes as \xHH (as redis-cli shows
     *         them), cut after {@link #MAX_BYTES_SHOWN} bytes.
     */
    public static String printable(final long address, final int length)
    {
        final StringBuilder sb = new StringBuilder(Math.min(length, MAX_BYTES_SHOWN) + 8).append('"');
        for (int i = 0; i < Math.min(length, MAX_BYTES_SHOWN); i++)
        {
            final int b = UnsafeApi.getByte(address + i) & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            {
                sb.append((char)b);
            }
            else
            {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (length > MAX_BYTES_SHOWN)
        {
            sb.append("...(").append(length).append(" bytes)");
        }
        return sb.append('"').toString();
    }
}
