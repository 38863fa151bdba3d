package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaException;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.RecoveryReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's arena file. A missing or empty file is created and formatted; an existing arena is
 * opened and recovered; any other file is refused by the arena with a message naming the cause and
 * left untouched. The arena's region holds the file exclusively while the node runs, so a second
 * node on the same file is refused ({@code ArenaInUseException}).
 */
final class ArenaFile implements AutoCloseable {
    private final Arena arena;
    private final boolean created;
    private final RecoveryReport recovery;

    private ArenaFile(final Arena arena, final boolean created, final RecoveryReport recovery) {
        this.arena = arena;
        this.created = created;
        this.recovery = recovery;
    }

    /**
     * @param path arena file
     * @param size size of a new file in bytes (ignored for an existing arena)
     * @return the ready arena, held exclusively
     * @throws ArenaException if the file is in use, not an arena, damaged, or cannot be mapped
     */
    static ArenaFile openOrCreate(final Path path, final long size) {
        if (isMissingOrEmpty(path)) {
            return new ArenaFile(Arena.create(path, size, ArenaGeometry.DEFAULT_BUFFER_SIZE), true, null);
        }
        final Arena arena = Arena.open(path);
        try {
            // The node has no index yet, so nothing is reachable: recovery returns every slot to the free lists.
            return new ArenaFile(arena, false, arena.recover().finish());
        } catch (final RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static boolean isMissingOrEmpty(final Path path) {
        try {
            return !Files.exists(path) || Files.size(path) == 0;
        } catch (final IOException e) {
            throw new ArenaException("cannot inspect arena file " + path + ": " + e.getMessage(), e);
        }
    }

    Arena arena() {
        return arena;
    }

    /** @return a line for the operator: how the arena was obtained. */
    String describe() {
        final String how = created ? "created" : "opened (previous shutdown " + (recovery.wasCleanShutdown()
            ? "clean" : "UNCLEAN") + "; recovery reclaimed " + recovery.reclaimedRecords() + " records, "
            + recovery.reclaimedBuffers() + " buffers)";
        return how + ", " + arena.geometry() + ", mode " + arena.mode();
    }

    @Override
    public void close() {
        arena.close();
    }
}
