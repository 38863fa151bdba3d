package io.pktstore.stack;

import io.pktstore.nic.FrameDevice;
import org.agrona.concurrent.IdleStrategy;

/**
 * Idles by waiting on the device: after a short spin (so a request/response exchange can keep the thread
 * awake between messages), the agent's thread blocks in {@link FrameDevice#awaitReadable} (for AF_PACKET:
 * poll() on the socket), so it wakes as soon as a frame arrives yet uses no CPU while the link is quiet.
 * With a {@link WaitLimit} (the stack's {@link NetworkStack#quietWaitNs}) the block lasts until the stack's
 * next timer, at most {@code maxWaitNs}, as a kernel server sleeps in epoll until its next timer; without
 * one it lasts {@code maxWaitNs} and timers fire up to that late. Must be used on the thread that owns the
 * device (the agent's).
 * <p>
 * The spin is best bounded in time ({@link #DeviceWaitIdleStrategy(FrameDevice, long, long)}): a thread
 * that burns CPU between messages (spins, or yields: under Linux's EEVDF scheduler sched_yield gives its
 * turn away and spends its lag) is the one that waits longest for a core the next time it wakes on a
 * shared machine, while a thread that sleeps is woken ahead of CPU-bound work, as a kernel server blocked
 * in epoll is.
 */
public final class DeviceWaitIdleStrategy implements IdleStrategy
{
    /** How long the agent may block before it needs a duty cycle without input. */
    @FunctionalInterface
    public interface WaitLimit
    {
        /**
         * @param maxNs the longest block wanted.
         * @return the block in ns, 0..maxNs (0: look at the device once and return).
         */
        long waitNs(long maxNs);
    }

    /** No timers of its own: always block for the whole {@code maxWaitNs}. */
    private static final WaitLimit FIXED = maxNs -> maxNs;

    private final FrameDevice device;
    private final WaitLimit limit;
    private final int spins;
    private final int yields;
    private final long maxWaitNs;
    private final long spinNs;
    private int idleCycles;
    private long idleSinceNs;

    /**
     * @param device the stack's device.
     * @param spins idle cycles spent spinning before yielding, &gt;= 0.
     * @param yields idle cycles spent yielding before blocking, &gt;= 0.
     * @param maxWaitNs the longest block, &gt; 0 (timers are late by at most this).
     */
    public DeviceWaitIdleStrategy(final FrameDevice device, final int spins, final int yields, final long maxWaitNs)
    {
        if (device == null || spins < 0 || yields < 0 || maxWaitNs <= 0)
        {
            throw new IllegalArgumentException("DeviceWaitIdleStrategy needs a device, spins >= 0, yields >= 0 and " +
                "maxWaitNs > 0, was " + device + ", " + spins + ", " + yields + ", " + maxWaitNs);
        }
        this.device = device;
        this.limit = FIXED;
        this.spins = spins;
        this.yields = yields;
        this.maxWaitNs = maxWaitNs;
        this.spinNs = -1;
    }

    /**
     * Spins for at most {@code spinNs} after the last work, then blocks; never yields.
     *
     * @param device    the stack's device.
     * @param spinNs    how long to spin before blocking, &gt;= 0 (0: block at once).
     * @param maxWaitNs the longest block, &gt; 0 (timers are late by at most this).
     */
    public DeviceWaitIdleStrategy(final FrameDevice device, final long spinNs, final long maxWaitNs)
    {
        this(device, spinNs, maxWaitNs, FIXED);
    }

    /**
     * Spins for at most {@code spinNs} after the last work, then blocks until the limit says; never yields.
     *
     * @param device    the stack's device.
     * @param spinNs    how long to spin before blocking, &gt;= 0 (0: block at once).
     * @param maxWaitNs the longest block, &gt; 0.
     * @param limit     how long the agent may block, e.g. {@code stack::quietWaitNs}.
     */
    public DeviceWaitIdleStrategy(final FrameDevice device, final long spinNs, final long maxWaitNs,
        final WaitLimit limit)
    {
        if (device == null || limit == null || spinNs < 0 || maxWaitNs <= 0)
        {
            throw new IllegalArgumentException("DeviceWaitIdleStrategy needs a device, a wait limit, spinNs >= 0 and " +
                "maxWaitNs > 0, was " + device + ", " + limit + ", " + spinNs + ", " + maxWaitNs);
        }
        this.device = device;
        this.limit = limit;
        this.spins = 0;
        this.yields = 0;
        this.maxWaitNs = maxWaitNs;
        this.spinNs = spinNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            idleCycles = 0;
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spinNs >= 0)
        {
            idleByTime();
            return;
        }
        if (idleCycles < spins)
        {
            idleCycles++;
            Thread.onSpinWait();
        }
        else if (idleCycles < spins + yields)
        {
            idleCycles++;
            Thread.yield();
        }
        else
        {
            device.awaitReadable(limit.waitNs(maxWaitNs));
        }
    }

    private void idleByTime()
    {
        if (idleCycles == 0 && spinNs > 0)
        {
            idleSinceNs = System.nanoTime();
        }
        if (idleCycles < Integer.MAX_VALUE)
        {
            idleCycles++;
        }
        if (spinNs > 0 && System.nanoTime() - idleSinceNs < spinNs)
        {
            Thread.onSpinWait();
        }
        else
        {
            device.awaitReadable(limit.waitNs(maxWaitNs));
        }
    }

    @Override
    public void reset()
    {
        idleCycles = 0;
    }

    @Override
    public String alias()
    {
        return "device-wait";
    }
}
