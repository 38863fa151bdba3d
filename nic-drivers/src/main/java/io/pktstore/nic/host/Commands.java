package io.pktstore.nic.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs external commands (ip, ethtool, nft, python3, tshark, ...) with a timeout, capturing their output. */
public final class Commands
{
    /** Timeout of {@link #run(List)}. */
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    private Commands()
    {
    }

    /**
     * @param command program and arguments.
     * @return the result (not checked).
     */
    public static CommandResult run(final List<String> command)
    {
        return run(command, DEFAULT_TIMEOUT_MS);
    }

    /**
     * @param command program and arguments.
     * @return the result, checked: throws if the exit code is not 0.
     */
    public static CommandResult check(final String... command)
    {
        return run(List.of(command)).check();
    }

    /**
     * @param command program and arguments.
     * @param timeoutMs how long to wait; the process (started here) is killed after that, exit code -1.
     * @return the result (not checked).
     * @throws HostSetupException if the program cannot be started (e.g. not installed).
     */
    public static CommandResult run(final List<String> command, final long timeoutMs)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        }
        catch (final IOException ex)
        {
            throw new HostSetupException("cannot start " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        // Own threads, not the common pool (one thread on 2 cores): both pipes must drain at once.
        final CompletableFuture<String> out = drainAsync(process.getInputStream(), command);
        final CompletableFuture<String> err = drainAsync(process.getErrorStream(), command);
        try
        {
            final boolean done = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            if (!done)
            {
                // Its children too (by handle, all started by it): a background child that inherited
                // the output pipes would otherwise keep them open and the drains below never end.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            return new CommandResult(command, done ? process.exitValue() : -1, out.join(),
                err.join() + (done ? "" : "\n(killed after " + timeoutMs + " ms)"));
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HostSetupException("interrupted while running " + String.join(" ", command), ex);
        }
    }

    private static CompletableFuture<String> drainAsync(final InputStream in, final List<String> command)
    {
        final CompletableFuture<String> result = new CompletableFuture<>();
        final Thread t = new Thread(() ->
        {
            try
            {
                result.complete(drain(in));
            }
            catch (final RuntimeException ex)
            {
                result.completeExceptionally(ex);
            }
        }, "drain-" + command.get(0));
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static String drain(final InputStream in)
    {
        try (in)
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
