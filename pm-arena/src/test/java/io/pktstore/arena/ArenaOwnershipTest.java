package io.pktstore.arena;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One owner per arena file: a second open is refused and changes nothing; closing hands it on. */
class ArenaOwnershipTest {
    private static final long SIZE = 8L << 20;

    @Test
    void aSecondOpenOfAHeldArenaIsRefusedAndLeavesTheFileUntouched() throws Exception {
        try (TempArenaFiles files = new TempArenaFiles()) {
            final Path file = files.tmpfs();
            try (Arena first = Arena.create(file, SIZE, ArenaGeometry.DEFAULT_BUFFER_SIZE)) {
                first.setRoot(0, 42);
                final byte[] before = Files.readAllBytes(file);
                final ArenaInUseException e = assertThrows(ArenaInUseException.class, () -> Arena.open(file));
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                assertThrows(ArenaInUseException.class, () -> MappedPmRegion.openExisting(file));
                assertArrayEquals(before, Files.readAllBytes(file), "the refused open wrote nothing (no in-use mark)");
                assertEquals(42, first.root(0), "the owner's arena is unharmed");
                assertTrue(first.allocateRecord() != Arena.NONE, "the owner still allocates");
            }
            try (Arena second = Arena.open(file)) {
                second.recover().finish();
                assertEquals(42, second.root(0), "after the owner closed, the next open gets the arena");
            }
        }
    }
}
