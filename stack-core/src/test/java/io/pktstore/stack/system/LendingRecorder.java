package io.pktstore.stack.system;

import java.util.BitSet;

import io.pktstore.nic.FrameBuffers;

/**
 * Passes everything to the arena's {@link FrameBuffers} and remembers every buffer the device took
 * with {@link #allocate()}: the ones it lent to the kernel through the fill ring (and its copy
 * slots). A test reads it from another thread only after the stack has stopped or through the
 * stack's thread.
 */
public final class LendingRecorder implements FrameBuffers
{
    private final FrameBuffers inner;
    private final BitSet taken = new BitSet();

    /**
     * @param inner the arena's buffers.
     */
    public LendingRecorder(final FrameBuffers inner)
    {
        this.inner = inner;
    }

    /** @return true if the device ever took buffer {@code index} from the arena. */
    public boolean everTaken(final int index)
    {
        return taken.get(index);
    }

    @Override
    public long regionAddress()
    {
        return inner.regionAddress();
    }

    @Override
    public long regionLength()
    {
        return inner.regionLength();
    }

    @Override
    public long firstBufferAddress()
    {
        return inner.firstBufferAddress();
    }

    @Override
    public int bufferSize()
    {
        return inner.bufferSize();
    }

    @Override
    public int bufferCount()
    {
        return inner.bufferCount();
    }

    @Override
    public int allocate()
    {
        final int index = inner.allocate();
        if (index >= 0)
        {
            taken.set(index);
        }
        return index;
    }

    @Override
    public void retain(final int index)
    {
        inner.retain(index);
    }

    @Override
    public void release(final int index)
    {
        inner.release(index);
    }

    @Override
    public String describe()
    {
        return inner.describe();
    }
}
