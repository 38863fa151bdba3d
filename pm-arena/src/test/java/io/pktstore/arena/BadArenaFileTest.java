package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.arena.sim.SimulatedPmRegion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Every bad-file case gets its own typed error naming the cause, and the file is left
 * byte-for-byte (and length-for-length) as it was. Opening never formats; formatting refuses data.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadArenaFileTest {
    private static final long SIZE = 1 << 20;

    private final TempArenaFiles files = new TempArenaFiles();

    @AfterEach
    void deleteFiles() throws IOException {
        files.close();
    }

    /** A freshly created and cleanly closed arena file. */
    private Path validArena() {
        final Path file = files.tmpfs();
        try (Arena arena = Arena.create(file, SIZE, 2048)) {
            arena.setRoot(0, 1234);
        }
        return file;
    }

    private static void patch(final Path file, final long offset, final byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bytes);
        }
    }

    private static byte[] le32(final int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** Runs {@code open}, expects {@code type} with a message containing {@code cause}, and an untouched file. */
    private static <T extends ArenaException> T assertRefusedUntouched(final Path file, final Class<T> type,
                                                                       final String cause, final Executable open)
        throws IOException {
        final byte[] before = Files.readAllBytes(file);
        final FileTime mtime = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(file, mtime);
        final T e = assertThrows(type, open);
        assertTrue(e.getMessage().contains(cause), "message should name the cause '" + cause + "': " + e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "file must be byte-for-byte untouched");
        assertEquals(mtime, Files.getLastModifiedTime(file), "file must not even be written with the same bytes");
        return e;
    }

    @Test
    void fileThatIsNotOursIsRefused() throws IOException {
        final Path file = files.tmpfs();
        final byte[] junk = new byte[64 * 1024];
        new SplittableRandom(7).nextBytes(junk);
        Files.write(file, junk);
        assertRefusedUntouched(file, NotAnArenaException.class, "not a pktstore arena", () -> Arena.open(file));
    }

    @Test
    void emptyAndTinyFilesAreNotArenas() throws IOException {
        final Path empty = files.tmpfs();
        Files.write(empty, new byte[0]);
        assertRefusedUntouched(empty, NotAnArenaException.class, "empty", () -> Arena.open(empty));
        final Path tiny = files.tmpfs();
        Files.write(tiny, new byte[] {1, 2, 3});
        assertRefusedUntouched(tiny, NotAnArenaException.class, "not a pktstore arena", () -> Arena.open(tiny));
    }

    @Test
    void otherVersionIsRefused() throws IOException {
        final Path file = validArena();
        patch(file, Superblock.VERSION_OFFSET, le32(1));
        final UnsupportedArenaVersionException e = assertRefusedUntouched(file, UnsupportedArenaVersionException.class,
            "version 1", () -> Arena.open(file));
        assertTrue(e.getMessage().contains("reads version 2"), e.getMessage());
        patch(file, Superblock.VERSION_OFFSET, le32(3));
        assertRefusedUntouched(file, UnsupportedArenaVersionException.class, "version 3", () -> Arena.open(file));
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        final Path file = validArena();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE / 2);
        }
        assertRefusedUntouched(file, TruncatedArenaException.class, "truncated", () -> Arena.open(file));
        // Shorter than the superblock itself, magic still there.
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(100);
        }
        assertRefusedUntouched(file, TruncatedArenaException.class, "superblock", () -> Arena.open(file));
    }

    @Test
    void badChecksumIsRefusedForEveryChecksummedField() throws IOException {
        final int[] offsets = {Superblock.SUPERBLOCK_SIZE_OFFSET, Superblock.ARENA_SIZE_OFFSET,
            Superblock.RECORD_COUNT_OFFSET, Superblock.BUFFER_COUNT_OFFSET, Superblock.BUFFER_SIZE_OFFSET,
            Superblock.OVERFLOW_COUNT_OFFSET, 44, Superblock.CHECKSUM_OFFSET};
        for (final int offset : offsets) {
            final Path file = validArena();
            final byte[] one = new byte[1];
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(offset);
                one[0] = (byte) (raf.read() ^ 0x10);
            }
            patch(file, offset, one);
            assertRefusedUntouched(file, CorruptSuperblockException.class, "checksum", () -> Arena.open(file));
        }
    }

    @Test
    void unknownShutdownStateIsRefused() throws IOException {
        final Path file = validArena();
        patch(file, Superblock.SHUTDOWN_STATE_OFFSET, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertRefusedUntouched(file, CorruptSuperblockException.class, "shutdown state", () -> Arena.open(file));
    }

    @Test
    void nonEmptyFileIsNeverFormatted() throws IOException {
        final Path arenaFile = validArena();
        assertRefusedUntouched(arenaFile, ArenaFileNotEmptyException.class, "holds",
            () -> Arena.create(arenaFile, SIZE, 2048));
        final Path data = files.tmpfs();
        Files.write(data, "precious data".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertRefusedUntouched(data, ArenaFileNotEmptyException.class, "non-empty",
            () -> Arena.create(data, SIZE, 2048));
        // A file of the right size that holds data: mapped fine, but format refuses it.
        final Path sized = files.tmpfs();
        final byte[] content = new byte[(int) SIZE];
        content[777] = 1;
        Files.write(sized, content);
        assertRefusedUntouched(sized, ArenaFileNotEmptyException.class, "offset 777", () -> {
            try (MappedPmRegion region = MappedPmRegion.open(sized, SIZE)) {
                Arena.format(region, ArenaGeometry.forFileSize(SIZE, 2048));
            }
        });
        // Opening an existing non-arena never formats it either (covered by fileThatIsNotOurs...).
    }

    @Test
    void explicitOverwriteDoesReformat() throws IOException {
        final Path file = validArena();
        try (MappedPmRegion region = MappedPmRegion.open(file, SIZE)) {
            final Arena arena = Arena.formatOverwriting(region, ArenaGeometry.forFileSize(SIZE, 1024));
            assertEquals(0, arena.root(0), "roots are reset by a reformat");
            assertEquals(1024, arena.bufferSize());
            arena.close();
        }
        try (Arena arena = Arena.open(file)) {
            assertEquals(1024, arena.bufferSize());
        }
    }

    @Test
    void badGeometryArgumentsAreRefusedWithoutCreatingAFile() throws IOException {
        final Path file = files.tmpfs();
        final String[][] cases = {{"100", "bufferSize 100"}, {"0", "bufferSize 0"}, {"2097152", "bufferSize 2097152"}};
        for (final String[] c : cases) {
            final InvalidGeometryException e = assertThrows(InvalidGeometryException.class,
                () -> Arena.create(file, SIZE, Integer.parseInt(c[0])));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(Files.exists(file), "no file is created for bad arguments");
        }
        final InvalidGeometryException small = assertThrows(InvalidGeometryException.class,
            () -> Arena.create(file, 5000, 2048));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        assertFalse(Files.exists(file));
        assertThrows(InvalidGeometryException.class, () -> ArenaGeometry.of(0, 1, 64, 0));
        assertThrows(InvalidGeometryException.class, () -> ArenaGeometry.of(1, 0, 64, 0));
        assertThrows(InvalidGeometryException.class, () -> ArenaGeometry.of(1, 1, 64, -1));
        assertThrows(InvalidGeometryException.class, () -> ArenaGeometry.of(ArenaGeometry.MAX_COUNT + 1, 1, 64, 0));
        // A geometry larger than its region.
        final ArenaGeometry big = ArenaGeometry.of(1000, 1000, 4096, 10);
        try (SimulatedPmRegion region = SimulatedPmRegion.create(1 << 20)) {
            final InvalidGeometryException e = assertThrows(InvalidGeometryException.class, () -> Arena.format(region, big));
            assertTrue(e.getMessage().contains("needs"), e.getMessage());
            assertEquals(0, region.unpersistedLineCount());
            assertArrayEquals(new byte[1 << 20], region.workingImage(), "refused format wrote nothing");
        }
    }

    @Test
    void anArenaWhoseFreeListsCannotFitTheHeapIsRefusedBeforeAFileIsMade() throws IOException {
        // A 1 TiB sparse file is legal, but its ~1.9 billion slots need about 9 GiB of free lists and
        // reference counts on the heap: before, create mapped it and died of OutOfMemoryError,
        // leaving the terabyte file behind.
        final Path file = files.tmpfs();
        final long size = 1L << 40;
        final ArenaGeometry geometry = ArenaGeometry.forFileSize(size, 2048);
        assertTrue(geometry.volatileStateBytes() > Runtime.getRuntime().maxMemory(),
            "this test expects the test JVM's heap (-Xmx2g in the parent pom's argLine) to be below "
                + geometry.volatileStateBytes());
        final ArenaException e = assertThrows(ArenaException.class, () -> Arena.create(file, size, 2048));
        assertTrue(e.getMessage().contains("MiB of Java heap") && e.getMessage().contains("-Xmx"), e.getMessage());
        assertFalse(Files.exists(file), "no file is created for an arena this JVM cannot hold");

        // The estimate itself: what SlotPool and the reference counts allocate, and the boundary.
        final ArenaGeometry small = ArenaGeometry.of(128, 64, 256, 8);
        assertEquals((128 + 64 + 8) * 4L + (2 + 1 + 1) * 8L + 64 * 4L, small.volatileStateBytes());
        Arena.checkHeapFor(small, "small", small.volatileStateBytes());
        assertThrows(ArenaException.class, () -> Arena.checkHeapFor(small, "small", small.volatileStateBytes() - 1));
    }

    @Test
    void failedCreateLeavesNoFileBehind() throws IOException {
        // DAX cannot be mapped on this machine's tmpfs: create fails after it made the file.
        final Path file = files.tmpfs();
        final ArenaException e = assertThrows(ArenaException.class,
            () -> Arena.create(file, SIZE, 2048, PersistMode.DAX_MAP_SYNC));
        assertTrue(e.getMessage().contains("MAP_SYNC"), e.getMessage());
        assertFalse(Files.exists(file), "the file create made was removed again");
        final Path empty = files.tmpfs();
        Files.write(empty, new byte[0]);
        assertThrows(ArenaException.class, () -> Arena.create(empty, SIZE, 2048, PersistMode.DAX_MAP_SYNC));
        assertEquals(0, Files.size(empty), "an empty file offered to create stays empty");
    }

    @Test
    void sizeMismatchOnExistingFileIsRefusedUntouched() throws IOException {
        final Path file = validArena();
        assertRefusedUntouched(file, ArenaException.class, "not the requested", () -> MappedPmRegion.open(file, SIZE * 2));
    }

    @Test
    void forFileSizeFitsAndFillsTheFile() {
        for (final long size : new long[] {16 << 10, 1 << 20, 10_000_000L, 3L << 30}) {
            for (final int bufferSize : new int[] {64, 2048, 9216, 65536}) {
                final long minimum = ArenaGeometry.of(ArenaGeometry.RECORDS_PER_BUFFER, 1, bufferSize, 1).requiredBytes();
                if (size < minimum) {
                    assertThrows(InvalidGeometryException.class, () -> ArenaGeometry.forFileSize(size, bufferSize));
                    continue;
                }
                final ArenaGeometry g = ArenaGeometry.forFileSize(size, bufferSize);
                assertTrue(g.requiredBytes() <= size, g + " exceeds " + size);
                final long slack = size - g.requiredBytes();
                assertTrue(slack < 5 * 4096L + bufferSize + ArenaGeometry.RECORDS_PER_BUFFER * 64 + 64,
                    "geometry wastes " + slack + " bytes of " + size);
                assertEquals(ArenaGeometry.RECORDS_PER_BUFFER * g.bufferCount(), g.recordCount());
                assertEquals(0, g.bufferPoolOffset() % 4096);
                final ArenaGeometry dense = ArenaGeometry.forFileSize(size, bufferSize, 32);
                assertTrue(dense.requiredBytes() <= size);
                assertEquals(32 * dense.bufferCount(), dense.recordCount());
            }
        }
    }
}
