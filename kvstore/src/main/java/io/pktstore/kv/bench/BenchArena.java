package io.pktstore.kv.bench;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fresh arena file in /dev/shm (the node's default medium: tmpfs, cache-line write-back) holding a
 * new store, made for one round of one system and deleted after it, so no round inherits another's
 * data or fragmentation. Sized for the workload's keys twice over (overwrites free the old value only
 * after their commit) plus the stack's receive buffers.
 */
final class BenchArena implements AutoCloseable
{
    private static final long MIN_BYTES = 256L << 20;

    private final Path file;
    private final Arena arena;
    private final KvStore store;

    BenchArena(final Engine engine, final KvStoreConfig config, final Workload workload) throws IOException
    {
        file = Files.createTempFile(Path.of("/dev/shm"), "pks-bench-", ".arena");
        Files.delete(file);   // Arena.create makes the file; the name only has to be ours
        final long perKey = 2L * (ArenaGeometry.DEFAULT_BUFFER_SIZE + (long)workload.valueBytes() * 2);
        final long bytes = Math.max(MIN_BYTES, perKey * workload.keyCount() + (64L << 20));
        arena = Arena.create(file, bytes, ArenaGeometry.DEFAULT_BUFFER_SIZE);
        try
        {
            store = KvStore.create(arena, engine, config);
        }
        catch (final RuntimeException e)
        {
            close();
            throw e;
        }
    }

    /** @return the store (its arena is {@code store().arena()}). */
    KvStore store()
    {
        return store;
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            arena.close();
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }
}
