package io.pktstore.kv.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the pktstore command line in-process and keeps what it printed, for assertions. */
final class CommandRun {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    /** @return the exit status (0 ok, 1 runtime failure, 2 usage error). */
    int run(final String... args) {
        final CommandLine cl = PktstoreCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }
}
