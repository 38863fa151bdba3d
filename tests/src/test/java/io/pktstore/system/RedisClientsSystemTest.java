package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node over a veth pair with real Redis clients in the client namespace, none written here:
 * redis-cli (every command the node implements, as a user types them), redis-benchmark (pipelined
 * SET, GET and MSET of 1 KB values from 50 connections, no errors, then every key read back),
 * redis-py (round trips, pipelines, binary values from 0 B to 8 MiB byte for byte, SCAN), and
 * twemproxy (nutcracker) in front of the node (a redis-benchmark run through it, every key read
 * back through it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RedisClientsSystemTest
{
    private NodeOnTestHost served;
    private TestHost host;

    @BeforeAll
    void start() throws Exception
    {
        served = NodeOnTestHost.start("redis-clients", "512m");
        host = served.host;
    }

    @AfterAll
    void stop() throws Exception
    {
        if (served != null)
        {
            served.close();
        }
    }

    @Test
    void redisCliRunsEveryCommand()
    {
        assertEquals("PONG\n", host.redisCli("PING"));
        assertEquals("OK\n", host.redisCli("SET", "cli:a", "apple"));
        assertEquals("apple\n", host.redisCli("GET", "cli:a"));
        assertEquals("\n", host.redisCli("GET", "cli:none"));
        assertEquals("OK\n", host.redisCli("MSET", "cli:b", "banana", "cli:c", "cherry"));
        assertEquals("apple\nbanana\ncherry\n\n", host.redisCli("MGET", "cli:a", "cli:b", "cli:c", "cli:none"));
        assertEquals("2\n", host.redisCli("EXISTS", "cli:a", "cli:b", "cli:none"));
        assertEquals("6\n", host.redisCli("STRLEN", "cli:b"));
        assertEquals("\n", host.redisCli("SET", "cli:a", "avocado", "NX"));
        assertEquals("apple\n", host.redisCli("SET", "cli:a", "apricot", "GET"));
        assertEquals("hello there\n", host.redisCli("ECHO", "hello there"));
        assertEquals("OK\n", host.redisCli("SELECT", "0"));
        assertEquals("ERR DB index is out of range\n\n", host.redisCli("SELECT", "3"));
        assertTrue(host.redisCli("INFO", "server").contains("redis_version:7.0.15"));
        assertTrue(host.redisCli("INFO", "keyspace").matches("(?s).*db0:keys=\\d+,expires=0,avg_ttl=0.*"));
        assertTrue(Long.parseLong(host.redisCli("DBSIZE").trim()) >= 3);
        // SCAN with MATCH, followed to the end (other tests' keys may come first).
        final StringBuilder matched = new StringBuilder();
        String cursor = "0";
        do
        {
            final String[] lines = host.redisCli("SCAN", cursor, "MATCH", "cli:*", "COUNT", "500").split("\n");
            cursor = lines[0];
            for (int i = 1; i < lines.length; i++)
            {
                matched.append(lines[i]).append('\n');
            }
        }
        while (!cursor.equals("0"));
        assertEquals("cli:a\ncli:b\ncli:c\n", matched.toString());
        assertEquals("cli:b\nbanana\ncli:c\ncherry\n", host.redisCli("PKS.RANGE", "cli:b", "cli:d"));
        assertTrue(host.redisCli("PKS.TS", "cli:a").matches("\\d{10,}\n"));
        assertEquals("OK\n", host.redisCli("CLIENT", "SETNAME", "cli-test"));
        assertEquals("save\n\n", host.redisCli("CONFIG", "GET", "save"));
        assertTrue(Long.parseLong(host.redisCli("COMMAND", "COUNT").trim()) >= 25);
        assertTrue(host.redisCli("HELLO", "2").startsWith("server\nredis\nversion\n7.0.15\n"));
        assertEquals("NOPROTO sorry, this protocol version is not supported.\n\n", host.redisCli("HELLO", "3"));
        assertEquals("ERR unknown command 'NOSUCH', with args beginning with: 'x' \n\n", host.redisCli("NOSUCH", "x"));
        assertEquals("ERR wrong number of arguments for 'get' command\n\n", host.redisCli("GET"));
        assertEquals("2\n", host.redisCli("DEL", "cli:a", "cli:b", "cli:none"));
        assertEquals("0\n", host.redisCli("EXISTS", "cli:a"));
        // -3: HELLO 3 refused, redis-cli goes on in RESP2.
        final CommandResult resp3 = host.run(30_000, "redis-cli", "-3", "-h", TestHost.NODE_IP, "GET", "cli:c");
        assertTrue(resp3.stdout().contains("cherry"), resp3.toString());
    }

    @Test
    void redisBenchmarkPipelinedFromFiftyConnectionsWithoutErrorsThenEveryKeyReadsBack() throws Exception
    {
        final CommandResult run = host.run(300_000, "redis-benchmark", "-h", TestHost.NODE_IP, "-p", "6379",
            "-t", "set,get,mset", "-d", "1024", "-n", "100000", "-P", "16", "-c", "50", "-r", "20000", "-q");
        assertEquals(0, run.exitCode(), run.toString());
        final String out = run.stdout() + run.stderr();
        assertFalse(out.toLowerCase().contains("error"), out);
        assertTrue(out.contains("SET:") && out.contains("GET:") && out.contains("MSET (10 keys):"), out);
        final CommandResult check = host.python(300_000, "read_benchmark_keys.py", TestHost.NODE_IP, "6379", "1024", "20000",
            "scan");
        assertEquals(0, check.exitCode(), check.toString());
        final long keys = Long.parseLong(check.stdout().trim().split(" ")[1]);
        assertTrue(keys > 10_000, check.stdout());
        System.out.println("redis-benchmark: " + out.replace('\r', '\n').lines().filter(l -> l.contains("requests per second"))
            .map(String::trim).reduce((a, b) -> a + "; " + b).orElse(out) + "; " + check.stdout().trim());
    }

    @Test
    void redisPyRoundTripsPipelinesAndBinaryValuesUpToEightMebibytes() throws Exception
    {
        final CommandResult r = host.python(300_000, "redis_py.py", TestHost.NODE_IP, "6379");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("redis-py ok: 13 sizes byte for byte up to 8 MiB"), r.stdout());
    }

    @Test
    void twemproxyInFrontOfTheNodePassesARedisBenchmarkAndReadsEveryKeyBack() throws Exception
    {
        final Path config = Files.createTempFile("pks-nutcracker-", ".yml");
        Files.writeString(config, String.join("\n",
            "pktstore:",
            "  listen: 127.0.0.1:22121",
            "  hash: fnv1a_64",
            "  distribution: ketama",
            "  redis: true",
            "  auto_eject_hosts: false",
            "  timeout: 5000",
            "  servers:",
            "   - " + TestHost.NODE_IP + ":6379:1 node1",
            ""));
        host.run(10_000, "ip", "link", "set", "lo", "up");
        // Another test's redis-benchmark keys hold other values: start from none.
        assertEquals(0, host.python(120_000, "delete_keys.py", TestHost.NODE_IP, "6379", "key:*").exitCode());
        final Process proxy = host.start(List.of("nutcracker", "-c", config.toString(), "-v", "4"));
        try
        {
            host.waitForLocalPort(22121);
            final CommandResult run = host.run(300_000, "redis-benchmark", "-h", "127.0.0.1", "-p", "22121",
                "-t", "set,get", "-d", "512", "-n", "50000", "-P", "8", "-c", "20", "-r", "5000", "-q");
            assertEquals(0, run.exitCode(), run.toString());
            final String out = run.stdout() + run.stderr();
            assertFalse(out.toLowerCase().contains("error"), out);
            final CommandResult check = host.python(300_000, "read_benchmark_keys.py", "127.0.0.1", "22121", "512", "5000",
                "enumerate");
            assertEquals(0, check.exitCode(), check.toString());
            assertTrue(Long.parseLong(check.stdout().trim().split(" ")[1]) > 3000, check.stdout());
        }
        finally
        {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(config);
        }
    }
}
