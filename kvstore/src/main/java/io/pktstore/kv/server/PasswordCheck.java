package io.pktstore.kv.server;

import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/**
 * Compares a password a client sent (RESP AUTH, an HTTP bearer token) with the configured one in time
 * independent of where they differ.
 */
public final class PasswordCheck
{
    private PasswordCheck()
    {
    }

    /** @return true if argument i holds exactly {@code password}'s UTF-8 bytes. */
    public static boolean matches(final Arguments args, final int i, final String password)
    {
        final long length = args.length(i);
        final long address = length <= 4096 ? args.address(i, 4096) : 0;
        return matches(address, length, password.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param address the bytes sent (0: none could be read, never matches).
     * @param length how many.
     * @param expected the password's bytes.
     * @return true if the bytes equal {@code expected}.
     */
    public static boolean matches(final long address, final long length, final byte[] expected)
    {
        int diff = length == expected.length && address != 0 ? 0 : 1;
        for (int k = 0; k < expected.length; k++)
        {
            final int b = address != 0 && k < length ? UnsafeApi.getByte(address + k) : 0;
            diff |= b ^ expected[k];
        }
        return diff == 0;
    }
}
