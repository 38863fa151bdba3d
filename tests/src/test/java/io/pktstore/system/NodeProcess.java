package io.pktstore.system;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The storage node as a separate process (the self-contained jar the launcher runs), serving on an
 * interface of a test host, so tests can stop it with SIGTERM or kill it with SIGKILL and start it
 * again on the same arena. Its output goes to a file (a pipe would lose the last lines: the JDK swaps
 * a child's stdout stream when the child exits), read back by {@link #output()}; start waits until it
 * serves.
 */
final class NodeProcess implements AutoCloseable
{
    /** The node's jar, built by the kvstore module's package phase before this module's tests run. */
    static final Path JAR = projectRoot().resolve(Path.of("kvstore", "target", "pktstore-node.jar"));

    /** @return the project's root: these classes are in tests/target/test-classes, whatever the working directory. */
    private static Path projectRoot()
    {
        try
        {
            return Path.of(NodeProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().getParent();
        }
        catch (final java.net.URISyntaxException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private final Process process;
    private final Path log;

    private NodeProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code pktstore serve} with the given arguments and waits until it serves (its "running"
     * line) or fails.
     *
     * @return the running node.
     * @throws IllegalStateException with the node's output if it did not come up within 60 s
     */
    static NodeProcess start(final List<String> serveArguments) throws Exception
    {
        final List<String> arguments = new ArrayList<>(List.of("serve"));
        arguments.addAll(serveArguments);
        final NodeProcess node = launch(arguments);
        final Process p = node.process;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            if (node.output().contains("pktstore: running"))
            {
                return node;
            }
            if (!p.isAlive())
            {
                throw new IllegalStateException("the node exited with " + p.exitValue() + ":\n" + node.output());
            }
            Thread.sleep(20);
        }
        node.kill();
        throw new IllegalStateException("the node did not come up in 60 s:\n" + node.output());
    }

    /**
     * Runs a pktstore command to its end (a replay, inspect, scrub).
     *
     * @return the process, ended; its output through {@link #output()}, its status through {@link #exitStatus()}.
     */
    static NodeProcess run(final List<String> arguments, final long timeoutSeconds) throws Exception
    {
        final NodeProcess node = launch(arguments);
        if (!node.process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            node.kill();
            throw new IllegalStateException("pktstore " + String.join(" ", arguments) + " did not end in " + timeoutSeconds
                + " s:\n" + node.output());
        }
        return node;
    }

    private static NodeProcess launch(final List<String> arguments) throws IOException
    {
        if (!Files.exists(JAR))
        {
            throw new IllegalStateException(JAR + " is missing: the kvstore module's package phase builds it");
        }
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx1g");
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(arguments);
        final Path log = Files.createTempFile("pks-node-", ".log");
        log.toFile().deleteOnExit();
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new NodeProcess(p, log);
    }

    /** @return the exit status of a process that has ended. */
    int exitStatus()
    {
        return process.exitValue();
    }

    /** @return everything the node printed so far. */
    String output()
    {
        try
        {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            return "(cannot read the node's output " + log + ": " + e + ")";
        }
    }

    /** @return the node's pid. */
    long pid()
    {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no clean close; waits until it is gone. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the node commits, closes the arena cleanly and exits. @return its exit status. */
    int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the node did not stop on SIGTERM within 60 s:\n" + output());
        }
        return process.exitValue();
    }

    /** @return true while the process runs. */
    boolean alive()
    {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
