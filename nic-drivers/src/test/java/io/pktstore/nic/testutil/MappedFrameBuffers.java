package io.pktstore.nic.testutil;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import io.pktstore.nic.FrameBuffers;
import io.pktstore.nic.internal.LibC;
import org.agrona.UnsafeApi;

/**
 * A {@link FrameBuffers} for driver tests: a MAP_SHARED mapping of a file (on /dev/shm, or on ext4 to
 * see the kernel refuse it), one page of leading bytes then {@code count} buffers, with a free stack
 * and reference counts like the arena's. It remembers every buffer it ever handed out, so a test can
 * tell a buffer the device lent to the kernel from any other memory.
 * <pre>
 *   0          4096       4096 + size     ...
 *   +----------+----------+----------+-- ... --+
 *   | lead page| buffer 0 | buffer 1 |         |
 *   +----------+----------+----------+-- ... --+
 * </pre>
 */
public final class MappedFrameBuffers implements FrameBuffers, AutoCloseable
{
    private static final int LEAD = 4096;

    private final Path file;
    private final int size;
    private final int count;
    private final long length;
    private final long address;
    private final int[] refs;
    private final int[] free;
    private final BitSet everAllocated = new BitSet();
    private int freeCount;

    /**
     * @param file the file to create (deleted at close).
     * @param count buffers.
     * @param size bytes per buffer.
     */
    public MappedFrameBuffers(final Path file, final int count, final int size)
    {
        this.file = file;
        this.size = size;
        this.count = count;
        length = LEAD + (long)count * size + 4095 & -4096L;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length);
            final int fd = LibC.C.open(file.toString(), 2);
            address = LibC.mmap(0, length, LibC.PROT_READ_WRITE, LibC.MAP_SHARED, fd, 0);
            LibC.C.close(fd);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e);
        }
        if (address == LibC.MAP_FAILED)
        {
            throw new IllegalStateException("mmap " + file + ": " + LibC.describe(LibC.errno()));
        }
        refs = new int[count];
        free = new int[count];
        for (int i = count - 1; i >= 0; i--)
        {
            free[freeCount++] = i;
        }
        UnsafeApi.setMemory(address, length, (byte)0xAB);
    }

    @Override
    public long regionAddress()
    {
        return address;
    }

    @Override
    public long regionLength()
    {
        return length;
    }

    @Override
    public long firstBufferAddress()
    {
        return address + LEAD;
    }

    @Override
    public int bufferSize()
    {
        return size;
    }

    @Override
    public int bufferCount()
    {
        return count;
    }

    @Override
    public int allocate()
    {
        if (freeCount == 0)
        {
            return -1;
        }
        final int index = free[--freeCount];
        refs[index] = 1;
        everAllocated.set(index);
        return index;
    }

    @Override
    public void retain(final int index)
    {
        if (refs[index] <= 0)
        {
            throw new IllegalStateException("retain of free buffer " + index);
        }
        refs[index]++;
    }

    @Override
    public void release(final int index)
    {
        if (refs[index] <= 0)
        {
            throw new IllegalStateException("release of free buffer " + index);
        }
        if (--refs[index] == 0)
        {
            free[freeCount++] = index;
        }
    }

    @Override
    public String describe()
    {
        return "test buffers " + file;
    }

    /** @return the buffer whose first byte is at {@code address}, or -1. */
    public int bufferAt(final long address)
    {
        final long offset = address - firstBufferAddress();
        return offset < 0 || offset % size != 0 || offset / size >= count ? -1 : (int)(offset / size);
    }

    /** @return the address of buffer {@code index}. */
    public long bufferAddress(final int index)
    {
        return firstBufferAddress() + (long)index * size;
    }

    /** @return true if the buffer was ever handed out by {@link #allocate()}. */
    public boolean everAllocated(final int index)
    {
        return everAllocated.get(index);
    }

    /** @return references on the buffer. */
    public int refs(final int index)
    {
        return refs[index];
    }

    /** @return buffers with no reference. */
    public int freeCount()
    {
        return freeCount;
    }

    @Override
    public void close()
    {
        LibC.C.munmap(address, length);
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // A leftover test file in /dev/shm is harmless.
        }
    }
}
