package io.pktstore.kv.bench;

import io.pktstore.arena.Arena;

import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;

/**
 * Direct {@link ByteBuffer}s over the arena's payload buffers, so a socket {@code read} puts the
 * kernel's bytes straight into PM-backed buffers (the one copy kernel TCP makes, as AF_PACKET's ring
 * makes one). The JDK has no public way to wrap an address; {@code DirectByteBuffer(long, int)} (the
 * constructor JNI's NewDirectByteBuffer uses) is reached by reflection, which the project's JVM flags
 * allow ({@code --add-opens java.base/java.nio}). One view per buffer, made on first use.
 */
final class ArenaByteBuffers
{
    private static final Constructor<?> DIRECT;

    static
    {
        try
        {
            DIRECT = Class.forName("java.nio.DirectByteBuffer").getDeclaredConstructor(long.class, int.class);
            DIRECT.setAccessible(true);
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new ExceptionInInitializerError("cannot wrap arena buffers as ByteBuffers (needs --add-opens "
                + "java.base/java.nio=ALL-UNNAMED): " + e);
        }
    }

    private final Arena arena;
    private final ByteBuffer[] views;

    ArenaByteBuffers(final Arena arena)
    {
        this.arena = arena;
        this.views = new ByteBuffer[arena.geometry().bufferCount()];
    }

    /** @return a view of the whole payload buffer {@code index}, position 0, limit its size. */
    ByteBuffer view(final int index)
    {
        ByteBuffer view = views[index];
        if (view == null)
        {
            try
            {
                view = (ByteBuffer)DIRECT.newInstance(arena.bufferAddress(index), arena.bufferSize());
            }
            catch (final ReflectiveOperationException e)
            {
                throw new IllegalStateException("cannot wrap arena buffer " + index, e);
            }
            views[index] = view;
        }
        return view.clear();
    }
}
