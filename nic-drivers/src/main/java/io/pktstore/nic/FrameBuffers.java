package io.pktstore.nic;

/**
 * The memory a device shares with the kernel when it receives and transmits in place (AF_XDP's
 * UMEM): {@link #bufferCount()} equal buffers of {@link #bufferSize()} bytes, back to back from
 * {@link #firstBufferAddress()}, inside one mapping. The owner (the stack, over its arena's buffer
 * pool) counts references per buffer; the device takes buffers with {@link #allocate()} to lend to
 * the kernel, hands a received frame's buffer (and that reference) to the caller through the
 * {@link RxBurst}, and holds a reference ({@link #retain}) on every buffer a frame it is sending
 * points into until the kernel reports the send complete.
 *
 * <pre>
 *   regionAddress (page aligned)      firstBufferAddress
 *   |                                 |
 *   v                                 v
 *   +---- at least KERNEL_HEADROOM ---+----------+----------+-- ... --+----------+
 *   | owner's bytes, never written    | buffer 0 | buffer 1 |         | buffer   |
 *   | by the kernel (see docs/af-xdp) |          |          |         | count-1  |
 *   +---------------------------------+----------+----------+-- ... --+----------+
 *   |<------------------------------ regionLength --------------------------->|
 * </pre>
 *
 * Called only from the thread that owns the device (and the stack): no method is thread-safe.
 */
public interface FrameBuffers
{
    /**
     * Bytes the kernel keeps in front of every frame it writes (XDP_PACKET_HEADROOM): the region must
     * start at least this far before buffer 0 (the device lends the kernel each buffer as a chunk
     * starting this far before it, so the frame lands at the buffer's first byte).
     */
    int KERNEL_HEADROOM = 256;

    /** @return the page-aligned start of the region to register, at least {@link #KERNEL_HEADROOM} bytes before buffer 0. */
    long regionAddress();

    /** @return bytes of the region (a multiple of the page size), covering every buffer. */
    long regionLength();

    /** @return the address of buffer 0. */
    long firstBufferAddress();

    /** @return bytes per buffer. */
    int bufferSize();

    /** @return the number of buffers. */
    int bufferCount();

    /**
     * Takes a free buffer with one reference.
     *
     * @return its index, or -1 when none is free.
     */
    int allocate();

    /**
     * Adds a reference to an allocated buffer.
     *
     * @param index the buffer.
     */
    void retain(int index);

    /**
     * Drops a reference; the buffer is free when none is left.
     *
     * @param index the buffer.
     */
    void release(int index);

    /** @return what the region is, for error messages (e.g. "arena /dev/shm/x (tmpfs)"). */
    String describe();
}
