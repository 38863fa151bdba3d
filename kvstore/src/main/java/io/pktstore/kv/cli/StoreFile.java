package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaException;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.MappedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.store.KvFormatException;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's arena file and the store in it.
 * <ul>
 *   <li>A missing or empty file is created, formatted and given a new store of the requested engine
 *       (the skip list unless asked otherwise).</li>
 *   <li>An existing arena is opened, its link log replayed, its store recovered (every stored segment
 *       re-verified). An arena holding no store, or a store of another engine than asked for, is refused
 *       with a message that names the cause; nothing is written.</li>
 *   <li>With {@code --shards N} every shard has its own file, and each store records which shard of how
 *       many it is ({@link KvFormat#ROOT_SHARD}, written once at creation): a file opened as another
 *       shard, or by a node with another shard count, is refused before anything is written, since its
 *       keys were dealt by another map.</li>
 *   <li>Only {@code --format} reformats an existing file (at its current size): everything in it is
 *       lost.</li>
 *   <li>Anything else (a file that is not an arena, of another format version, truncated) is refused by
 *       the arena with a message naming the cause and left untouched. The file is held exclusively while
 *       open: a second node on it is refused.</li>
 * </ul>
 */
final class StoreFile implements AutoCloseable
{
    private final Arena arena;
    private final KvStore store;
    private final String how;

    private StoreFile(final Arena arena, final KvStore store, final String how)
    {
        this.arena = arena;
        this.store = store;
        this.how = how;
    }

    /** Opens a node's only store (shard 0 of 1): see the other overload. */
    static StoreFile open(final Path path, final long size, final int recordsPerBuffer, final Engine engine,
                          final boolean format, final KvStoreConfig config)
    {
        return open(path, size, recordsPerBuffer, engine, format, config, new int[] {0, 1});
    }

    /**
     * @param path the arena file.
     * @param size size of a new file in bytes.
     * @param recordsPerBuffer records per buffer of a new file.
     * @param engine the engine wanted, or null: the existing store's, or the skip list for a new one.
     * @param format reformat an existing file.
     * @param config the store's settings.
     * @param shard the shard this file serves: {index, count}.
     * @return the open arena and store.
     * @throws ArenaException naming the cause if the file cannot be used (nothing written then)
     */
    static StoreFile open(final Path path, final long size, final int recordsPerBuffer, final Engine engine,
                          final boolean format, final KvStoreConfig config, final int[] shard)
    {
        if (!config.servesData())
        {
            // The benchmark's stage switches never reach a file a node serves (the benchmark builds its stores itself).
            throw new IllegalArgumentException("a serving node's store is zero copy and persistent, not "
                + config.writeMode() + (config.persistence() ? "" : " without persistence"));
        }
        final long identity = KvFormat.shardIdentity(shard[0], shard[1]);
        final Engine newEngine = engine != null ? engine : Engine.SKIPLIST;
        if (isMissingOrEmpty(path))
        {
            final Arena arena = createArena(path, size, recordsPerBuffer);
            return withNewStore(arena, newEngine, config, identity, "created");
        }
        if (format)
        {
            final MappedPmRegion region = MappedPmRegion.openExisting(path, null);
            final Arena arena;
            try
            {
                arena = Arena.formatOverwriting(region,
                    ArenaGeometry.forFileSize(region.size(), ArenaGeometry.DEFAULT_BUFFER_SIZE, recordsPerBuffer));
            }
            catch (final RuntimeException e)
            {
                region.close();
                throw e;
            }
            return withNewStore(arena, newEngine, config, identity, "reformatted (--format: its previous contents are gone)");
        }
        final Arena arena = Arena.open(path);
        try
        {
            checkShard(arena, shard);
            final KvStore store;
            try
            {
                store = KvStore.open(arena, config, engine);
            }
            catch (final KvFormatException e)
            {
                throw new KvFormatException(e.getMessage() + " (pass --format to replace it with an empty store)");
            }
            return new StoreFile(arena, store, "opened (previous shutdown " + (arena.wasCleanShutdown() ? "clean" : "UNCLEAN")
                + ")");
        }
        catch (final RuntimeException e)
        {
            arena.close();
            throw e;
        }
    }

    private static Arena createArena(final Path path, final long size, final int recordsPerBuffer)
    {
        return Arena.create(path, size, ArenaGeometry.DEFAULT_BUFFER_SIZE, recordsPerBuffer, null);
    }

    /** Refuses a store that another shard, or a node with another shard count, wrote (before recovery writes). */
    private static void checkShard(final Arena arena, final int[] shard)
    {
        final int[] held = KvFormat.shardOf(arena.root(KvFormat.ROOT_SHARD));
        if (held == null)
        {
            throw new KvFormatException(arena.name() + " has a malformed shard identity (root slot " + KvFormat.ROOT_SHARD
                + " = " + Long.toHexString(arena.root(KvFormat.ROOT_SHARD)) + ")");
        }
        if (held[0] != shard[0] || held[1] != shard[1])
        {
            throw new KvFormatException(arena.name() + " holds shard " + held[0] + " of " + held[1] + ", but this node opens it "
                + "as shard " + shard[0] + " of " + shard[1] + ": start with --shards " + held[1]
                + " (keys are dealt to shards by their count), or use other arena files");
        }
    }

    private static StoreFile withNewStore(final Arena arena, final Engine engine, final KvStoreConfig config,
                                          final long shardIdentity, final String how)
    {
        try
        {
            // The identity before the KV marker: a store never exists without it.
            arena.setRoot(KvFormat.ROOT_SHARD, shardIdentity);
            return new StoreFile(arena, KvStore.create(arena, engine, config), how);
        }
        catch (final RuntimeException e)
        {
            arena.close();
            throw e;
        }
    }

    private static boolean isMissingOrEmpty(final Path path)
    {
        try
        {
            return !Files.exists(path) || Files.size(path) == 0;
        }
        catch (final IOException e)
        {
            throw new ArenaException("cannot inspect arena file " + path + ": " + e.getMessage(), e);
        }
    }

    Arena arena()
    {
        return arena;
    }

    KvStore store()
    {
        return store;
    }

    /** @return a line for the operator: how the arena was obtained, its size and mode, the engine. */
    String describe()
    {
        final ArenaGeometry g = arena.geometry();
        return how + ", " + (g.requiredBytes() >> 20) + " MiB (" + g.recordCount() + " records, " + g.bufferCount()
            + " buffers of " + g.bufferSize() + " B), mode " + arena.mode() + ", engine " + store.engine().cliName();
    }

    /** Commits what ran, then closes the arena cleanly (the clean-shutdown flag). */
    @Override
    public void close()
    {
        try
        {
            store.close();
        }
        finally
        {
            arena.close();
        }
    }
}
