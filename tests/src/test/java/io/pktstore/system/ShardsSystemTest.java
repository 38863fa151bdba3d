package io.pktstore.system;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One node process with three shards on one interface (three stations: addresses .2, .3, .4, their own
 * MACs and arena files) dealing all 16384 cluster slots among themselves. Keys written through every
 * shard read back, each shard's store holds only its own slots' keys, and after a kill -9 each shard
 * recovers its own arena and every key is back. A start with another shard count is refused.
 */
class ShardsSystemTest
{
    private static final String ALL = "198.18.0.2,198.18.0.3,198.18.0.4";

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void keysWrittenThroughEveryShardStayOnTheirShardAndSurviveAKill() throws Exception
    {
        final Path arena = Path.of("/dev/shm", "pks-shards-" + ProcessHandle.current().pid() + ".arena");
        final List<Path> files = List.of(Path.of(arena + ".0"), Path.of(arena + ".1"), Path.of(arena + ".2"));
        for (final Path file : files)
        {
            Files.deleteIfExists(file);
        }
        final List<String> args = new ArrayList<>();
        try (TestHost host = new TestHost())
        {
            args.addAll(host.nodeArguments(arena, "--arena-size", "64m", "--shards", "3", "--cluster-slots", "0-16383"));
            try (NodeProcess node = NodeProcess.start(args))
            {
                final String out = node.output();
                assertTrue(out.contains("shard 1 (198.18.0.3): stack 198.18.0.3 (02:70:6b:12:00:03)"), out);
                assertTrue(out.contains("cluster slots 10923-16383"), out);
                for (final Path file : files)
                {
                    assertTrue(Files.exists(file), file + " missing: " + out);
                }
                assertTrue(host.pythonOk(300_000, "cluster_keys.py", "write", "198.18.0.2", "sk", "3000")
                    .contains("wrote 3000 through 3 nodes"));
                final String ownership = host.pythonOk(120_000, "cluster_keys.py", "ownership", ALL);
                assertTrue(ownership.contains("total 3000"), ownership);
                for (final String ip : ALL.split(","))
                {
                    assertTrue(ownership.matches("(?s).*" + ip.replace(".", "\\.") + " (9\\d\\d|1\\d\\d\\d)\n.*"),
                        "every shard holds about a third: " + ownership);
                }
                System.out.println("ShardsSystemTest: keys per shard: " + ownership.replace('\n', ' ').trim());
                node.kill();
            }
            try (NodeProcess node = NodeProcess.start(args))
            {
                final String out = node.output();
                for (int shard = 0; shard < 3; shard++)
                {
                    assertTrue(out.contains("shard " + shard + " (198.18.0." + (2 + shard) + "): arena " + files.get(shard)
                        + " opened (previous shutdown UNCLEAN)"), out);
                }
                assertTrue(host.pythonOk(300_000, "cluster_keys.py", "verify", "198.18.0.4", "sk", "3000")
                    .contains("verified 3000 keys, 0 bad"));
                assertTrue(host.pythonOk(120_000, "cluster_keys.py", "ownership", ALL).contains("total 3000"));
                assertEquals(143, node.stop());
                assertTrue(node.output().contains("arenas closed cleanly"), node.output());
            }
            // Two shards cannot take over three shards' files: their keys were dealt by three.
            final List<String> two = new ArrayList<>(args);
            two.set(two.indexOf("3"), "2");
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> NodeProcess.start(two));
            assertTrue(refused.getMessage().contains(files.get(2) + " exists: a node with more shards than 2"),
                refused.getMessage());
        }
        finally
        {
            for (final Path file : files)
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
