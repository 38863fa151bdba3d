package io.pktstore.arena;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The CPU persist primitive: {@code jdk.internal.misc.Unsafe.writebackMemory(address, length)},
 * which issues a pre-fence, CLWB/CLFLUSHOPT per 64-byte line and a post-fence (exactly what
 * {@code MappedByteBuffer.force(index, len)} does on a MAP_SYNC mapping).
 *
 * <p>javac with {@code --release 17} cannot see {@code jdk.internal.misc}, so the method is looked
 * up at run time (it needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, which
 * the parent pom's {@code pktstore.jvm.flags} provides) and held in a static final handle so the JIT
 * inlines the call like a direct one.
 */
final class CacheLineWriteback {
    private static final MethodHandle WRITEBACK;
    private static final String UNAVAILABLE_REASON;

    static {
        MethodHandle handle = null;
        String reason = null;
        try {
            final Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            final Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            handle = MethodHandles.lookup()
                .findVirtual(unsafeClass, "writebackMemory", MethodType.methodType(void.class, long.class, long.class))
                .bindTo(unsafe);
            // writebackMemory throws when the CPU/JVM has no write-back instruction: try it once on
            // a scratch line so that failure shows here, not on the first persist.
            final long scratch = org.agrona.UnsafeApi.allocateMemory(128);
            try {
                handle.invokeExact((scratch + 63) & -64L, 64L);
            } finally {
                org.agrona.UnsafeApi.freeMemory(scratch);
            }
        } catch (final Throwable t) {
            handle = null;
            reason = "jdk.internal.misc.Unsafe.writebackMemory is unavailable (" + t
                + "); run with the JVM flags from scripts/jvm-flags (--add-exports java.base/jdk.internal.misc=ALL-UNNAMED)";
        }
        WRITEBACK = handle;
        UNAVAILABLE_REASON = reason;
    }

    private CacheLineWriteback() {
    }

    /** @return true when {@link #writeback} can be called */
    static boolean available() {
        return WRITEBACK != null;
    }

    /** @return why write-back is unavailable, or null when it is available */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * Writes back every cache line overlapping {@code [address, address + length)} and fences.
     *
     * @param address first byte
     * @param length  bytes, &gt; 0
     */
    static void writeback(final long address, final long length) {
        try {
            WRITEBACK.invokeExact(address, length);
        } catch (final RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
