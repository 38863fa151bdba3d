package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.RecoveryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pktstore inspect ARENA}: the arena's superblock and geometry, the store's engine, key count and
 * space use, and what recovery found. Opening recovers the store exactly as the node's start would
 * (replaying the link log, verifying every stored segment, repairing what it can); the file is
 * closed cleanly afterwards.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Print an arena's superblock, engine, key count and space use (runs recovery, as a start would).")
public final class InspectCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ARENA", description = "The arena file.")
    private Path file;

    @Option(names = "--keys", description = "Also list every key in order: key, value length, SHA-256 of the value "
        + "(bytes other than printable ASCII as \\xHH), to compare stores with diff.")
    private boolean keys;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (OfflineStore offline = new OfflineStore(file))
        {
            final Arena arena = offline.arena;
            final ArenaGeometry g = arena.geometry();
            out.printf("arena: %s%n", file);
            out.printf("format: version 2, %d bytes, mode %s, previous shutdown %s%n", g.requiredBytes(), arena.mode(),
                arena.wasCleanShutdown() ? "clean" : "UNCLEAN (crash or kill)");
            out.printf("geometry: %d records, %d buffers of %d B, %d overflow blocks, link log of 2 x %d entries%n",
                g.recordCount(), g.bufferCount(), g.bufferSize(), g.overflowBlockCount(), g.logCapacity());
            out.printf("link log: replayed %d entries at open%s%n", arena.linkLogReplay().applied(),
                arena.linkLogReplay().skipped() > 0 ? " (" + arena.linkLogReplay().skipped() + " damaged entries skipped)" : "");
            final KvStore store = offline.store;
            final RecoveryReport report = store.recoveryReport();
            final int[] shard = KvFormat.shardOf(arena.root(KvFormat.ROOT_SHARD));
            out.printf("store: engine %s, %d keys, %d value bytes, %s%n", store.engine().cliName(), report.keys(),
                report.valueBytes(), shard == null ? "MALFORMED shard identity " + Long.toHexString(arena.root(KvFormat.ROOT_SHARD))
                : "shard " + shard[0] + " of " + shard[1]);
            out.printf("space: records %d used / %d, buffers %d used / %d (%.1f%% of buffers)%n",
                g.recordCount() - arena.freeRecordCount(), g.recordCount(), g.bufferCount() - arena.freeBufferCount(),
                g.bufferCount(), 100.0 * (g.bufferCount() - arena.freeBufferCount()) / g.bufferCount());
            offline.printRecovery(out);
            if (keys)
            {
                out.println("keys:");
                KeyListing.print(store, out);
            }
            out.flush();
            return report.isClean() ? 0 : 3;
        }
    }
}
