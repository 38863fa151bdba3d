package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale-out through twemproxy: three node processes on one interface (each its own address and MAC)
 * behind nutcracker with the configuration docs/scale-out.md gives (ketama, auto_eject_hosts).
 * A redis-benchmark run through the proxy reads back byte for byte, multi-key commands are split per
 * node, and a node killed under load is ejected while the other two keep serving; restarted on its
 * arena, its keys are all back and no acknowledged write is lost anywhere.
 */
class TwemproxySystemTest
{
    private static final String[] IPS = {"198.18.0.2", "198.18.0.3", "198.18.0.4"};
    private static final String ALL = String.join(",", IPS);
    private static final int PROXY_PORT = 22121;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void threeNodesBehindNutcrackerServeEveryKeyAndSurviveOneNodesDeath(@TempDir final Path dir) throws Exception
    {
        final List<Path> arenas = new ArrayList<>();
        final NodeProcess[] nodes = new NodeProcess[IPS.length];
        Process proxy = null;
        try (TestHost host = new TestHost())
        {
            for (int i = 0; i < IPS.length; i++)
            {
                arenas.add(Path.of("/dev/shm", "pks-twem-" + ProcessHandle.current().pid() + "-" + i + ".arena"));
                Files.deleteIfExists(arenas.get(i));
                nodes[i] = NodeProcess.start(nodeArguments(host, i, arenas.get(i)));
            }
            final Path config = dir.resolve("nutcracker.yml");
            Files.writeString(config, nutcrackerConfig());
            host.run(10_000, "ip", "link", "set", "lo", "up");
            proxy = host.start(List.of("nutcracker", "-c", config.toString(), "-v", "4", "-o",
                dir.resolve("nutcracker.log").toString()));
            host.waitForLocalPort(PROXY_PORT);

            // redis-benchmark through the proxy: SET, GET and MSET (split by the proxy per node), no errors,
            // then every key read back through it, and every node holds some.
            final CommandResult bench = host.run(300_000, "redis-benchmark", "-h", "127.0.0.1", "-p", "" + PROXY_PORT,
                "-t", "set,get,mset", "-d", "256", "-n", "30000", "-P", "8", "-c", "20", "-r", "5000", "-q");
            assertEquals(0, bench.exitCode(), bench.toString());
            final String benchOut = bench.stdout() + bench.stderr();
            assertFalse(benchOut.toLowerCase().contains("error"), benchOut);
            final String readBack = host.pythonOk(300_000, "read_benchmark_keys.py", "127.0.0.1", "" + PROXY_PORT, "256", "5000",
                "enumerate");
            assertTrue(readBack.matches("(?s)checked \\d{4,} keys, 0 bad\\s*"), readBack);
            for (final String ip : IPS)
            {
                assertTrue(Long.parseLong(redisCli(host, ip, 6379, "DBSIZE").trim()) > 100, ip + " holds few keys");
            }

            // Multi-key commands through the proxy (it splits them per node and merges the replies).
            assertEquals("OK\n", redisCli(host, "127.0.0.1", PROXY_PORT, "MSET", "mk:a", "1", "mk:b", "2", "mk:c", "3", "mk:d", "4",
                "mk:e", "5", "mk:f", "6"));
            assertEquals("1\n2\n3\n4\n5\n6\n\n", redisCli(host, "127.0.0.1", PROXY_PORT, "MGET", "mk:a", "mk:b", "mk:c", "mk:d",
                "mk:e", "mk:f", "mk:none"));
            assertEquals("6\n", redisCli(host, "127.0.0.1", PROXY_PORT, "EXISTS", "mk:a", "mk:b", "mk:c", "mk:d", "mk:e", "mk:f",
                "mk:none"));
            assertEquals("3\n", redisCli(host, "127.0.0.1", PROXY_PORT, "DEL", "mk:a", "mk:b", "mk:c", "mk:none"));
            assertEquals("3\n", redisCli(host, "127.0.0.1", PROXY_PORT, "EXISTS", "mk:a", "mk:b", "mk:c", "mk:d", "mk:e", "mk:f"));

            // Seed keys through the proxy; every node holds some of them, each key exactly one node.
            host.pythonOk(120_000, "node_keys.py", "write", "127.0.0.1", "" + PROXY_PORT, "seed", "3000");
            final String located = host.pythonOk(120_000, "node_keys.py", "locate", "seed", "3000", ALL);
            for (final String ip : IPS)
            {
                final Matcher m = Pattern.compile(Pattern.quote(ip) + " (\\d+)").matcher(located);
                assertTrue(m.find() && Integer.parseInt(m.group(1)) > 300, located);
            }

            // Kill the third node under load: the proxy ejects it, the others keep serving.
            final Path ackLog = dir.resolve("acked.log");
            final Process load = host.start(List.of(TestHost.PYTHON, TestHost.scriptFile("node_keys.py").toString(), "load",
                "127.0.0.1", "" + PROXY_PORT, "load", "12", ackLog.toString()));
            Thread.sleep(3000);
            nodes[2].kill();
            assertTrue(load.waitFor(60, TimeUnit.SECONDS), "the load did not stop");
            final String loadOut = new String(load.getInputStream().readAllBytes());
            final Matcher counts = Pattern.compile("acked (\\d+) errors (\\d+) acked_after_error (\\d+)").matcher(loadOut);
            assertTrue(counts.find(), loadOut);
            assertTrue(Long.parseLong(counts.group(3)) > 100, "writes went on after the node died and was ejected: " + loadOut);
            final String survivors = IPS[0] + "," + IPS[1];
            final String served = host.pythonOk(120_000, "node_keys.py", "read", "127.0.0.1", "" + PROXY_PORT, "seed", "3000",
                survivors);
            assertTrue(served.contains(", 0 bad"), served);

            // Restart it on its arena: its seed keys are back, and every acknowledged write is on some node.
            nodes[2] = NodeProcess.start(nodeArguments(host, 2, arenas.get(2)));
            assertTrue(nodes[2].output().contains("previous shutdown UNCLEAN"), nodes[2].output());
            final String relocated = host.pythonOk(120_000, "node_keys.py", "locate", "seed", "3000", ALL);
            assertTrue(relocated.contains("located 3000"), relocated);
            assertTrue(relocated.contains(IPS[2] + " "), relocated);
            final String acked = host.pythonOk(120_000, "node_keys.py", "acked", ackLog.toString(), ALL);
            assertTrue(acked.contains(", lost 0"), acked);
            // Once the proxy retries the node (server_retry_timeout), all seed keys read through it again.
            String again = "";
            for (int attempt = 0; attempt < 20 && !again.contains("read 3000 keys") ; attempt++)
            {
                Thread.sleep(1000);
                again = host.python(120_000, "node_keys.py", "read", "127.0.0.1", "" + PROXY_PORT, "seed", "3000", ALL).stdout();
            }
            assertTrue(again.contains("read 3000 keys through 127.0.0.1:" + PROXY_PORT + ", 0 bad"), again);
            System.out.printf("TwemproxySystemTest: %s; %s; after the kill: %s; %s%n", readBack.trim(), located.replace('\n', ' ').trim(),
                loadOut.trim(), acked.trim());
            for (final NodeProcess node : nodes)
            {
                assertEquals(143, node.stop());
                assertTrue(node.output().contains("arena closed cleanly"), node.output());
            }
        }
        finally
        {
            if (proxy != null)
            {
                proxy.destroy();
                proxy.waitFor(10, TimeUnit.SECONDS);
            }
            for (final NodeProcess node : nodes)
            {
                if (node != null)
                {
                    node.close();
                }
            }
            for (final Path arena : arenas)
            {
                Files.deleteIfExists(arena);
            }
        }
    }

    /** Node i serves IPS[i] on the shared interface; all but the first with a MAC of their own. */
    private static List<String> nodeArguments(final TestHost host, final int i, final Path arena)
    {
        return i == 0 ? host.nodeArgumentsAt(IPS[i] + "/24", arena, "--arena-size", "128m")
            : host.nodeArgumentsAt(IPS[i] + "/24", arena, "--arena-size", "128m", "--mac", "auto");
    }

    /** The configuration docs/scale-out.md recommends, with short timeouts for a test. */
    private static String nutcrackerConfig()
    {
        final StringBuilder sb = new StringBuilder(String.join("\n",
            "pktstore:",
            "  listen: 127.0.0.1:" + PROXY_PORT,
            "  hash: fnv1a_64",
            "  hash_tag: \"{}\"",
            "  distribution: ketama",
            "  redis: true",
            "  auto_eject_hosts: true",
            "  server_failure_limit: 1",
            "  server_retry_timeout: 2000",
            "  timeout: 400",
            "  servers:",
            ""));
        for (int i = 0; i < IPS.length; i++)
        {
            sb.append("   - ").append(IPS[i]).append(":6379:1 node").append(i + 1).append('\n');
        }
        return sb.toString();
    }

    static String redisCli(final TestHost host, final String ip, final int port, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("redis-cli", "-h", ip, "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        final CommandResult r = host.run(30_000, command);
        if (r.exitCode() != 0)
        {
            throw new AssertionError("redis-cli " + String.join(" ", args) + " failed: " + r);
        }
        return r.stdout();
    }
}
