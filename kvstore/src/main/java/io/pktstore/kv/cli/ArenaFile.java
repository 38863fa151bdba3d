package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaException;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.RecoveryReport;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The node's arena file, held under an exclusive lock for as long as the node runs: two processes
 * mapping one arena would each rebuild free lists the other is using and hand out the same buffers.
 * A missing or empty file is created and formatted; an existing arena is opened and recovered; any
 * other file is refused by the arena with a message naming the cause and left untouched.
 */
final class ArenaFile implements AutoCloseable {
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Arena arena;
    private final boolean created;
    private final RecoveryReport recovery;

    private ArenaFile(final FileChannel lockChannel, final FileLock lock, final Arena arena, final boolean created,
                      final RecoveryReport recovery) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.arena = arena;
        this.created = created;
        this.recovery = recovery;
    }

    /**
     * @param path arena file
     * @param size size of a new file in bytes (ignored for an existing arena)
     * @return the locked, ready arena
     * @throws ArenaException if the file is in use, not an arena, damaged, or cannot be mapped
     */
    static ArenaFile openOrCreate(final Path path, final long size) {
        final boolean existed = Files.exists(path);
        final FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (final IOException e) {
            throw new ArenaException("cannot open arena file " + path + ": " + e.getMessage(), e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (final java.nio.channels.OverlappingFileLockException heldByThisProcess) {
                lock = null;
            }
            if (lock == null) {
                throw new ArenaException("arena file " + path + " is in use by another pktstore process");
            }
            final boolean fresh = Files.size(path) == 0;
            if (fresh) {
                return new ArenaFile(channel, lock, Arena.create(path, size, ArenaGeometry.DEFAULT_BUFFER_SIZE), true, null);
            }
            final Arena arena = Arena.open(path);
            // The node has no index yet, so nothing is reachable: recovery returns every slot to the free lists.
            return new ArenaFile(channel, lock, arena, false, arena.recover().finish());
        } catch (final IOException e) {
            abandon(channel, path, existed);
            throw new ArenaException("cannot lock or size arena file " + path + ": " + e.getMessage(), e);
        } catch (final RuntimeException e) {
            abandon(channel, path, existed);
            throw e;
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
        try {
            arena.close();
        } finally {
            try {
                lock.release();
            } catch (final IOException ignored) {
                // the channel close below releases it too
            }
            closeQuietly(lockChannel);
        }
    }

    /** Releases the lock channel; removes the file only if this call created it (it is then empty). */
    private static void abandon(final FileChannel channel, final Path path, final boolean existed) {
        closeQuietly(channel);
        if (!existed) {
            try {
                Files.deleteIfExists(path);
            } catch (final IOException ignored) {
                // an empty file left behind is harmless: the next start formats it
            }
        }
    }

    private static void closeQuietly(final FileChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // nothing more to release
        }
    }
}
