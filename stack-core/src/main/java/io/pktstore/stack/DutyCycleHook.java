package io.pktstore.stack;

/**
 * Work an application does once per duty cycle of a {@link NetworkStack}, after the cycle's input
 * was dispatched and before the transports' poll and the TX flush: everything received in the cycle
 * has been handed up, nothing queued so far has left. A store commits there, once for every request
 * of the cycle (group commit), then releases the replies, which leave in the same cycle's flush.
 * Runs on the stack's thread; must not block. Pass a long-lived object, not a lambda per call.
 */
@FunctionalInterface
public interface DutyCycleHook
{
    /**
     * @param nowNs the duty cycle's clock.
     * @return work done (0 = nothing, so an idle strategy may back off).
     */
    int afterInput(long nowNs);
}
