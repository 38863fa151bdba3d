package io.pktstore.stack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the machine a benchmark ran on (cores, CPU model, JVM, load average at start). */
final class BenchMachine
{
    private BenchMachine()
    {
    }

    static String describe()
    {
        String model = "unknown CPU";
        String load = "?";
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (final IOException ignored)
        {
            // not Linux: leave the defaults
        }
        return "machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + model + ", java " +
            System.getProperty("java.version") + ", loadavg " + load;
    }
}
