package io.pktstore.kv.bench;

/**
 * What the load generator sends at one point: the knobs of a run (the paper drove wrk the same way).
 *
 * @param protocol      RESP or HTTP.
 * @param valueBytes    size of every value, bytes.
 * @param keyCount      keys drawn from (uniformly, seeded): key:000000000000 .. key:(keyCount-1).
 * @param writePercent  PUTs out of every 100 requests; the rest are GETs (keys are stored first then).
 * @param warmupRequests requests sent and not measured before the measured ones (over all connections).
 * @param requests      measured requests (over all connections).
 * @param timeLimitMs   a point stops after this long even if its count is not reached (reported as cut short).
 * @param seed          seed of the key and operation choices.
 */
public record Workload(Protocol protocol, int valueBytes, int keyCount, int writePercent, long warmupRequests,
                       long requests, long timeLimitMs, long seed)
{
    /** Digits of a key's number: every key has the same length, so every PUT request does. */
    static final int KEY_DIGITS = 12;
    /** "key:" and the digits. */
    static final int KEY_BYTES = 4 + KEY_DIGITS;

    /** Checks the values. */
    public Workload
    {
        if (valueBytes < 0 || valueBytes > 64 << 20)
        {
            throw new IllegalArgumentException("value size must be 0..64 MiB, got " + valueBytes);
        }
        if (keyCount < 1)
        {
            throw new IllegalArgumentException("at least one key, got " + keyCount);
        }
        if (writePercent < 0 || writePercent > 100)
        {
            throw new IllegalArgumentException("write percent must be 0..100, got " + writePercent);
        }
        if (warmupRequests < 0 || requests < 1 || timeLimitMs < 1)
        {
            throw new IllegalArgumentException("warm-up >= 0, requests >= 1 and a time limit >= 1 ms");
        }
    }

    /** @return true if GETs are part of the mix (then every key is stored before the first point). */
    public boolean reads()
    {
        return writePercent < 100;
    }
}
