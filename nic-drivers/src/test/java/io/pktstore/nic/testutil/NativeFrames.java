package io.pktstore.nic.testutil;

import java.nio.ByteBuffer;

import io.pktstore.nic.RxBurst;
import io.pktstore.nic.internal.Frames;
import org.agrona.BufferUtil;

/** Test helpers: native buffers for bursts and byte[] views of received frames. */
public final class NativeFrames
{
    /**
     * Every buffer handed out stays reachable for the life of the test JVM. A burst keeps only raw
     * addresses, so without this the GC may free a direct buffer (its Cleaner runs once the
     * ByteBuffer object is unreachable, even while its address is in use) and the device would copy
     * frames into freed malloc memory. The buffers are small; tests are short.
     */
    private static final java.util.List<ByteBuffer> KEEP = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** @param size bytes. @return a direct buffer kept reachable for the life of the JVM. */
    public static ByteBuffer allocate(final int size)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(size);
        KEEP.add(b);
        return b;
    }

    private NativeFrames()
    {
    }

    /** Holds the direct memory behind a burst's slots so it stays reachable. */
    public static final class BurstMemory
    {
        /** The burst. */
        public final RxBurst burst;
        /** Its backing memory. */
        public final ByteBuffer memory;

        BurstMemory(final RxBurst burst, final ByteBuffer memory)
        {
            this.burst = burst;
            this.memory = memory;
        }
    }

    /** @param slots slot count. @param slotSize bytes per slot. @return a burst with its own native buffers. */
    public static BurstMemory burst(final int slots, final int slotSize)
    {
        final ByteBuffer memory = allocate(slots * slotSize);
        final long base = BufferUtil.address(memory);
        final RxBurst burst = new RxBurst(slots);
        for (int i = 0; i < slots; i++)
        {
            burst.setBuffer(i, base + (long)i * slotSize, slotSize);
        }
        return new BurstMemory(burst, memory);
    }

    /** @param burst a filled burst. @param slot slot index. @return a copy of the frame in the slot. */
    public static byte[] frame(final RxBurst burst, final int slot)
    {
        final byte[] bytes = new byte[burst.frameLength(slot)];
        Frames.copyToArray(burst.bufferAddress(slot), bytes, bytes.length);
        return bytes;
    }

    /** @param bytes frame bytes. @return a direct buffer holding them (keep it reachable while its address is used). */
    public static ByteBuffer direct(final byte[] bytes)
    {
        final ByteBuffer b = allocate(Math.max(1, bytes.length));
        b.put(bytes).flip();
        return b;
    }

    /** @param buffer a direct buffer. @return its address. */
    public static long address(final ByteBuffer buffer)
    {
        return BufferUtil.address(buffer);
    }
}
