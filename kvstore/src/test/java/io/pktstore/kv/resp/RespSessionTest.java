package io.pktstore.kv.resp;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RESP2 commands and their exact replies (Redis 7's texts), run on a session fed with received
 * records, both engines.
 */
class RespSessionTest
{
    private SessionHarness harness;

    private SessionHarness.Client client(final Engine engine)
    {
        harness = new SessionHarness(engine, 2048, ServerConfig.defaults(), RespSession::new);
        return harness.client();
    }

    @AfterEach
    void close()
    {
        if (harness != null)
        {
            harness.close();
        }
    }

    static String cmd(final String... args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String a : args)
        {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stringCommandsAnswerAsRedisDoes(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        assertEquals("+PONG\r\n", c.send(cmd("PING")));
        assertEquals("$5\r\nhello\r\n", c.send(cmd("PING", "hello")));
        assertEquals("+OK\r\n", c.send(cmd("SET", "k1", "v1")));
        assertEquals("$2\r\nv1\r\n", c.send(cmd("GET", "k1")));
        assertEquals("$-1\r\n", c.send(cmd("GET", "nope")));
        assertEquals("$-1\r\n", c.send(cmd("SET", "k1", "x", "NX")));
        assertEquals("$2\r\nv1\r\n", c.send(cmd("get", "k1")), "NX did not overwrite; lower-case command");
        assertEquals("+OK\r\n", c.send(cmd("SET", "k1", "v2", "XX")));
        assertEquals("$-1\r\n", c.send(cmd("SET", "k9", "x", "XX")));
        assertEquals("$2\r\nv2\r\n", c.send(cmd("SET", "k1", "v3", "GET")));
        assertEquals("$-1\r\n", c.send(cmd("SET", "k2", "w", "GET")));
        assertEquals("-ERR syntax error\r\n", c.send(cmd("SET", "k1", "v", "NX", "XX")));
        assertEquals("-ERR syntax error\r\n", c.send(cmd("SET", "k1", "v", "BOGUS")));
        assertEquals(":1\r\n", c.send(cmd("SETNX", "k3", "a")));
        assertEquals(":0\r\n", c.send(cmd("SETNX", "k3", "b")));
        assertEquals(":2\r\n", c.send(cmd("STRLEN", "k1")));
        assertEquals(":0\r\n", c.send(cmd("STRLEN", "none")));
        assertEquals("+string\r\n", c.send(cmd("TYPE", "k1")));
        assertEquals("+none\r\n", c.send(cmd("TYPE", "none")));
        assertEquals(":3\r\n", c.send(cmd("DBSIZE")));
        assertEquals(":3\r\n", c.send(cmd("EXISTS", "k1", "k2", "k1", "zz")), "duplicates count, as in Redis");
        assertEquals("+OK\r\n", c.send(cmd("MSET", "a", "1", "b", "22", "c", "")));
        assertEquals("*4\r\n$1\r\n1\r\n$2\r\n22\r\n$0\r\n\r\n$-1\r\n", c.send(cmd("MGET", "a", "b", "c", "d")));
        assertEquals("-ERR wrong number of arguments for 'mset' command\r\n", c.send(cmd("MSET", "a", "1", "b")));
        assertEquals(":2\r\n", c.send(cmd("DEL", "a", "b", "nothing")));
        assertEquals(":1\r\n", c.send(cmd("UNLINK", "c")));
        assertEquals("$5\r\nabcde\r\n", c.send(cmd("ECHO", "abcde")));
        assertEquals("+OK\r\n", c.send(cmd("SELECT", "0")));
        assertEquals("-ERR DB index is out of range\r\n", c.send(cmd("SELECT", "1")));
        assertEquals("-ERR value is not an integer or out of range\r\n", c.send(cmd("SELECT", "x")));
        assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.send(cmd("GET")));
        assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.send(cmd("GET", "a", "b")));
        assertEquals("-ERR unknown command 'FOOBAR', with args beginning with: 'x' 'y' \r\n", c.send(cmd("FOOBAR", "x", "y")));
        assertEquals("-ERR pktstore does not expire keys: EX, PX, EXAT, PXAT and KEEPTTL are not supported\r\n",
            c.send(cmd("SET", "k", "v", "EX", "10")));
        assertEquals("-ERR invalid key: pktstore keys are 1 to 1024 bytes\r\n", c.send(cmd("SET", "", "v")));
        assertEquals("-ERR invalid key: pktstore keys are 1 to 1024 bytes\r\n", c.send(cmd("SET", "x".repeat(1025), "v")));
        assertEquals("+OK\r\n", c.send(cmd("QUIT")));
        assertTrue(c.wire.closed, "QUIT closes after its reply");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void connectionAndAdminCommandsAnswerWhatClientsExpect(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        assertEquals("-NOPROTO sorry, this protocol version is not supported.\r\n", c.send(cmd("HELLO", "3")));
        final String hello = c.send(cmd("HELLO", "2"));
        assertTrue(hello.startsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n"),
            hello);
        assertEquals("+OK\r\n", c.send(cmd("CLIENT", "SETNAME", "worker-1")));
        assertEquals("$8\r\nworker-1\r\n", c.send(cmd("CLIENT", "GETNAME")));
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
            c.send(cmd("CLIENT", "SETNAME", "a b")));
        assertEquals("+OK\r\n", c.send(cmd("CLIENT", "SETINFO", "LIB-NAME", "redis-py")));
        assertEquals("+OK\r\n", c.send(cmd("CLIENT", "SETINFO", "lib-ver", "5.0.1")));
        assertTrue(c.send(cmd("CLIENT", "ID")).matches(":\\d+\r\n"));
        assertEquals("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", c.send(cmd("CLIENT", "FOO")));
        assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", c.send(cmd("CONFIG", "GET", "save")));
        assertEquals("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", c.send(cmd("CONFIG", "GET", "appendonly")));
        assertEquals("*0\r\n", c.send(cmd("CONFIG", "GET", "no-such-parameter")));
        assertEquals(":" + RespCommands.count() + "\r\n", c.send(cmd("COMMAND", "COUNT")));
        assertEquals("*0\r\n", c.send(cmd("COMMAND", "DOCS")));
        final String info = c.send(cmd("COMMAND", "INFO", "get"));
        assertEquals("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n*0\r\n*0\r\n", info);
        assertTrue(c.send(cmd("COMMAND")).startsWith("*" + RespCommands.count() + "\r\n*10\r\n"));
        c.send(cmd("SET", "x", "1"));
        final String infoReply = c.send(cmd("INFO"));
        assertTrue(infoReply.contains("redis_version:7.0.15\r\n"), infoReply);
        assertTrue(infoReply.contains("db0:keys=1,expires=0,avg_ttl=0\r\n"), infoReply);
        assertTrue(infoReply.contains("cluster_enabled:0\r\n"), infoReply);
        assertTrue(infoReply.contains("loading:0\r\n"), infoReply);
        assertTrue(infoReply.matches("(?s).*latency_percentiles_usec_write:p50=\\d+\\.\\d{3},p99=[0-9.]+,p99\\.9=[0-9.]+\r\n.*"),
            infoReply);
        final String serverOnly = c.send(cmd("INFO", "server"));
        assertTrue(serverOnly.contains("# Server") && !serverOnly.contains("# Keyspace"), serverOnly);
        assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
            + "Are you sure your configuration is correct?\r\n", c.send(cmd("AUTH", "secret")));
    }

    @Test
    void aPasswordGuardsEveryCommandButAuthHelloAndQuit()
    {
        harness = new SessionHarness(Engine.SKIPLIST, 512, ServerConfig.defaults().withPassword("s3cret"), RespSession::new);
        final SessionHarness.Client c = harness.client();
        assertEquals("-NOAUTH Authentication required.\r\n", c.send(cmd("GET", "k")));
        assertEquals("-NOAUTH Authentication required.\r\n", c.send(cmd("SET", "k", "v")));
        assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.send(cmd("AUTH", "nope")));
        assertEquals(3, harness.server.stats().authFailures);
        assertEquals("+OK\r\n", c.send(cmd("AUTH", "s3cret")));
        assertEquals("+OK\r\n", c.send(cmd("SET", "k", "v")));
        final SessionHarness.Client other = harness.client();
        assertTrue(other.send(cmd("HELLO", "2", "AUTH", "default", "s3cret")).startsWith("*14\r\n"));
        assertEquals("$1\r\nv\r\n", other.send(cmd("GET", "k")));
        final SessionHarness.Client third = harness.client();
        assertEquals("+OK\r\n", third.send(cmd("AUTH", "default", "s3cret")));
        assertEquals(3, harness.server.stats().authFailures, "two NOAUTH and one wrong password");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void scanWalksEveryKeyInOrderWithNumericCursorsAndMatchAndRangeAndTimestamps(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        for (int i = 0; i < 25; i++)
        {
            c.send(cmd("SET", String.format("user:%02d", i), "v" + i));
        }
        c.send(cmd("SET", "other", "x"));
        final StringBuilder keys = new StringBuilder();
        String cursor = "0";
        int calls = 0;
        do
        {
            final String reply = c.send(cmd("SCAN", cursor, "COUNT", "7"));
            final String[] lines = reply.split("\r\n");
            assertEquals("*2", lines[0]);
            cursor = lines[2];
            assertTrue(cursor.matches("\\d+"), "the cursor is an integer in a bulk string: " + reply);
            for (int i = 5; i < lines.length; i += 2)
            {
                keys.append(lines[i]).append(' ');
            }
            calls++;
        }
        while (!cursor.equals("0"));
        assertEquals(4, calls);
        final StringBuilder expected = new StringBuilder("other ");
        for (int i = 0; i < 25; i++)
        {
            expected.append(String.format("user:%02d ", i));
        }
        assertEquals(expected.toString(), keys.toString());
        final String matched = c.send(cmd("SCAN", "0", "MATCH", "user:1?", "COUNT", "100"));
        assertEquals("*2\r\n$1\r\n0\r\n*10\r\n", matched.substring(0, matched.indexOf("$7")));
        assertEquals("-ERR invalid cursor\r\n", c.send(cmd("SCAN", "999999")));
        assertEquals("-ERR invalid cursor\r\n", c.send(cmd("SCAN", "abc")));
        assertEquals("*4\r\n$7\r\nuser:03\r\n$2\r\nv3\r\n$7\r\nuser:04\r\n$2\r\nv4\r\n",
            c.send(cmd("PKS.RANGE", "user:03", "user:05")));
        assertEquals("*2\r\n$5\r\nother\r\n$1\r\nx\r\n", c.send(cmd("PKS.RANGE", "", "user", "LIMIT", "5")));
        final String ts = c.send(cmd("PKS.TS", "user:07"));
        assertTrue(ts.matches(":\\d+\r\n") && Long.parseLong(ts.substring(1, ts.length() - 2)) > 0, ts);
        assertEquals("$-1\r\n", c.send(cmd("PKS.TS", "missing")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void inlineCommandsWorkIncludingQuotesAndUnbalancedQuotesCloseTheConnection(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        assertEquals("+PONG\r\n", c.send("PING\r\n"));
        assertEquals("+OK\r\n", c.send("SET greeting \"hello world\\x21\"\r\n"));
        assertEquals("$12\r\nhello world!\r\n", c.send("GET greeting\n"));
        assertEquals("+OK\r\n", c.send("set 'it''s' 'a b'\r\n".replace("'it''s'", "'it\\'s'")));
        assertEquals("$3\r\na b\r\n", c.send(cmd("GET", "it's")));
        assertEquals("", c.send("\r\n\r\n"), "empty lines are skipped");
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", c.send("SET a \"b\r\n"));
        assertTrue(c.wire.closed);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aGetSendsTheStoredRecordsNotACopy(final Engine engine)
    {
        final SessionHarness.Client c = client(engine);
        final byte[] value = new byte[5000];
        new SplittableRandom(4).nextBytes(value);
        final String request = cmd("SET", "big", new String(value, StandardCharsets.ISO_8859_1));
        assertEquals("+OK\r\n", c.send(request.getBytes(StandardCharsets.ISO_8859_1)));
        final int node = harness.store.get(keyAddress("big"), 3);
        c.wire.sentRanges.clear();
        final String reply = c.send(cmd("GET", "big"));
        assertEquals("$5000\r\n" + new String(value, StandardCharsets.ISO_8859_1) + "\r\n", reply);
        // Every value byte on the wire came from a record over the stored value's buffers.
        int fromStore = 0;
        for (final long[] range : c.wire.sentRanges)
        {
            for (int r = harness.store.valueHead(node); r != -1; r = harness.store.nodes().next(r))
            {
                if (range[0] == harness.store.nodes().dataAddress(r) && range[1] == harness.store.nodes().dataLength(r))
                {
                    fromStore += (int)range[1];
                }
            }
        }
        assertEquals(5000, fromStore);
    }

    private long keyAddress(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final long a = org.agrona.UnsafeApi.allocateMemory(k.length);
        org.agrona.UnsafeApi.copyMemory(k, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), null, a, k.length);
        return a;
    }

    @Test
    void repliesLeaveOnlyAfterTheCommit()
    {
        final SessionHarness.Client c = client(Engine.SKIPLIST);
        c.deliver(cmd("SET", "k", "v").getBytes(StandardCharsets.US_ASCII));
        assertEquals("+OK\r\n", c.wire.held.toString(StandardCharsets.US_ASCII), "queued to the connection, held");
        assertEquals("", c.wire.take(), "nothing released before the commit");
        assertTrue(harness.store.needsCommit());
        harness.cycle();
        assertFalse(harness.store.needsCommit());
        assertEquals("+OK\r\n", c.wire.take());
    }
}
