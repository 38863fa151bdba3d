package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.kv.store.RecoveryReport;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * An arena file opened by a command that does not serve (inspect, scrub): held exclusively, its store
 * recovered exactly as a node's start would, the recovery reported, and closed cleanly afterwards.
 */
final class OfflineStore implements AutoCloseable
{
    final Arena arena;
    final KvStore store;

    OfflineStore(final Path file)
    {
        arena = Arena.open(file);
        try
        {
            store = KvStore.open(arena, KvStoreConfig.defaults(), null);
        }
        catch (final RuntimeException e)
        {
            arena.close();
            throw e;
        }
    }

    /** Prints the recovery's summary and every problem it found. */
    RecoveryReport printRecovery(final PrintWriter out)
    {
        final RecoveryReport report = store.recoveryReport();
        out.printf("recovery: %s%n", report.summary());
        for (final String problem : report.problems())
        {
            out.printf("recovery: %s%n", problem);
        }
        return report;
    }

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
