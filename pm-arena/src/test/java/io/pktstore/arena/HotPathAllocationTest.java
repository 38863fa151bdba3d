package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN rule 2 for the arena: allocate/free/retain/release, address lookups, persist and barrier
 * allocate no Java objects, in each persistence mode this machine offers. Measured with the
 * thread's allocated-bytes counter across a million operations after a warm-up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HotPathAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Keeps the calibration allocation from being optimised away. */
    static volatile Object escape;

    @Test
    void hotPathAllocatesNothingOnTmpfsAndBlockFiles() throws IOException {
        // The counter must work, or a zero below would prove nothing.
        final long calibrationStart = THREADS.getCurrentThreadAllocatedBytes();
        escape = new byte[4096];
        assertTrue(THREADS.getCurrentThreadAllocatedBytes() - calibrationStart >= 4096, "allocation counter is off");
        try (TempArenaFiles files = new TempArenaFiles()) {
            for (final boolean tmpfs : new boolean[] {true, false}) {
                try (Arena arena = Arena.create(tmpfs ? files.tmpfs() : files.block(), 4 << 20, 2048)) {
                    // msync costs ~0.1-1 ms on a block file system: persist less often there.
                    final int persistMask = tmpfs ? 15 : 1023;
                    run(arena, 200_000, persistMask); // warm-up: JIT compiles the loop
                    // Best of three rounds: a per-operation allocation would show in every round as
                    // megabytes; a one-off JIT event (deoptimisation, call-site linkage) can cost a
                    // few hundred bytes once and must not fail the test.
                    long best = Long.MAX_VALUE;
                    long sink = 0;
                    for (int round = 0; round < 3 && best != 0; round++) {
                        final long before = THREADS.getCurrentThreadAllocatedBytes();
                        sink += run(arena, 1_000_000, persistMask);
                        best = Math.min(best, THREADS.getCurrentThreadAllocatedBytes() - before);
                    }
                    assertEquals(0, best, arena.mode() + ": hot path allocated " + best
                        + " bytes per million operations in the best round (sink " + sink + ")");
                }
            }
        }
    }

    private static long run(final Arena arena, final int ops, final int persistMask) {
        long sink = 0;
        for (int i = 0; i < ops; i++) {
            final int r = arena.allocateRecord();
            final int b = arena.allocateBuffer();
            arena.retainBuffer(b);
            sink += arena.recordAddress(r) + arena.bufferOffset(b) + arena.bufferRefCount(b);
            if ((i & persistMask) == 0) {
                arena.persistRecord(r);
                arena.persistBuffer(b, 0, 1024);
                arena.barrier();
            }
            arena.releaseBuffer(b);
            arena.releaseBuffer(b);
            arena.freeRecord(r);
        }
        return sink;
    }
}
