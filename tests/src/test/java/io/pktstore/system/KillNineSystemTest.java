package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 under write load, again and again: start the node on the same arena, let 8 writer
 * connections (the kernel's TCP in the client namespace) store values, SIGKILL the node at a random
 * moment, restart it, and check against the writers' logs that every acknowledged write came back with
 * its exact value and that nothing else half-exists (each key holds its last acknowledged value or an
 * attempt whose acknowledgement was lost with the node). Alternates the two engines by arena. A kill
 * -9 proves process-crash safety (the arena is on tmpfs); power-loss safety is the crash simulator's.
 */
class KillNineSystemTest
{
    private static final int CYCLES = 30;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void acknowledgedWritesSurviveThirtyKillNineCycles(@TempDir final Path dir) throws Exception
    {
        final SplittableRandom rnd = new SplittableRandom(0x9_9999L);
        final Path logs = Files.createDirectories(dir.resolve("logs"));
        final Path arena = Path.of("/dev/shm", "pks-kill9-" + ProcessHandle.current().pid() + ".arena");
        Files.deleteIfExists(arena);
        long verifiedKeys = 0;
        long acknowledged = 0;
        try (TestHost host = new TestHost())
        {
            for (int cycle = 0; cycle < CYCLES; cycle++)
            {
                final String engine = cycle == 0 ? "rbtree" : null;   // the arena keeps its engine
                try (NodeProcess node = NodeProcess.start(engine == null ? host.nodeArguments(arena, "--arena-size", "64m")
                    : host.nodeArguments(arena, "--arena-size", "64m", "--engine", engine)))
                {
                    if (cycle > 0)
                    {
                        assertTrue(node.output().contains("previous shutdown UNCLEAN"), node.output());
                        final CommandResult check = host.python(120_000, "verify_writes.py", TestHost.NODE_IP, "6379",
                            logs.toString());
                        assertEquals(0, check.exitCode(), "cycle " + cycle + ": " + check + "\n" + node.output());
                        final String line = check.stdout().trim();
                        verifiedKeys = Long.parseLong(line.split(" ")[1]);
                        acknowledged = Long.parseLong(line.split(", ")[1].split(" ")[0]);
                    }
                    final Process writers = host.start(List.of("python3", TestHost.scriptFile("writers.py").toString(),
                        TestHost.NODE_IP, "6379", "8", logs.toString(), Integer.toString(cycle), "5", Integer.toString(cycle)));
                    Thread.sleep(300 + rnd.nextInt(1700));
                    node.kill();
                    assertTrue(writers.waitFor(60, TimeUnit.SECONDS), "writers did not stop after the kill");
                }
            }
            // The last cycle's writes, checked after a final restart.
            try (NodeProcess node = NodeProcess.start(host.nodeArguments(arena)))
            {
                final CommandResult check = host.python(120_000, "verify_writes.py", TestHost.NODE_IP, "6379", logs.toString());
                assertEquals(0, check.exitCode(), check + "\n" + node.output());
                final String line = check.stdout().trim();
                verifiedKeys = Long.parseLong(line.split(" ")[1]);
                acknowledged = Long.parseLong(line.split(", ")[1].split(" ")[0]);
                node.stop();   // SIGTERM: the JVM exits with 143, after the node closed the arena cleanly
                assertTrue(node.output().contains("arena closed cleanly"), node.output());
            }
        }
        finally
        {
            Files.deleteIfExists(arena);
        }
        System.out.printf("KillNineSystemTest: %d kill -9 cycles, %d keys verified, %d keys with acknowledged writes, 0 lost%n",
            CYCLES, verifiedKeys, acknowledged);
        assertTrue(acknowledged > 500, "the writers made progress: " + acknowledged);
    }
}
