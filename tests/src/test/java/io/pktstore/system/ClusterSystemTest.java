package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.pktstore.system.TwemproxySystemTest.redisCli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis Cluster protocol from a static slot map: three node processes on one interface, each
 * owning a third of the slots and naming the others. Cluster-aware clients none of us wrote route
 * directly: redis-cli -c follows MOVED, redis-benchmark --cluster loads all three, python3-redis's
 * RedisCluster writes and reads back; every key lives on the node that owns its slot.
 */
class ClusterSystemTest
{
    private static final String[] IPS = {"198.18.0.2", "198.18.0.3", "198.18.0.4"};
    private static final String[] SLOTS = {"0-5460", "5461-10922", "10923-16383"};
    private static final String ALL = String.join(",", IPS);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void clusterClientsRouteByTheStaticSlotMap() throws Exception
    {
        final List<Path> arenas = new ArrayList<>();
        final List<NodeProcess> nodes = new ArrayList<>();
        try (TestHost host = new TestHost())
        {
            for (int i = 0; i < IPS.length; i++)
            {
                final Path arena = Path.of("/dev/shm", "pks-cluster-" + ProcessHandle.current().pid() + "-" + i + ".arena");
                Files.deleteIfExists(arena);
                arenas.add(arena);
                final List<String> args = new ArrayList<>(host.nodeArgumentsAt(IPS[i] + "/24", arena, "--arena-size", "128m",
                    "--cluster-slots", SLOTS[i]));
                if (i > 0)
                {
                    args.addAll(List.of("--mac", "auto"));
                }
                for (int j = 0; j < IPS.length; j++)
                {
                    if (j != i)
                    {
                        args.addAll(List.of("--cluster-peer", IPS[j] + ":6379=" + SLOTS[j]));
                    }
                }
                nodes.add(NodeProcess.start(args));
            }

            // "foo" hashes to slot 12182, the third node's: the first answers MOVED, redis-cli -c follows it.
            assertEquals("12182\n", redisCli(host, IPS[0], 6379, "CLUSTER", "KEYSLOT", "foo"));
            assertEquals("MOVED 12182 198.18.0.4:6379\n\n", redisCli(host, IPS[0], 6379, "SET", "foo", "bar"));
            assertEquals("OK\n", redisCli(host, IPS[0], 6379, "-c", "SET", "foo", "bar"));
            assertEquals("bar\n", redisCli(host, IPS[1], 6379, "-c", "GET", "foo"));
            assertEquals("bar\n", redisCli(host, IPS[2], 6379, "GET", "foo"));
            assertEquals("0\n", redisCli(host, IPS[0], 6379, "DBSIZE"));
            for (int i = 0; i < 30; i++)
            {
                assertEquals("OK\n", redisCli(host, IPS[i % 3], 6379, "-c", "SET", "cli:" + i, "v" + i));
            }
            for (int i = 0; i < 30; i++)
            {
                assertEquals("v" + i + "\n", redisCli(host, IPS[(i + 1) % 3], 6379, "-c", "GET", "cli:" + i));
            }
            // A multi-key request over slots of different nodes is refused; with a hash tag it is one slot.
            assertTrue(redisCli(host, IPS[0], 6379, "-c", "MSET", "a", "1", "b", "2").startsWith("CROSSSLOT"));
            assertEquals("OK\n", redisCli(host, IPS[0], 6379, "-c", "MSET", "{user1}:a", "1", "{user1}:b", "2"));
            assertEquals("1\n2\n", redisCli(host, IPS[0], 6379, "-c", "MGET", "{user1}:a", "{user1}:b"));
            final String info = redisCli(host, IPS[1], 6379, "CLUSTER", "INFO");
            assertTrue(info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3"), info);

            // redis-benchmark --cluster reads CLUSTER NODES and loads every node; every key reads back.
            final CommandResult bench = host.run(300_000, "redis-benchmark", "--cluster", "-h", IPS[0], "-p", "6379",
                "-t", "set,get", "-d", "128", "-n", "30000", "-P", "8", "-c", "30", "-r", "10000", "-q");
            assertEquals(0, bench.exitCode(), bench.toString());
            final String benchOut = bench.stdout() + bench.stderr();
            assertFalse(benchOut.toLowerCase().contains("error"), benchOut);
            assertTrue(benchOut.contains("Cluster has 3 master nodes"), benchOut);
            final String readBack = host.pythonOk(300_000, "read_benchmark_keys.py", ALL, "6379", "128", "10000", "scan");
            assertTrue(readBack.matches("(?s)checked \\d{4,} keys, 0 bad\\s*"), readBack);

            // python3-redis's RedisCluster from one start node; each node holds only keys of its slots.
            assertTrue(host.pythonOk(300_000, "cluster_keys.py", "write", IPS[1], "ck", "3000")
                .contains("wrote 3000 through 3 nodes"));
            assertTrue(host.pythonOk(300_000, "cluster_keys.py", "verify", IPS[2], "ck", "3000").contains("verified 3000 keys, 0 bad"));
            final String ownership = host.pythonOk(300_000, "cluster_keys.py", "ownership", ALL);
            System.out.println("ClusterSystemTest: " + readBack.trim() + "; keys per node: " + ownership.replace('\n', ' ').trim());
            for (final NodeProcess node : nodes)
            {
                assertEquals(143, node.stop());
            }
        }
        finally
        {
            for (final NodeProcess node : nodes)
            {
                node.close();
            }
            for (final Path arena : arenas)
            {
                Files.deleteIfExists(arena);
            }
        }
    }
}
