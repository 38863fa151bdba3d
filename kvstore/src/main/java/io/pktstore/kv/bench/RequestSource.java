package io.pktstore.kv.bench;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Writes the next request of a workload into a connection's output buffer: PUT or GET by the seeded
 * mix, a uniformly drawn key. Requests are templates made once; only the key's digits change, so a
 * request costs the generator a copy and twelve byte stores.
 */
final class RequestSource
{
    private final byte[] putTemplate;
    private final byte[] getTemplate;
    private final int putKeyAt;
    private final int getKeyAt;
    private final Workload workload;
    private final SplittableRandom random;
    private long nextSequentialKey;

    /**
     * @param workload the mix and sizes.
     * @param host the server's address (HTTP's Host header).
     * @param stream the generator's stream number (each connection group draws its own keys).
     */
    RequestSource(final Workload workload, final String host, final long stream)
    {
        this.workload = workload;
        final byte[] marker = keyBytes(0);
        final byte[] value = new byte[workload.valueBytes()];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)('a' + i % 26);   // printable, so captures and redis-cli show it plainly
        }
        putTemplate = workload.protocol().put(marker, value, host);
        getTemplate = workload.protocol().get(marker, host);
        putKeyAt = indexOf(putTemplate, marker);
        getKeyAt = indexOf(getTemplate, marker);
        random = new SplittableRandom(workload.seed() * 31 + stream);
    }

    /** @return the longest request this source writes, bytes. */
    int maxRequestBytes()
    {
        return Math.max(putTemplate.length, getTemplate.length);
    }

    /** Writes a request of the mix for a random key into {@code out} (cleared first, flipped after). */
    void nextRequest(final ByteBuffer out)
    {
        final boolean put = workload.writePercent() == 100 || random.nextInt(100) < workload.writePercent();
        write(out, put, random.nextInt(workload.keyCount()));
    }

    /** Writes a PUT of the next key in order (storing every key before a mix with reads). */
    void nextPreloadRequest(final ByteBuffer out)
    {
        write(out, true, nextSequentialKey++ % workload.keyCount());
    }

    private void write(final ByteBuffer out, final boolean put, final long key)
    {
        final byte[] template = put ? putTemplate : getTemplate;
        final int keyAt = (put ? putKeyAt : getKeyAt) + 4;
        out.clear();
        out.put(template);
        long n = key;
        for (int i = Workload.KEY_DIGITS - 1; i >= 0; i--)
        {
            out.put(keyAt + i, (byte)('0' + n % 10));
            n /= 10;
        }
        out.flip();
    }

    /** @return the key of number {@code n}: "key:" and twelve digits. */
    static byte[] keyBytes(final long n)
    {
        return Protocol.ascii(String.format("key:%0" + Workload.KEY_DIGITS + "d", n));
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("the key is not in the request template");
    }
}
