package io.pktstore.stack;

import java.util.concurrent.locks.StampedLock;

/**
 * Counters readable from any thread while the stack runs. The stack's thread writes its counters as plain
 * fields (no atomics on the hot path) and now and then {@link #publish}es a copy; other threads
 * {@link #read} the last copy, consistent as a whole (one moment of the stack, never half of one cycle).
 * <p>
 * The writer never blocks: if a reader holds the copy at that instant, this publication is skipped and
 * the next one carries the values. Readers retry an optimistic read and fall back to a short read lock.
 * Nothing is allocated on either side.
 *
 * @param <T> the counters type.
 */
public final class CounterSnapshot<T>
{
    /** Copies one counters object into another of the same type. */
    @FunctionalInterface
    public interface Copier<T>
    {
        /**
         * @param from source.
         * @param into destination; every counter is overwritten.
         */
        void copy(T from, T into);
    }

    private final T snapshot;
    private final Copier<T> copier;
    private final StampedLock lock = new StampedLock();
    private final long intervalNs;
    private long nextPublishNs = Long.MIN_VALUE;
    /** The live counters moved since the last publication. */
    private boolean changed;

    /**
     * @param snapshot   an object holding the published values (owned by this class from now on).
     * @param copier     copies all counters, e.g. {@code TcpCounters::copy}.
     * @param intervalNs publish at most this often ({@link #publishIfDue}).
     */
    public CounterSnapshot(final T snapshot, final Copier<T> copier, final long intervalNs)
    {
        this.snapshot = snapshot;
        this.copier = copier;
        this.intervalNs = intervalNs;
    }

    /** On the stack's thread: the live counters moved (see {@link #publishIfChanged}). */
    public void changed()
    {
        changed = true;
    }

    /** On the stack's thread: publishes {@code live} if the interval passed since the last publication. */
    public void publishIfDue(final T live, final long nowNs)
    {
        if (nowNs >= nextPublishNs && publish(live))
        {
            nextPublishNs = nowNs + intervalNs;
        }
    }

    /**
     * On the stack's thread, when it is about to wait for input: publishes {@code live} if it moved since the
     * last publication, so that readers see the state the stack rests in rather than one up to an interval
     * old.
     */
    public void publishIfChanged(final T live)
    {
        if (changed)
        {
            publish(live);
        }
    }

    /**
     * On the stack's thread: publishes {@code live} now.
     *
     * @return false if a reader held the snapshot (nothing published; try again later).
     */
    public boolean publish(final T live)
    {
        final long stamp = lock.tryWriteLock();
        if (stamp == 0)
        {
            return false;
        }
        try
        {
            copier.copy(live, snapshot);
            changed = false;
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
        return true;
    }

    /**
     * From any thread: copies the last published values into {@code into}.
     *
     * @param into the caller's counters object.
     */
    public void read(final T into)
    {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0)
        {
            copier.copy(snapshot, into);
            if (lock.validate(stamp))
            {
                return;
            }
        }
        stamp = lock.readLock();
        try
        {
            copier.copy(snapshot, into);
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }
}
