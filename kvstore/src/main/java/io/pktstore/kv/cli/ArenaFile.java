package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaException;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.RecoveryReport;

import io.pktstore.kv.cli.internal.FlockLibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's arena file, held under an exclusive lock for as long as the node runs: two processes
 * mapping one arena would each rebuild free lists the other is using and hand out the same buffers.
 * A missing or empty file is created and formatted; an existing arena is opened and recovered; any
 * other file is refused by the arena with a message naming the cause and left untouched.
 */
final class ArenaFile implements AutoCloseable {
    private final int lockFd;
    private final Arena arena;
    private final boolean created;
    private final RecoveryReport recovery;

    private ArenaFile(final int lockFd, final Arena arena, final boolean created, final RecoveryReport recovery) {
        this.lockFd = lockFd;
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
        final FlockLibC libc = FlockLibC.INSTANCE;
        // flock on a descriptor held for the node's lifetime, not FileChannel.tryLock: that is a POSIX
        // record lock, which the kernel silently drops when this process closes any other descriptor
        // of the file, and mapping the arena below opens and closes one.
        final int fd = libc.open(path.toString(), FlockLibC.O_RDWR | FlockLibC.O_CREAT | FlockLibC.O_CLOEXEC, 0644);
        if (fd < 0) {
            throw new ArenaException("cannot open arena file " + path + ": " + lastError());
        }
        try {
            if (libc.flock(fd, FlockLibC.LOCK_EX | FlockLibC.LOCK_NB) != 0) {
                if (FlockLibC.errno() == FlockLibC.EWOULDBLOCK) {
                    throw new ArenaException("arena file " + path + " is in use by another pktstore process");
                }
                throw new ArenaException("cannot lock arena file " + path + ": " + lastError());
            }
            final boolean fresh = Files.size(path) == 0;
            if (fresh) {
                return new ArenaFile(fd, Arena.create(path, size, ArenaGeometry.DEFAULT_BUFFER_SIZE), true, null);
            }
            final Arena arena = Arena.open(path);
            try {
                // The node has no index yet, so nothing is reachable: recovery returns every slot to the free lists.
                return new ArenaFile(fd, arena, false, arena.recover().finish());
            } catch (final RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (final IOException e) {
            abandon(fd, path, existed);
            throw new ArenaException("cannot size arena file " + path + ": " + e.getMessage(), e);
        } catch (final RuntimeException e) {
            abandon(fd, path, existed);
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
            FlockLibC.INSTANCE.close(lockFd); // releases the flock
        }
    }

    /** Releases the lock; removes the file only if this call created it (it is then empty). */
    private static void abandon(final int fd, final Path path, final boolean existed) {
        FlockLibC.INSTANCE.close(fd);
        if (!existed) {
            try {
                Files.deleteIfExists(path);
            } catch (final IOException ignored) {
                // an empty file left behind is harmless: the next start formats it
            }
        }
    }

    private static String lastError() {
        final int errno = FlockLibC.errno();
        return FlockLibC.INSTANCE.strerror(errno) + " (errno " + errno + ")";
    }
}
