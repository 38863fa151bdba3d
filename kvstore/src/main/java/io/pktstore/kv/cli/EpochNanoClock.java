package io.pktstore.kv.cli;

import org.agrona.concurrent.NanoClock;

import java.time.Instant;

/**
 * The monotonic clock, shifted once at creation so that it reads nanoseconds since the epoch. A node
 * that records (--record) runs its stack on it: the capture's stamps are then the very values the
 * stack computed with (TCP timestamps, ISNs, timers), and a replay on the capture's clock sees the
 * same ones. Monotonic, unlike the wall clock: a step of the system time does not move it.
 */
final class EpochNanoClock implements NanoClock
{
    private final long offsetNs;

    EpochNanoClock()
    {
        final Instant now = Instant.now();
        offsetNs = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    @Override
    public long nanoTime()
    {
        return System.nanoTime() + offsetNs;
    }
}
