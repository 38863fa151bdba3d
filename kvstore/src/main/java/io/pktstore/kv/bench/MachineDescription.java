package io.pktstore.kv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The machine a run measured, as markdown: the figures mean little without it, and the machines here
 * are shared and noisy, so the load average at the start and at the end is part of the record.
 */
final class MachineDescription
{
    private final String loadAtStart;
    private final Instant started;

    MachineDescription()
    {
        this.loadAtStart = loadAverage();
        this.started = Instant.now();
    }

    /** @return the description, with the load average now as the end's. */
    String markdown(final String commandLine)
    {
        return "# Machine\n\n"
            + "| what | value |\n|---|---|\n"
            + "| started | " + started + " |\n"
            + "| finished | " + Instant.now() + " |\n"
            + "| CPU | " + procField(Path.of("/proc/cpuinfo"), "model name") + " |\n"
            + "| cores (online / available to the JVM) | " + firstLine(Path.of("/sys/devices/system/cpu/online")) + " / "
            + Runtime.getRuntime().availableProcessors() + " |\n"
            + "| memory | " + procField(Path.of("/proc/meminfo"), "MemTotal") + " |\n"
            + "| kernel | " + firstLine(Path.of("/proc/sys/kernel/osrelease")) + " |\n"
            + "| JDK | " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " |\n"
            + "| load average at start (1, 5, 15 min) | " + loadAtStart + " |\n"
            + "| load average at end | " + loadAverage() + " |\n"
            + "| arena | a fresh file in /dev/shm per system and round (tmpfs: cache-line write-back) |\n"
            + "| link | one veth pair; server end in the root namespace, client end in a namespace of the run |\n"
            + "| command | `" + commandLine + "` |\n";
    }

    /** @return the value of the first "name: value" line of a /proc file that starts with {@code name}. */
    private static String procField(final Path file, final String name)
    {
        try
        {
            for (final String line : Files.readAllLines(file))
            {
                if (line.startsWith(name) && line.indexOf(':') > 0)
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException ignored)
        {
            // reported as unknown
        }
        return "unknown";
    }

    private static String loadAverage()
    {
        final String line = firstLine(Path.of("/proc/loadavg"));
        final String[] parts = line.split(" ");
        return parts.length >= 3 ? String.join(", ", List.of(parts[0], parts[1], parts[2])) : line;
    }

    private static String firstLine(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "" : lines.get(0).trim();
        }
        catch (final IOException e)
        {
            return "unknown";
        }
    }
}
