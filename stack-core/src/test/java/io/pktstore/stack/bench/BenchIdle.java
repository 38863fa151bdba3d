package io.pktstore.stack.bench;

import io.pktstore.stack.DeviceWaitIdleStrategy;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Function;

/**
 * A stack idle strategy named on a benchmark's command line: a {@link StackConfig.IdleMode} name, or
 * {@code WAIT:spins:yields:maxWaitUs} or {@code SPIN:spinUs:maxWaitUs} for a {@link DeviceWaitIdleStrategy}
 * with those settings.
 */
final class BenchIdle
{
    private BenchIdle()
    {
    }

    static Function<NetworkStack, IdleStrategy> parse(final String spec)
    {
        if (spec.startsWith("SPIN:"))
        {
            final String[] p = spec.split(":");
            return stack -> new DeviceWaitIdleStrategy(stack.device(), Long.parseLong(p[1]) * 1000L, Long.parseLong(p[2]) * 1000L,
                stack::quietWaitNs);
        }
        if (spec.startsWith("WAIT:"))
        {
            final String[] p = spec.split(":");
            return stack -> new DeviceWaitIdleStrategy(stack.device(), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                Long.parseLong(p[3]) * 1000L);
        }
        return StackConfig.IdleMode.valueOf(spec)::newIdleStrategy;
    }
}
