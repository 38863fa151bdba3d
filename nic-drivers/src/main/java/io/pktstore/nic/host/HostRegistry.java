package io.pktstore.nic.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Ownership of the namespaces and interfaces this process creates, so they are always removed:
 * <ol>
 *   <li>Before anything is created, a marker file {@code /run/pktstore-hosts/<stem>.owner} records the
 *       owner's pid and its start time (field 22 of /proc/pid/stat, so a recycled pid is not
 *       mistaken for the owner) and the names to be created.</li>
 *   <li>{@link #sweepStale()} (run once per JVM before the first creation) removes, by name, every
 *       namespace and interface listed in a marker whose owner is dead, then the marker. Hosts of
 *       live owners, and pks-named things without a marker, are left alone.</li>
 *   <li>A JVM shutdown hook closes whatever is still open when the JVM exits normally or on SIGTERM;
 *       after SIGKILL the next run's sweep removes it.</li>
 * </ol>
 */
public final class HostRegistry
{
    /** Where owner markers live (tmpfs, so they vanish with the hosts at reboot). */
    public static final Path MARKER_DIR = Path.of("/run/pktstore-hosts");

    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    private static boolean swept;
    private static boolean hookInstalled;

    private HostRegistry()
    {
    }

    /**
     * Writes the owner marker for a new host (and sweeps stale hosts the first time).
     *
     * @param stem the host's name stem.
     * @param names the namespaces (prefixed "netns:") and interfaces (prefixed "link:") it will create.
     * @param host the object whose close() removes them; closed by the shutdown hook if still open.
     */
    static synchronized void register(final String stem, final List<String> names, final AutoCloseable host)
    {
        if (!swept)
        {
            swept = true;
            sweepStale();
        }
        if (!hookInstalled)
        {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(HostRegistry::closeAll, "pktstore-host-cleanup"));
        }
        final long pid = ProcessHandle.current().pid();
        final StringBuilder text = new StringBuilder();
        text.append("pid=").append(pid).append('\n');
        text.append("start=").append(startTime(pid)).append('\n');
        for (final String name : names)
        {
            text.append(name).append('\n');
        }
        try
        {
            Files.createDirectories(MARKER_DIR);
            // Written aside and renamed into place: a sweep in another JVM must never read a
            // half-written marker (no pid: owner taken for dead, marker deleted, hosts unguarded).
            final Path partial = MARKER_DIR.resolve(stem + ".owner.partial");
            Files.writeString(partial, text.toString(), StandardCharsets.US_ASCII);
            Files.move(partial, marker(stem), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new HostSetupException("cannot write owner marker " + marker(stem) + ": " + ex.getMessage(), ex);
        }
        OPEN.add(host);
    }

    /** Forgets a host that was closed and deletes its marker. */
    static synchronized void unregister(final String stem, final AutoCloseable host)
    {
        OPEN.remove(host);
        try
        {
            Files.deleteIfExists(marker(stem));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path marker(final String stem)
    {
        return MARKER_DIR.resolve(stem + ".owner");
    }

    private static void closeAll()
    {
        final List<AutoCloseable> hosts;
        synchronized (HostRegistry.class)
        {
            hosts = new ArrayList<>(OPEN);
        }
        for (final AutoCloseable host : hosts)
        {
            try
            {
                host.close();
            }
            catch (final Exception ex)
            {
                System.err.println("pktstore host cleanup: " + ex.getMessage());
            }
        }
    }

    /**
     * Removes hosts whose owner process is dead, by the names in their markers.
     *
     * @return the names removed.
     */
    public static synchronized List<String> sweepStale()
    {
        final List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(MARKER_DIR))
        {
            return removed;
        }
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(MARKER_DIR, "pks*.owner"))
        {
            for (final Path marker : markers)
            {
                final List<String> lines;
                try
                {
                    lines = Files.readAllLines(marker, StandardCharsets.US_ASCII);
                }
                catch (final NoSuchFileException sweptByAnotherJvm)
                {
                    continue; // another JVM's sweep got there between our listing and our read
                }
                long pid = -1;
                String start = "";
                boolean readable = true;
                for (final String line : lines)
                {
                    if (line.startsWith("pid="))
                    {
                        try
                        {
                            pid = Long.parseLong(line.substring(4).trim());
                        }
                        catch (final NumberFormatException ex)
                        {
                            readable = false;
                        }
                    }
                    else if (line.startsWith("start="))
                    {
                        start = line.substring(6).trim();
                    }
                }
                if (!readable || (pid > 0 && start.equals(startTime(pid))))
                {
                    continue; // owner alive, or a marker we cannot attribute: leave its hosts alone
                }
                for (final String line : lines)
                {
                    if (line.startsWith("link:") && removeLink(line.substring(5)))
                    {
                        removed.add(line);
                    }
                    else if (line.startsWith("netns:") && removeNamespace(line.substring(6)))
                    {
                        removed.add(line);
                    }
                }
                Files.deleteIfExists(marker);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new HostSetupException("sweeping stale test hosts in " + MARKER_DIR + " failed: " + ex.getMessage(), ex);
        }
        return removed;
    }

    /** @return true if the link existed and was deleted. */
    static boolean removeLink(final String name)
    {
        checkOurs(name);
        return Commands.run(List.of("ip", "link", "del", "dev", name)).ok();
    }

    /** @return true if the namespace existed and was deleted. */
    static boolean removeNamespace(final String name)
    {
        checkOurs(name);
        return Commands.run(List.of("ip", "netns", "del", name)).ok();
    }

    private static void checkOurs(final String name)
    {
        if (!name.startsWith(HostNames.PREFIX) || name.length() > 15 || !name.matches("[a-z0-9]+"))
        {
            throw new HostSetupException("refusing to remove '" + name + "': not a name this harness creates");
        }
    }

    /** @return the process start time in clock ticks (field 22 of /proc/pid/stat), "" if the process is gone. */
    static String startTime(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) may contain spaces; fields after its closing paren are plain.
            final String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return rest[19];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }
}
