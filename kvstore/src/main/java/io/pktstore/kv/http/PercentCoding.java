package io.pktstore.kv.http;

import org.agrona.UnsafeApi;

/**
 * Percent-encoding of URI components (RFC 3986 2.1): keys in paths and query values are decoded, keys
 * in scan bodies and headers are encoded. Every byte outside the unreserved set
 * ({@code A-Z a-z 0-9 - . _ ~}) is encoded as {@code %XX} (upper-case hex), so any binary key
 * round-trips. {@code +} is a plain byte, not a space. Allocation-free, off-heap.
 */
public final class PercentCoding
{
    /** {@link #decodeInPlace} found a {@code %} not followed by two hex digits. */
    public static final int BAD_ESCAPE = -1;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private PercentCoding()
    {
    }

    /**
     * Decodes {@code length} bytes at {@code address} in place (the result is never longer).
     *
     * @return the decoded length, or {@link #BAD_ESCAPE}.
     */
    public static int decodeInPlace(final long address, final int length)
    {
        int out = 0;
        for (int i = 0; i < length; i++)
        {
            final byte b = UnsafeApi.getByte(address + i);
            if (b == '%')
            {
                if (i + 2 >= length)
                {
                    return BAD_ESCAPE;
                }
                final int hi = hex(UnsafeApi.getByte(address + i + 1));
                final int lo = hex(UnsafeApi.getByte(address + i + 2));
                if (hi < 0 || lo < 0)
                {
                    return BAD_ESCAPE;
                }
                UnsafeApi.putByte(address + out++, (byte)(hi << 4 | lo));
                i += 2;
            }
            else
            {
                UnsafeApi.putByte(address + out++, b);
            }
        }
        return out;
    }

    /** @return true if no byte of the range is a {@code %} (the range is its own decoding). */
    public static boolean plain(final long address, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (UnsafeApi.getByte(address + i) == '%')
            {
                return false;
            }
        }
        return true;
    }

    /** @return the length of the encoding of {@code length} bytes at {@code address}. */
    public static int encodedLength(final long address, final int length)
    {
        int n = 0;
        for (int i = 0; i < length; i++)
        {
            n += unreserved(UnsafeApi.getByte(address + i)) ? 1 : 3;
        }
        return n;
    }

    /**
     * Encodes {@code length} bytes at {@code address} into {@code target} (room for
     * {@link #encodedLength} bytes).
     *
     * @return the encoded length.
     */
    public static int encode(final long address, final int length, final long target)
    {
        int out = 0;
        for (int i = 0; i < length; i++)
        {
            final byte b = UnsafeApi.getByte(address + i);
            if (unreserved(b))
            {
                UnsafeApi.putByte(target + out++, b);
            }
            else
            {
                UnsafeApi.putByte(target + out++, (byte)'%');
                UnsafeApi.putByte(target + out++, HEX[(b >> 4) & 0xF]);
                UnsafeApi.putByte(target + out++, HEX[b & 0xF]);
            }
        }
        return out;
    }

    private static boolean unreserved(final byte b)
    {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '.' || b == '_'
            || b == '~';
    }

    private static int hex(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }
}
