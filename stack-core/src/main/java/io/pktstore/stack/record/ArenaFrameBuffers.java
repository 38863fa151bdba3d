package io.pktstore.stack.record;

import io.pktstore.arena.Arena;
import io.pktstore.nic.FrameBuffers;

/**
 * The arena's payload buffer pool as the memory an in-place device (AF_XDP) shares with the kernel:
 * the region handed to the kernel is the arena's own mapping, from the page that holds the 256
 * bytes before buffer 0 to the page that holds the last buffer's last byte, so frames are written
 * straight into the buffers that packet records then point at. References go through the arena's
 * buffer reference counts, the same ones records and clones use.
 * <pre>
 *   arena:  ... overflow table ...|page|buffer 0|buffer 1| ... |buffer n-1|(rest of page)
 *   region:                  ^ (buffer 0 - 256) rounded down to a page      rounded up ^
 * </pre>
 * The bytes in front of buffer 0 belong to the arena's other tables; the kernel never writes there
 * (it writes a frame only from a buffer's first byte on; see docs/af-xdp.md).
 */
public final class ArenaFrameBuffers implements FrameBuffers
{
    private static final long PAGE = 4096;

    private final Arena arena;
    private final long regionAddress;
    private final long regionLength;

    /**
     * @param arena the arena whose buffer pool the device uses; must stay open while the device is.
     */
    public ArenaFrameBuffers(final Arena arena)
    {
        this.arena = arena;
        final long first = arena.bufferAddress(0);
        final long end = first + (long)arena.bufferSize() * arena.geometry().bufferCount();
        regionAddress = (first - KERNEL_HEADROOM) & -PAGE;
        regionLength = ((end + PAGE - 1) & -PAGE) - regionAddress;
    }

    @Override
    public long regionAddress()
    {
        return regionAddress;
    }

    @Override
    public long regionLength()
    {
        return regionLength;
    }

    @Override
    public long firstBufferAddress()
    {
        return arena.bufferAddress(0);
    }

    @Override
    public int bufferSize()
    {
        return arena.bufferSize();
    }

    @Override
    public int bufferCount()
    {
        return arena.geometry().bufferCount();
    }

    @Override
    public int allocate()
    {
        return arena.allocateBuffer();
    }

    @Override
    public void retain(final int index)
    {
        arena.retainBuffer(index);
    }

    @Override
    public void release(final int index)
    {
        arena.releaseBuffer(index);
    }

    @Override
    public String describe()
    {
        return "arena " + arena.name() + " (" + arena.mode() + ")";
    }
}
