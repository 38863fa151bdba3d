package io.pktstore.nic.internal;

import io.pktstore.nic.TxBurst;
import org.agrona.UnsafeApi;

/**
 * Byte moves shared by all devices: gathering a {@link TxBurst} frame into one contiguous
 * destination, and plain copies. Static, allocation free.
 */
public final class Frames
{
    private Frames()
    {
    }

    /**
     * Copies the segments of one frame of a burst, in order, to {@code dst}.
     *
     * @param burst the burst.
     * @param frame the frame index.
     * @param dst destination address with at least {@code burst.frameLength(frame)} bytes.
     * @return the number of bytes written.
     */
    public static int gather(final TxBurst burst, final int frame, final long dst)
    {
        int written = 0;
        final int segments = burst.segmentCount(frame);
        for (int s = 0; s < segments; s++)
        {
            final int len = burst.segmentLength(frame, s);
            UnsafeApi.copyMemory(burst.segmentAddress(frame, s), dst + written, len);
            written += len;
        }
        return written;
    }

    /**
     * @param src source address.
     * @param dst destination address.
     * @param length bytes to copy.
     */
    public static void copy(final long src, final long dst, final int length)
    {
        UnsafeApi.copyMemory(src, dst, length);
    }

    /**
     * Copies native bytes into a Java array (for tests, recorders and diagnostics, not the data path).
     *
     * @param src source address.
     * @param dst destination array.
     * @param length bytes.
     */
    public static void copyToArray(final long src, final byte[] dst, final int length)
    {
        copyToArray(src, dst, 0, length);
    }

    /**
     * Copies native bytes into a Java array at an offset.
     *
     * @param src source address.
     * @param dst destination array.
     * @param dstOffset first index written.
     * @param length bytes.
     */
    public static void copyToArray(final long src, final byte[] dst, final int dstOffset, final int length)
    {
        java.util.Objects.checkFromIndexSize(dstOffset, length, dst.length);
        UnsafeApi.copyMemory(null, src, dst, UnsafeApi.arrayBaseOffset(byte[].class) + dstOffset, length);
    }

    /**
     * Copies a Java array into native memory.
     *
     * @param src source array.
     * @param dst destination address.
     * @param length bytes.
     */
    public static void copyFromArray(final byte[] src, final long dst, final int length)
    {
        UnsafeApi.copyMemory(src, UnsafeApi.arrayBaseOffset(byte[].class), null, dst, length);
    }
}
