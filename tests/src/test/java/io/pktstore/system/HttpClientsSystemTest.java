package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's HTTP/1.1 front end over a veth pair with real clients in the client namespace: curl
 * (values of 0 B to 8 MiB byte for byte, HEAD, replace, DELETE, the ordered scan page by page,
 * /_stats, /metrics with the stack's and TCP's counters, POST /_scrub) and wrk (a PUT load from a Lua
 * script, every key it wrote read back over HTTP; a GET load without a single error).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HttpClientsSystemTest
{
    private static final String BASE = "http://" + TestHost.NODE_IP + ":8080";

    /** wrk_put.lua's keys per wrk thread. */
    private static final int WRK_KEYS_PER_THREAD = 20_000;

    private NodeOnTestHost served;
    private TestHost host;

    @BeforeAll
    void start() throws Exception
    {
        served = NodeOnTestHost.start("http-clients", "256m");
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
    void curlStoresAndReadsBackValuesFromZeroBytesToEightMebibytes(@TempDir final Path dir) throws Exception
    {
        final Random random = new Random(8080);
        final int[] sizes = {0, 1, 1000, 1448, 1449, 65_536, 1 << 20, 8 << 20};
        for (final int size : sizes)
        {
            final byte[] value = new byte[size];
            random.nextBytes(value);
            final Path in = dir.resolve("in-" + size);
            Files.write(in, value);
            final String url = BASE + "/kv/curl:" + size;
            assertEquals("201", curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data-binary", "@" + in, url));
            final Path out = dir.resolve("out-" + size);
            assertEquals("200", curl("-o", out.toString(), "-w", "%{http_code}", url));
            assertEquals(-1, Files.mismatch(in, out), size + " bytes came back different");
            final String head = curl("-I", url);
            assertTrue(head.startsWith("HTTP/1.1 200 OK") && head.contains("Content-Length: " + size + "\r\n"), head);
            assertTrue(head.matches("(?s).*X-Pktstore-Timestamp: \\d{10,}\r\n.*"), head);
        }
        assertEquals("204", curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data-binary", "replaced",
            BASE + "/kv/curl:1"));
        assertEquals("replaced", curl(BASE + "/kv/curl:1"));
        assertEquals("204", curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", BASE + "/kv/curl:1"));
        assertEquals("404", curl("-o", "/dev/null", "-w", "%{http_code}", BASE + "/kv/curl:1"));

        // The ordered scan, three keys a page, followed to its end.
        final List<String> scanned = new ArrayList<>();
        String query = "start=curl%3A&end=curl%3B&limit=3";
        while (query != null)
        {
            final String response = curl("-i", BASE + "/kv?" + query);
            final String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            body.lines().forEach(scanned::add);
            final Matcher next = Pattern.compile("X-Pktstore-Next-After: (\\S+)\r\n").matcher(response);
            query = next.find() ? "after=" + next.group(1) + "&end=curl%3B&limit=3" : null;
        }
        assertEquals(List.of("curl%3A0", "curl%3A1000", "curl%3A1048576", "curl%3A1448", "curl%3A1449", "curl%3A65536",
            "curl%3A8388608"), scanned);
    }

    @Test
    void statsAndMetricsShowTheStoreTheStackAndTcpAndAScrubRuns() throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            assertEquals("201", curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data-binary", "v" + i,
                BASE + "/kv/stats:" + i));
        }
        final String stats = curl(BASE + "/_stats");
        assertTrue(stats.startsWith("{") && stats.trim().endsWith("}"), stats);
        assertTrue(number(stats, "\"store_keys\":(\\d+)") >= 20, stats);
        assertTrue(number(stats, "\"tcp_connections_established_total\":(\\d+)") >= 21, stats);
        assertTrue(number(stats, "\"request_latency_write_count\":(\\d+)") >= 20, stats);
        final String metrics = curl(BASE + "/metrics");
        assertTrue(number(metrics, "\npktstore_stack_rx_frames_total (\\d+)") > 40, metrics);
        assertTrue(metrics.contains("\npktstore_stack_frames_dropped_total{reason=\"ip_drop_bad_checksum\"} "), metrics);
        assertTrue(number(metrics, "\npktstore_tcp_segments_in_total (\\d+)") > 40, metrics);
        assertTrue(number(metrics, "\npktstore_http_requests_total\\{method=\"PUT\"} (\\d+)") >= 20, metrics);
        assertTrue(metrics.contains("# TYPE pktstore_store_keys gauge"), metrics);
        final long passes = number(metrics, "\npktstore_scrub_passes_total (\\d+)");
        assertEquals("202", curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", BASE + "/_scrub"));
        long after = passes;
        for (int i = 0; i < 100 && after == passes; i++)
        {
            Thread.sleep(100);
            after = number(curl(BASE + "/metrics"), "\npktstore_scrub_passes_total (\\d+)");
        }
        assertEquals(passes + 1, after, "the scrub pass POST /_scrub started completed");
        final String info = host.redisCli("INFO", "network");
        assertTrue(info.contains("# Network") && info.matches("(?s).*\ntcp_segments_in:[1-9]\\d*\r?\n.*"), info);
    }

    @Test
    void wrkPutLoadFromALuaScriptReadsBackAndAGetLoadHasNoErrors() throws Exception
    {
        final CommandResult put = host.run(120_000, "wrk", "-t", "2", "-c", "8", "-d", "4s", "-s",
            TestHost.scriptFile("wrk_put.lua").toString(), BASE);
        assertEquals(0, put.exitCode(), put.toString());
        assertFalse(put.stdout().contains("Non-2xx") || put.stdout().contains("Socket errors"), put.stdout());
        final Matcher done = Pattern.compile("(\\d+) requests in").matcher(put.stdout());
        assertTrue(done.find(), put.stdout());
        final long requests = Long.parseLong(done.group(1));
        assertTrue(requests > 500, put.stdout());
        final String verified = host.pythonOk(300_000, "http_verify.py", TestHost.NODE_IP, "8080", "wrk:");
        final Matcher keys = Pattern.compile("verified (\\d+) keys, 0 bad").matcher(verified);
        assertTrue(keys.find(), verified);
        // Each of wrk's 2 threads cycles over its own 20000 keys (wrk_put.lua). wrk counts the responses it
        // read; a PUT still in flight when it stopped may be stored too, so at least that many keys are there.
        assertTrue(Long.parseLong(keys.group(1)) >= Math.min(requests, 2 * WRK_KEYS_PER_THREAD),
            verified + " vs " + put.stdout());
        assertTrue(Long.parseLong(keys.group(1)) <= 2 * WRK_KEYS_PER_THREAD, verified);

        final CommandResult get = host.run(120_000, "wrk", "-t", "2", "-c", "8", "-d", "3s", "--latency", BASE + "/kv/wrk:0:7");
        assertEquals(0, get.exitCode(), get.toString());
        assertFalse(get.stdout().contains("Non-2xx") || get.stdout().contains("Socket errors"), get.stdout());
        System.out.println("HttpClientsSystemTest: wrk PUT: " + line(put.stdout(), "Requests/sec") + ", " + verified.trim()
            + "; wrk GET: " + line(get.stdout(), "Requests/sec") + ", " + line(get.stdout(), "50%") + ", "
            + line(get.stdout(), "99%"));
    }

    private String curl(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-s", "--max-time", "60"));
        command.addAll(List.of(args));
        final CommandResult r = host.run(90_000, command);
        if (r.exitCode() != 0)
        {
            throw new AssertionError("curl " + String.join(" ", args) + " failed: " + r);
        }
        return r.stdout();
    }

    private static long number(final String text, final String regex)
    {
        final Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find())
        {
            throw new AssertionError("no " + regex + " in:\n" + text);
        }
        return Long.parseLong(m.group(1));
    }

    private static String line(final String text, final String start)
    {
        return text.lines().map(String::trim).filter(l -> l.startsWith(start)).findFirst().orElse("(no " + start + ")");
    }
}
