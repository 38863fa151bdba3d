package io.pktstore.nic;

/**
 * Raw Ethernet frame I/O. A device knows frames and buffer addresses and nothing about TCP or
 * persistent memory: receive copies frames into buffers the caller supplies, transmit copies the
 * caller's frames (or gather lists) out. A device is owned by one thread; none of its methods are
 * thread-safe, and none of the data-path methods allocate.
 *
 * <p>Time is injected: {@code nowNs} is the caller's clock (the one the stack's timers use). Devices
 * that model time (fault injection, replay pacing) use it; devices whose timestamps come from the
 * kernel ignore it for timestamps.
 */
public interface FrameDevice extends AutoCloseable
{
    /** @return a human readable name, e.g. the interface name or "mem-a". */
    String name();

    /** @return what this device can do and what it reports; fixed after open. */
    DeviceCapabilities capabilities();

    /**
     * @return a live view of this device's counters (the same object every call; values change as the
     *         device works). Kernel-reported counters are refreshed by the call.
     */
    DeviceStatistics statistics();

    /**
     * Receives up to {@code burst.capacity()} frames into the buffers the caller placed in the burst's
     * slots; fills slots 0..n-1 and returns n. Never blocks. A frame longer than its slot's buffer is
     * dropped and counted ({@link DeviceStatistics#rxDropsOversize()}); nothing is ever written past
     * the caller's buffer. A device whose {@link DeviceCapabilities#receivesInPlace()} is true instead
     * sets each delivered slot's buffer to the {@link FrameBuffers} buffer the kernel wrote the frame
     * into and passes that buffer's reference to the caller; the caller's buffers are not touched.
     *
     * @param burst slots with caller buffers; on return slots 0..n-1 describe the frames received.
     * @param nowNs the caller's clock in ns.
     * @return the number of frames received, 0 when none was ready.
     */
    int receive(RxBurst burst, long nowNs);

    /**
     * Transmits frames 0..burst.frameCount()-1; returns how many were accepted (rest counted as
     * ring-full). Caller's buffers are reusable when it returns: the device either copied the frames,
     * or (AF_XDP) holds its own reference on each {@link FrameBuffers} buffer a frame points into
     * until the kernel has sent it; the caller must not rewrite those bytes meanwhile.
     *
     * @param burst the frames to send, each one or more gather segments.
     * @param nowNs the caller's clock in ns.
     * @return the number of leading frames accepted; frames after that were not sent.
     */
    int transmit(TxBurst burst, long nowNs);

    /**
     * Idle fallback: blocks up to {@code timeoutNs} until a frame may be readable.
     *
     * @param timeoutNs the longest wait in ns; 0 only checks.
     * @return true if a frame may be readable (a spurious true is allowed), false on timeout.
     */
    boolean awaitReadable(long timeoutNs);

    /** Releases the device's resources (rings, sockets, files). Idempotent. */
    @Override
    void close();
}
