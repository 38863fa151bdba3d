package io.pktstore.stack.ip;

/**
 * A transport protocol (TCP, UDP, ...) registered with the stack for one IP protocol number.
 * Every method runs on the stack's thread, inside its duty cycle, and must not block or allocate.
 */
public interface TransportHandler
{
    /**
     * Delivers a validated IPv4 datagram addressed to us. For TCP its checksum has already been
     * established ({@link ReceivedDatagram#checksumState()}); segments whose checksum failed never
     * arrive here.
     *
     * @param d the datagram; a reusable holder valid only during this call.
     * @param nowNs the duty cycle's clock.
     * @return true if the transport took ownership of the buffer's reference (e.g. adopted it into a
     *         packet record); false if the stack keeps the buffer and reuses it for reception.
     */
    boolean onDatagram(ReceivedDatagram d, long nowNs);

    /**
     * Called once per duty cycle after received frames were dispatched: fire timers, send what is
     * queued.
     *
     * @param nowNs the duty cycle's clock.
     * @return the amount of work done (0 when idle), summed into the agent's work count.
     */
    int poll(long nowNs);

    /**
     * When the stack may wait for input: the latest time this transport needs a duty cycle even if
     * nothing arrives (its earliest timer). An earlier time is allowed (the stack then wakes for
     * nothing), a later one is not (a timer would fire late).
     *
     * @param nowNs the duty cycle's clock.
     * @return a time on that clock, or {@link Long#MAX_VALUE} if nothing is due without input.
     */
    default long nextWakeNs(final long nowNs)
    {
        return Long.MAX_VALUE;
    }

    /**
     * The duty cycle found no work and the stack is about to wait for input: the moment to publish
     * what other threads read (counters), so that they see the state the stack rests in.
     */
    default void onQuiet()
    {
    }
}
