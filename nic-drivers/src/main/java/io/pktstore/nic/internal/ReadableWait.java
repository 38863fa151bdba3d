package io.pktstore.nic.internal;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

/**
 * A device's idle wait ({@code FrameDevice.awaitReadable}): look at the receive ring a few times,
 * then block in poll(2) on the socket for the rest of the timeout, rounded up to whole milliseconds.
 * The pollfd lives in memory allocated once, so waiting allocates nothing.
 */
public final class ReadableWait
{
    /** The receive ring the wait looks at before it blocks. */
    public interface Ring
    {
        /** @return true if a frame is ready for user space. */
        boolean hasFrame();
    }

    private final int fd;
    /** pollfd (8 B): fd i32@0, events i16@4, revents i16@6; the ByteBuffer keeps the memory alive. */
    private final ByteBuffer memory = BufferUtil.allocateDirectAligned(8, 8);
    private final long pollfd = BufferUtil.address(memory);

    /**
     * @param fd the socket whose readability poll(2) reports.
     */
    public ReadableWait(final int fd)
    {
        this.fd = fd;
    }

    /**
     * @param ring the ring to look at.
     * @param spins looks before blocking (one look even with 0).
     * @param timeoutNs the longest wait; 0 only looks.
     * @return true if a frame may be ready (a spurious true is allowed), false on timeout.
     */
    public boolean await(final Ring ring, final int spins, final long timeoutNs)
    {
        for (int i = 0; i <= spins; i++)
        {
            if (ring.hasFrame())
            {
                return true;
            }
            Thread.onSpinWait();
        }
        if (timeoutNs <= 0)
        {
            return false;
        }
        final int timeoutMs = (int)Math.min(Integer.MAX_VALUE, (timeoutNs + 999_999L) / 1_000_000L);
        return poll(timeoutMs) || ring.hasFrame();
    }

    /**
     * poll(2) for POLLIN on the socket; with 0 it only gives the kernel a syscall to act in
     * (AF_XDP's need_wakeup).
     *
     * @param timeoutMs the longest wait in ms.
     * @return true if the socket is readable (or in error).
     */
    public boolean poll(final int timeoutMs)
    {
        UnsafeApi.putInt(pollfd, fd);
        UnsafeApi.putShort(pollfd + 4, (short)(LibC.POLLIN | LibC.POLLERR));
        UnsafeApi.putShort(pollfd + 6, (short)0);
        return LibC.C.poll(pollfd, 1, timeoutMs) > 0;
    }
}
