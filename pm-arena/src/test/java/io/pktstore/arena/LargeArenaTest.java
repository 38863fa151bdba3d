package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 3 GiB sparse arena in /dev/shm (FileChannel.map stops at 2 GiB; this maps through mmap):
 * data written at offsets above 2 GiB survives close and reopen. Only the touched pages are
 * allocated; the file is deleted afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LargeArenaTest {
    private static final long SIZE = 3L << 30;
    private static final long TWO_GIB = 2L << 30;

    @Test
    void threeGibArenaRoundTripsDataAboveTwoGib() throws IOException {
        try (TempArenaFiles files = new TempArenaFiles()) {
            final Path file = files.tmpfs();
            final int[] indices;
            try (Arena arena = Arena.create(file, SIZE, ArenaGeometry.DEFAULT_BUFFER_SIZE)) {
                assertEquals(SIZE, Files.size(file));
                assertEquals(SIZE, arena.region().size());
                final int last = arena.geometry().bufferCount() - 1;
                assertTrue(arena.bufferOffset(last) > TWO_GIB + (512L << 20), "geometry uses the space past 2 GiB");
                // First buffer above 2 GiB, one straddling nothing in particular, and the last one.
                final int firstAbove = (int) ((TWO_GIB - arena.geometry().bufferPoolOffset()) / arena.bufferSize()) + 1;
                indices = new int[] {firstAbove, (firstAbove + last) / 2, last};
                for (final int i : indices) {
                    assertTrue(arena.bufferOffset(i) >= TWO_GIB);
                    final long addr = arena.bufferAddress(i);
                    for (int w = 0; w < arena.bufferSize(); w += 8) {
                        UnsafeApi.putLong(addr + w, pattern(i, w));
                    }
                    arena.persistBuffer(i, 0, arena.bufferSize());
                }
                arena.barrier();
                arena.setRoot(0, indices[2]);
            }
            try (Arena arena = Arena.open(file)) {
                assertTrue(arena.wasCleanShutdown());
                assertEquals(indices[2], arena.root(0));
                for (final int i : indices) {
                    final long addr = arena.bufferAddress(i);
                    for (int w = 0; w < arena.bufferSize(); w += 8) {
                        assertEquals(pattern(i, w), UnsafeApi.getLong(addr + w), "buffer " + i + " word " + w);
                    }
                }
            }
        }
    }

    private static long pattern(final int index, final int word) {
        return ((long) index << 32) ^ word ^ 0x9E3779B97F4A7C15L;
    }
}
