package io.pktstore.kv.cli;

import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.RecoveryReport;
import io.pktstore.kv.store.Scrubber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pktstore scrub ARENA}: offline, recovers the store (which verifies every stored segment and
 * repairs the index if a link is damaged), then runs a full scrub pass over every key and checks the
 * index's invariants. Exit status 0 if everything verified, 3 if anything was damaged (the report
 * names it), 1 if the file cannot be opened.
 */
@Command(name = "scrub", mixinStandardHelpOptions = true,
    description = "Verify every stored segment of an arena offline and report damage (exit 3 if any).")
public final class ScrubCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ARENA", description = "The arena file (not in use by a node).")
    private Path file;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (OfflineStore offline = new OfflineStore(file))
        {
            final KvStore store = offline.store;
            final RecoveryReport report = offline.printRecovery(out);
            final Scrubber scrubber = new Scrubber(store);
            scrubber.runPass();
            out.printf("scrub: %d keys, %d records verified, %d damaged, index %s%n", scrubber.passNodes(),
                scrubber.recordsChecked(), store.damagedCount(),
                scrubber.indexProblem() == null ? "sound" : "DAMAGED: " + scrubber.indexProblem());
            for (final String name : report.damagedKeyNames())
            {
                out.printf("damaged key: %s%n", name);
            }
            out.flush();
            final boolean clean = report.isClean() && store.damagedCount() == 0 && scrubber.indexProblem() == null;
            return clean ? 0 : 3;
        }
    }
}
