package io.pktstore.nic.host;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.pktstore.nic.InsufficientPrivilegesException;
import io.pktstore.nic.internal.LibC;

import static io.pktstore.nic.internal.LibC.C;

/**
 * A named network namespace (/run/netns/NAME, as `ip netns` makes them). Commands run in it through
 * {@code ip netns exec}; Java code runs in it by moving the calling thread with setns(2), which
 * affects only that thread (sockets it opens belong to the namespace, threads it starts inherit it).
 */
public final class NetNamespace implements AutoCloseable
{
    private final String name;
    private final boolean owned;
    private boolean closed;

    private NetNamespace(final String name, final boolean owned)
    {
        this.name = name;
        this.owned = owned;
    }

    /**
     * Creates a namespace with a fresh "pks" name, registered for cleanup (owner marker, shutdown hook).
     *
     * @return the namespace; close() deletes it.
     */
    public static NetNamespace create()
    {
        final String stem = HostNames.newStem();
        final NetNamespace ns = new NetNamespace(stem + "n", true);
        HostRegistry.register(stem, List.of("netns:" + ns.name), ns);
        try
        {
            ns.add();
        }
        catch (final RuntimeException ex)
        {
            try
            {
                ns.close();
            }
            catch (final RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
        return ns;
    }

    /** Creates the namespace under a name chosen (and registered) by the caller, e.g. {@link VethTopology}. */
    static NetNamespace createUnregistered(final String name)
    {
        final NetNamespace ns = new NetNamespace(name, false);
        ns.add();
        return ns;
    }

    private void add()
    {
        Commands.check("ip", "netns", "add", name);
        // Loopback up: kernel sockets in the namespace expect it.
        exec(List.of("ip", "link", "set", "lo", "up")).check();
    }

    /** @return the namespace's name. */
    public String name()
    {
        return name;
    }

    /**
     * Runs a command inside the namespace ({@code ip netns exec NAME ...}).
     *
     * @param command program and arguments.
     * @return the result, not checked.
     */
    public CommandResult exec(final List<String> command)
    {
        return exec(command, Commands.DEFAULT_TIMEOUT_MS);
    }

    /**
     * @param command program and arguments.
     * @param timeoutMs time limit.
     * @return the result, not checked.
     */
    public CommandResult exec(final List<String> command, final long timeoutMs)
    {
        return Commands.run(inside(command), timeoutMs);
    }

    /**
     * Starts a long-running command inside the namespace ({@code ip netns exec NAME ...}) without
     * waiting for it, e.g. a kernel server or load generator. The caller owns the process: end it by
     * its handle ({@link Process#destroy()}) before closing the namespace.
     *
     * @param command program and arguments.
     * @return the started process (stdin from /dev/null; stdout and stderr are pipes to read or drain).
     * @throws HostSetupException if it cannot be started.
     */
    public Process start(final List<String> command)
    {
        final List<String> full = inside(command);
        try
        {
            return new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        }
        catch (final java.io.IOException ex)
        {
            throw new HostSetupException("cannot start " + String.join(" ", full) + ": " + ex.getMessage(), ex);
        }
    }

    /** @return {@code ip netns exec NAME} followed by the command. */
    private List<String> inside(final List<String> command)
    {
        final List<String> full = new ArrayList<>(command.size() + 4);
        full.add("ip");
        full.add("netns");
        full.add("exec");
        full.add(name);
        full.addAll(command);
        return full;
    }

    /**
     * Runs {@code task} on the calling thread inside this namespace, then moves the thread back to
     * the namespace it was in.
     *
     * @param task the code to run; sockets it opens live in this namespace.
     * @param <T> result type.
     * @return what the task returned.
     * @throws Exception whatever the task threw.
     */
    public <T> T call(final Callable<T> task) throws Exception
    {
        final int home = openNs("/proc/thread-self/ns/net");
        try
        {
            final int target = openNs("/run/netns/" + name);
            try
            {
                enter(target, name);
            }
            finally
            {
                C.close(target);
            }
            try
            {
                return task.call();
            }
            finally
            {
                // A thread left in the wrong namespace would send traffic to the wrong place: fail loudly.
                enter(home, "the thread's original namespace");
            }
        }
        finally
        {
            C.close(home);
        }
    }

    /**
     * Starts a thread that enters this namespace first and then runs {@code body}.
     *
     * @param threadName the thread's name.
     * @param body the code to run in the namespace.
     * @return the started thread.
     */
    public Thread startThread(final String threadName, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            final int target = openNs("/run/netns/" + name);
            try
            {
                enter(target, name);
            }
            finally
            {
                C.close(target);
            }
            body.run();
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static int openNs(final String path)
    {
        final int fd = C.open(path, LibC.O_RDONLY_CLOEXEC);
        if (fd < 0)
        {
            throw new HostSetupException("cannot open network namespace " + path + ": " + LibC.describe(LibC.errno()));
        }
        return fd;
    }

    private static void enter(final int fd, final String what)
    {
        if (C.setns(fd, LibC.CLONE_NEWNET) != 0)
        {
            final int errno = LibC.errno();
            if (errno == LibC.EPERM)
            {
                throw new InsufficientPrivilegesException("entering network namespace " + what +
                    " needs CAP_SYS_ADMIN (setns: " + LibC.describe(errno) + ")");
            }
            throw new HostSetupException("setns into network namespace " + what + " failed: " + LibC.describe(errno));
        }
    }

    /** Deletes the namespace by name (idempotent). */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            HostRegistry.removeNamespace(name);
            if (owned)
            {
                HostRegistry.unregister(name.substring(0, name.length() - 1), this);
            }
        }
    }
}
