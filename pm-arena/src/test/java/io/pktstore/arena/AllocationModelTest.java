package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.arena.sim.SimulatedPmRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random allocate/free/retain/release sequences checked against a simple model: no index is ever
 * handed out twice, nothing leaks, NONE exactly when the model is full, refcounts match, and
 * misuse (double free, release of a free buffer) is refused without changing anything.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationModelTest {
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(1000, 500, 128, 300);

    private static Arena newArena() {
        return Arena.format(SimulatedPmRegion.create(GEOMETRY.requiredBytes()), GEOMETRY);
    }

    @Test
    void millionRandomOperationsNeverDoubleAllocateOrLeak() {
        final SplittableRandom rnd = new SplittableRandom(0x5EEDL);
        try (Arena arena = newArena()) {
            final boolean[] recordUsed = new boolean[GEOMETRY.recordCount()];
            final boolean[] overflowUsed = new boolean[GEOMETRY.overflowBlockCount()];
            final int[] bufferRefs = new int[GEOMETRY.bufferCount()];
            // Held indices, so frees pick an allocated one in O(1).
            final int[] heldRecords = new int[GEOMETRY.recordCount()];
            final int[] heldOverflow = new int[GEOMETRY.overflowBlockCount()];
            final int[] heldBuffers = new int[GEOMETRY.bufferCount()];
            int nRecords = 0;
            int nOverflow = 0;
            int nBuffers = 0;
            long fullSeen = 0;
            for (int op = 0; op < 1_000_000; op++) {
                // Bias alternates phases towards filling and draining so "full" is exercised.
                final boolean fillPhase = (op / 20_000) % 2 == 0;
                final int kind = rnd.nextInt(3);
                final boolean alloc = rnd.nextInt(100) < (fillPhase ? 65 : 35);
                if (kind == 0) {
                    if (alloc) {
                        final int i = arena.allocateRecord();
                        if (i == Arena.NONE) {
                            assertEquals(GEOMETRY.recordCount(), nRecords, "NONE while records were free");
                            fullSeen++;
                        } else {
                            assertFalse(recordUsed[i], "record " + i + " handed out twice");
                            recordUsed[i] = true;
                            heldRecords[nRecords++] = i;
                        }
                    } else if (nRecords > 0) {
                        final int pick = rnd.nextInt(nRecords);
                        final int i = heldRecords[pick];
                        heldRecords[pick] = heldRecords[--nRecords];
                        arena.freeRecord(i);
                        recordUsed[i] = false;
                    }
                } else if (kind == 1) {
                    if (alloc) {
                        final int i = arena.allocateOverflow();
                        if (i == Arena.NONE) {
                            assertEquals(GEOMETRY.overflowBlockCount(), nOverflow);
                            fullSeen++;
                        } else {
                            assertFalse(overflowUsed[i], "overflow block " + i + " handed out twice");
                            overflowUsed[i] = true;
                            heldOverflow[nOverflow++] = i;
                        }
                    } else if (nOverflow > 0) {
                        final int pick = rnd.nextInt(nOverflow);
                        final int i = heldOverflow[pick];
                        heldOverflow[pick] = heldOverflow[--nOverflow];
                        arena.freeOverflow(i);
                        overflowUsed[i] = false;
                    }
                } else {
                    final int action = rnd.nextInt(3);
                    if (alloc && action < 2) {
                        final int i = arena.allocateBuffer();
                        if (i == Arena.NONE) {
                            assertEquals(GEOMETRY.bufferCount(), nBuffers);
                            fullSeen++;
                        } else {
                            assertEquals(0, bufferRefs[i], "buffer " + i + " handed out while referenced");
                            bufferRefs[i] = 1;
                            heldBuffers[nBuffers++] = i;
                        }
                    } else if (nBuffers > 0) {
                        final int pick = rnd.nextInt(nBuffers);
                        final int i = heldBuffers[pick];
                        if (alloc) {
                            arena.retainBuffer(i);
                            bufferRefs[i]++;
                        } else {
                            final boolean freed = arena.releaseBuffer(i);
                            bufferRefs[i]--;
                            assertEquals(bufferRefs[i] == 0, freed, "release result for buffer " + i);
                            if (freed) {
                                heldBuffers[pick] = heldBuffers[--nBuffers];
                            }
                        }
                    }
                }
                if (op % 997 == 0) {
                    assertEquals(GEOMETRY.recordCount() - nRecords, arena.freeRecordCount());
                    assertEquals(GEOMETRY.overflowBlockCount() - nOverflow, arena.freeOverflowCount());
                    assertEquals(GEOMETRY.bufferCount() - nBuffers, arena.freeBufferCount());
                    final int probe = rnd.nextInt(GEOMETRY.bufferCount());
                    assertEquals(bufferRefs[probe], arena.bufferRefCount(probe));
                    final int probeRecord = rnd.nextInt(GEOMETRY.recordCount());
                    assertEquals(recordUsed[probeRecord], arena.isRecordAllocated(probeRecord));
                }
            }
            assertTrue(fullSeen > 0, "the sequence never filled the arena: full path untested");
            // Drain everything: afterwards every slot must be free again (no leak).
            while (nRecords > 0) {
                arena.freeRecord(heldRecords[--nRecords]);
            }
            while (nOverflow > 0) {
                arena.freeOverflow(heldOverflow[--nOverflow]);
            }
            while (nBuffers > 0) {
                final int i = heldBuffers[--nBuffers];
                for (int r = bufferRefs[i]; r > 0; r--) {
                    assertEquals(r == 1, arena.releaseBuffer(i));
                }
            }
            assertEquals(GEOMETRY.recordCount(), arena.freeRecordCount());
            assertEquals(GEOMETRY.overflowBlockCount(), arena.freeOverflowCount());
            assertEquals(GEOMETRY.bufferCount(), arena.freeBufferCount());
        }
    }

    @Test
    void fullArenaReturnsNoneThenThrowsTypedErrorAndRecoversOnFree() {
        try (Arena arena = newArena()) {
            for (int i = 0; i < GEOMETRY.recordCount(); i++) {
                assertEquals(i, arena.allocateRecord(), "lowest free index first");
            }
            assertEquals(Arena.NONE, arena.allocateRecord());
            final ArenaFullException e = assertThrows(ArenaFullException.class, arena::allocateRecordOrThrow);
            assertTrue(e.getMessage().contains("records"), e.getMessage());
            assertEquals(0, arena.freeRecordCount(), "a failed allocation changes nothing");
            arena.freeRecord(417);
            assertEquals(417, arena.allocateRecordOrThrow(), "space returns on free");

            for (int i = 0; i < GEOMETRY.bufferCount(); i++) {
                arena.allocateBufferOrThrow();
            }
            assertThrows(ArenaFullException.class, arena::allocateBufferOrThrow);
            assertTrue(arena.releaseBuffer(3));
            assertEquals(3, arena.allocateBuffer());

            for (int i = 0; i < GEOMETRY.overflowBlockCount(); i++) {
                arena.allocateOverflowOrThrow();
            }
            assertEquals(Arena.NONE, arena.allocateOverflow());
            assertThrows(ArenaFullException.class, arena::allocateOverflowOrThrow);
        }
    }

    @Test
    void bufferRefCountsFollowRetainAndRelease() {
        try (Arena arena = newArena()) {
            final int b = arena.allocateBuffer();
            assertEquals(1, arena.bufferRefCount(b));
            arena.retainBuffer(b);
            arena.retainBuffer(b);
            assertEquals(3, arena.bufferRefCount(b));
            assertFalse(arena.releaseBuffer(b));
            assertFalse(arena.releaseBuffer(b));
            assertEquals(1, arena.bufferRefCount(b));
            assertEquals(GEOMETRY.bufferCount() - 1, arena.freeBufferCount(), "still held by one reference");
            assertTrue(arena.releaseBuffer(b));
            assertEquals(0, arena.bufferRefCount(b));
            assertEquals(GEOMETRY.bufferCount(), arena.freeBufferCount());
            assertThrows(IllegalStateException.class, () -> arena.releaseBuffer(b), "release of a free buffer");
            assertThrows(IllegalStateException.class, () -> arena.retainBuffer(b), "retain of a free buffer");
            assertEquals(GEOMETRY.bufferCount(), arena.freeBufferCount(), "refused misuse changed nothing");
        }
    }

    @Test
    void doubleFreeAndBadIndicesAreRefusedWithoutDamage() {
        try (Arena arena = newArena()) {
            final int r = arena.allocateRecord();
            arena.freeRecord(r);
            assertThrows(IllegalStateException.class, () -> arena.freeRecord(r));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.freeRecord(GEOMETRY.recordCount()));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.freeRecord(-1));
            assertThrows(IllegalStateException.class, () -> arena.freeOverflow(0));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.recordAddress(GEOMETRY.recordCount()));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.bufferOffset(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.root(Arena.ROOT_SLOTS));
            assertEquals(GEOMETRY.recordCount(), arena.freeRecordCount());
            // The free stack holds each index once: allocating everything yields every index once.
            final boolean[] seen = new boolean[GEOMETRY.recordCount()];
            for (int i = 0; i < GEOMETRY.recordCount(); i++) {
                final int got = arena.allocateRecord();
                assertFalse(seen[got]);
                seen[got] = true;
            }
            assertEquals(Arena.NONE, arena.allocateRecord());
        }
    }

    @Test
    void addressesAreAlignedAndInsideTheirRegions() {
        try (Arena arena = newArena()) {
            final long base = arena.region().address();
            assertEquals(0, arena.recordOffset(0) % 4096);
            assertTrue(arena.recordOffset(0) >= GEOMETRY.recordMarksOffset() + GEOMETRY.recordMarksBytes());
            assertTrue(GEOMETRY.recordMarksOffset() >= GEOMETRY.linkLogOffset() + 64 + 2L * 16 * GEOMETRY.logCapacity());
            assertEquals(arena.recordOffset(0) + 64L * 999, arena.recordOffset(999));
            assertEquals(base + arena.recordOffset(5), arena.recordAddress(5));
            assertEquals(0, arena.overflowOffset(0) % 4096);
            assertEquals(0, arena.bufferOffset(0) % 4096);
            assertTrue(arena.overflowOffset(0) >= arena.recordOffset(999) + 64);
            assertTrue(arena.bufferOffset(0) >= arena.overflowOffset(299) + 64);
            assertEquals(arena.bufferOffset(0) + 128L * 499, arena.bufferOffset(499));
            assertEquals(GEOMETRY.requiredBytes(), arena.bufferOffset(499) + 128);
            assertEquals(128, arena.bufferSize());
        }
    }
}
