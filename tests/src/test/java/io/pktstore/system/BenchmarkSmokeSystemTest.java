package io.pktstore.system;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark command ({@code pktstore bench}) with tiny counts, so it cannot rot: every system and
 * stage switch starts, serves the load generator over the veth without an error, and the results
 * folder holds a CSV with every point, the tables, the breakdown, a readable PNG and the machine
 * description. It checks that the command works and its output is well-formed, never how fast
 * anything is (benchmarks are never timed assertions).
 */
class BenchmarkSmokeSystemTest
{
    private static final List<String> SYSTEMS = List.of("net-only", "pktstore-skiplist", "pktstore-rbtree", "copying-store",
        "kernel-nio-store", "redis-aof-always", "redis-no-persistence", "stage-parse-only", "stage-pktstore-no-persist",
        "stage-copying-alloc-insert", "stage-copying-copy", "stage-copying-no-persist", "stage-pktstore-full",
        "stage-copying-full");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void benchWritesEveryResultWithSaneContent(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("results");
        final NodeProcess bench = NodeProcess.run(List.of("bench", "--out", out.toString(), "--rounds", "1", "--requests", "300",
            "--warmup", "50", "--connections", "1,2", "--keys", "100", "--time-limit", "30"), 240);
        assertEquals(0, bench.exitStatus(), bench.output());

        final List<String> csv = Files.readAllLines(out.resolve("points.csv"));
        assertTrue(csv.get(0).startsWith("round,system,protocol,"), csv.get(0));
        final Set<String> seen = new HashSet<>();
        for (final String row : csv.subList(1, csv.size()))
        {
            final String[] f = row.split(",");
            seen.add(f[1]);
            assertEquals("300", f[7], "measured requests: " + row);
            assertEquals("0", f[8], "errors: " + row);
            assertTrue(Double.parseDouble(f[10]) > 0, "throughput: " + row);
            final double p50 = Double.parseDouble(f[12]);
            final double p99 = Double.parseDouble(f[14]);
            assertTrue(p50 > 0 && p99 >= p50, "latency percentiles: " + row);
            assertEquals("false", f[17], "cut short: " + row);
            if (f[1].startsWith("stage-") && !f[1].equals("stage-parse-only"))
            {
                assertTrue(Double.parseDouble(f[18]) > 0, "the node's own write latency: " + row);
            }
        }
        assertEquals(new HashSet<>(SYSTEMS), seen, "systems measured");
        // compared systems at 1 and 2 connections, stage switches at 1
        assertEquals(7 * 2 + 7, csv.size() - 1, String.join("\n", csv));

        final String table = Files.readString(out.resolve("table.md"));
        for (final String system : SYSTEMS.subList(0, 7))
        {
            assertTrue(table.contains("| " + system + " |"), system + " in\n" + table);
        }
        assertTrue(table.contains("store RTT / networking-only RTT"), table);
        final String breakdown = Files.readString(out.resolve("breakdown.md"));
        assertTrue(breakdown.contains("**Networking**") && breakdown.contains("**Persistence**")
            && breakdown.contains("in node"), breakdown);
        final String machine = Files.readString(out.resolve("machine.md"));
        assertTrue(machine.contains("load average at start") && machine.contains("kernel"), machine);

        final BufferedImage png = ImageIO.read(out.resolve("figure2.png").toFile());
        assertTrue(png != null && png.getWidth() >= 800 && png.getHeight() >= 500, "figure2.png is an image");
    }
}
