package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mode selection by file system (statfs TMPFS_MAGIC, MAP_SYNC probe), refusal of modes a file
 * cannot honour, range checks, and the BLOCK_MSYNC group commit: persists only mark pages, the
 * barrier issues one msync per run of consecutive dirty pages and nothing when clean; a failed
 * msync (injected through the package-private msync seam) poisons the region for good.
 * This machine has no DAX file system: DAX_MAP_SYNC can only be checked as refused here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MappedPmRegionTest {
    private final TempArenaFiles files = new TempArenaFiles();

    @AfterEach
    void deleteFiles() throws IOException {
        files.close();
    }

    @Test
    void modeFollowsTheFileSystem() {
        try (MappedPmRegion shm = MappedPmRegion.open(files.tmpfs(), 1 << 20);
             MappedPmRegion block = MappedPmRegion.open(files.block(), 1 << 20)) {
            assertEquals(PersistMode.TMPFS_WRITEBACK, shm.mode());
            assertEquals(PersistMode.BLOCK_MSYNC, block.mode());
            assertEquals(1 << 20, shm.size());
            assertEquals(0, shm.address() % 4096);
        }
    }

    @Test
    void modesTheFileCannotHonourAreRefused() {
        final Path block = files.block();
        final ArenaException tmpfsOnBlock = assertThrows(ArenaException.class,
            () -> MappedPmRegion.open(block, 1 << 20, PersistMode.TMPFS_WRITEBACK));
        assertTrue(tmpfsOnBlock.getMessage().contains("not on tmpfs"), tmpfsOnBlock.getMessage());
        final ArenaException dax = assertThrows(ArenaException.class,
            () -> MappedPmRegion.open(files.tmpfs(), 1 << 20, PersistMode.DAX_MAP_SYNC));
        assertTrue(dax.getMessage().contains("MAP_SYNC"), dax.getMessage());
        assertThrows(ArenaException.class, () -> MappedPmRegion.open(files.tmpfs(), 1 << 20, PersistMode.SIMULATED));
        try (MappedPmRegion msyncOnTmpfs = MappedPmRegion.open(files.tmpfs(), 1 << 20, PersistMode.BLOCK_MSYNC)) {
            assertEquals(PersistMode.BLOCK_MSYNC, msyncOnTmpfs.mode(), "msync works on any file");
        }
    }

    @Test
    void storesReachTheFileAndPersistRangesAreChecked() throws IOException {
        final Path file = files.tmpfs();
        try (MappedPmRegion region = MappedPmRegion.open(file, 64 << 10)) {
            UnsafeApi.putLong(region.address() + 4096, 0x0102030405060708L);
            region.persist(4096, 8);
            region.barrier();
            assertThrows(IndexOutOfBoundsException.class, () -> region.persist(-1, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> region.persist(64 << 10, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> region.persist(8, -1));
            region.persist(64 << 10, 0);
        }
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(0x08, bytes[4096]);
        assertEquals(0x01, bytes[4103]);
    }

    @Test
    void blockBarrierGroupsDirtyPagesIntoOneMsyncPerRun() throws IOException {
        final Path file = files.block();
        try (MappedPmRegion region = MappedPmRegion.open(file, 1 << 20)) {
            region.barrier();
            assertEquals(0, region.msyncCalls(), "nothing dirty: no msync");
            for (int i = 0; i < 10; i++) {
                UnsafeApi.putLong(region.address() + i * 512L, i);
                region.persist(i * 512L, 8); // pages 0..1
            }
            region.persist(4096 * 5 - 4, 8);  // pages 4..5
            region.persist(4096 * 100, 64);   // page 100
            assertEquals(0, region.msyncCalls(), "persist only marks pages in BLOCK_MSYNC");
            region.barrier();
            assertEquals(3, region.msyncCalls(), "pages 0-1, 4-5 and 100 are three runs");
            region.barrier();
            assertEquals(3, region.msyncCalls(), "barrier drained the dirty set");
            region.persist((1 << 20) - 1, 1); // the very last page
            region.barrier();
            assertEquals(4, region.msyncCalls());
        }
        assertEquals(9, Files.readAllBytes(file)[9 * 512]);
    }

    @Test
    void dirtyPageSetDrainsMaximalRunsAcrossWordBoundaries() {
        final DirtyPageSet set = new DirtyPageSet(300);
        assertTrue(set.isEmpty());
        set.mark(3, 3);
        set.mark(60, 130);   // crosses two 64-page words
        set.mark(131, 131);  // adjacent: same run
        set.mark(200, 255);  // ends exactly at a word boundary
        set.mark(299, 299);  // last page
        final List<long[]> runs = new ArrayList<>();
        set.drain((first, count) -> runs.add(new long[] {first, count}));
        assertEquals(4, runs.size());
        assertArrayEquals(new long[] {3, 1}, runs.get(0));
        assertArrayEquals(new long[] {60, 72}, runs.get(1));
        assertArrayEquals(new long[] {200, 56}, runs.get(2));
        assertArrayEquals(new long[] {299, 1}, runs.get(3));
        assertTrue(set.isEmpty());
        final List<long[]> none = new ArrayList<>();
        set.drain((first, count) -> none.add(new long[] {first, count}));
        assertTrue(none.isEmpty(), "drain cleared every bit");
        set.mark(0, 299);
        set.drain((first, count) -> none.add(new long[] {first, count}));
        assertEquals(1, none.size());
        assertArrayEquals(new long[] {0, 300}, none.get(0));
        assertFalse(!set.isEmpty());
    }

    @Test
    void dirtyPageSetMatchesAPerPageModelForRandomRanges() {
        final java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        for (int trial = 0; trial < 500; trial++) {
            final int pages = 1 + rnd.nextInt(700);
            final DirtyPageSet set = new DirtyPageSet(pages);
            final boolean[] model = new boolean[pages];
            for (int m = rnd.nextInt(6); m >= 0; m--) {
                final int a = rnd.nextInt(pages);
                final int b = a + rnd.nextInt(Math.min(pages - a, 1 + rnd.nextInt(200)));
                set.mark(a, b);
                for (int p = a; p <= b; p++) {
                    model[p] = true;
                }
            }
            final boolean[] drained = new boolean[pages];
            final long[] previousEnd = {-1};
            set.drain((first, count) -> {
                assertTrue(first > previousEnd[0], "runs are ascending and separated");
                previousEnd[0] = first + count;
                for (long p = first; p < first + count; p++) {
                    drained[(int) p] = true;
                }
            });
            assertArrayEquals(model, drained, "trial " + trial);
        }
    }

    @Test
    void openExistingMapsAtItsLengthAndRefusesMissingFiles() throws IOException {
        final Path file = files.tmpfs();
        Files.write(file, new byte[12345]);
        try (MappedPmRegion region = MappedPmRegion.openExisting(file)) {
            assertEquals(12345, region.size());
        }
        final ArenaException e = assertThrows(ArenaException.class, () -> MappedPmRegion.openExisting(files.tmpfs()));
        assertTrue(e.getMessage().contains("cannot open"), e.getMessage());
    }

    @Test
    void aFailedMsyncPoisonsTheRegionSoNothingMoreIsAcknowledged() throws IOException {
        final Path file = files.block();
        try (MappedPmRegion region = MappedPmRegion.open(file, 1 << 20)) {
            assertEquals(PersistMode.BLOCK_MSYNC, region.mode());
            UnsafeApi.putLong(region.address(), 1L);
            region.persist(0, 8);
            region.barrier(); // the real msync works
            assertFalse(region.isPoisoned());
            assertEquals(null, region.poisonReason());

            final int eio = 5;
            final List<long[]> calls = new ArrayList<>();
            region.msyncForTest((address, length) -> {
                calls.add(new long[] {address - region.address(), length});
                return calls.size() == 1 ? eio : 0; // fails once, then would "succeed" again (as Linux does)
            });
            UnsafeApi.putLong(region.address() + 3 * 4096, 2L);
            region.persist(3 * 4096, 8);
            final ArenaException first = assertThrows(ArenaException.class, region::barrier);
            assertTrue(first.getMessage().contains(file.toString()), first.getMessage());
            assertTrue(first.getMessage().contains("[12288, +4096)"), first.getMessage());
            assertTrue(first.getMessage().contains("errno 5"), first.getMessage());
            assertTrue(region.isPoisoned());
            assertEquals(first.getMessage(), region.poisonReason());

            // From now on nothing can be made durable, although the msync would now succeed.
            final ArenaException persist = assertThrows(ArenaException.class, () -> region.persist(0, 8));
            final ArenaException barrier = assertThrows(ArenaException.class, region::barrier);
            for (final ArenaException later : List.of(persist, barrier)) {
                assertTrue(later.getMessage().contains("poisoned"), later.getMessage());
                assertTrue(later.getMessage().contains(first.getMessage()), "names the cause: " + later.getMessage());
            }
            assertTrue(persist.getMessage().startsWith("persist refused"), persist.getMessage());
            assertTrue(barrier.getMessage().startsWith("barrier refused"), barrier.getMessage());
            assertThrows(ArenaException.class, region::barrier, "still poisoned on every later call");
            assertEquals(1, calls.size(), "a poisoned region never retries the msync");
        }
    }

    @Test
    void aPoisonedRegionCannotAcknowledgeAnArenaCommitOrACleanShutdown() throws IOException {
        final Path file = files.block();
        final ArenaGeometry geometry = ArenaGeometry.forFileSize(1 << 20, 2048);
        final MappedPmRegion region = MappedPmRegion.open(file, 1 << 20);
        final Arena arena = Arena.format(region, geometry);
        region.msyncForTest((address, length) -> 5);
        assertThrows(ArenaException.class, () -> arena.setRoot(0, 42L), "the commit is not acknowledged");
        assertThrows(ArenaException.class, () -> arena.setRoot(0, 43L));
        assertThrows(ArenaException.class, arena::close, "close cannot mark the shutdown clean");
        assertTrue(region.isClosed(), "but it still unmaps and unlocks");
        try (Arena reopened = Arena.open(file)) {
            assertFalse(reopened.wasCleanShutdown(), "the next open recovers");
        }
    }
}
