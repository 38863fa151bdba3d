package io.pktstore.kv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pktstore} command line (run through the {@code ./pktstore} launcher, which supplies the
 * JVM flags). With no subcommand it runs the node on its built-in default.
 */
@Command(name = "pktstore", mixinStandardHelpOptions = true, version = "pktstore 0.1.0-SNAPSHOT",
    description = "A storage node whose network packets are its persistent data structures.",
    subcommands = {ServeCommand.class, InspectCommand.class, ScrubCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class PktstoreCommand implements java.util.concurrent.Callable<Integer> {

    /** Without a subcommand: the node's default, exactly as {@code pktstore serve} with no flags. */
    @Override
    public Integer call() {
        return commandLine().execute("serve");
    }

    /**
     * Entry point: exits with the command's status (0 success, 1 runtime failure, 2 bad usage).
     *
     * @param args command-line arguments
     */
    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return the configured command line (also used by tests, which must not call System.exit). */
    public static CommandLine commandLine() {
        final CommandLine cl = new CommandLine(new PktstoreCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("pktstore: " + ex.getMessage());
            return 1;
        });
        return cl;
    }
}
