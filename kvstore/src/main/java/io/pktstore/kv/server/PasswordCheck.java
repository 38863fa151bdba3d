package io.pktstore.kv.resp;

import io.pktstore.kv.server.Arguments;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/** Compares a password argument with the configured password in time independent of where they differ. */
final class PasswordCheck
{
    private PasswordCheck()
    {
    }

    /** @return true if argument i holds exactly {@code password}'s UTF-8 bytes. */
    static boolean matches(final Arguments args, final int i, final String password)
    {
        final byte[] expected = password.getBytes(StandardCharsets.UTF_8);
        final long length = args.length(i);
        final long address = length <= 4096 ? args.address(i, 4096) : 0;
        int diff = length == expected.length && address != 0 ? 0 : 1;
        for (int k = 0; k < expected.length; k++)
        {
            final int b = address != 0 && k < length ? UnsafeApi.getByte(address + k) : 0;
            diff |= b ^ expected[k];
        }
        return diff == 0;
    }
}
