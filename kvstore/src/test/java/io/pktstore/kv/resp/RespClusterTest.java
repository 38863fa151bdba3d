package io.pktstore.kv.resp;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ClusterMap;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.testing.SessionHarness;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.pktstore.kv.resp.RespSessionTest.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis Cluster protocol from a static slot map: slots, hash tags, MOVED, CROSSSLOT, CLUSTER replies. */
class RespClusterTest
{
    private static final ClusterMap MAP = ClusterMap.parse("198.18.0.2:6379", "0-5460",
        List.of("198.18.0.3:6379=5461-10922", "198.18.0.4:6379=10923-16383"));
    private SessionHarness harness;

    @AfterEach
    void close()
    {
        if (harness != null)
        {
            harness.close();
        }
    }

    private static int slot(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final long a = UnsafeApi.allocateMemory(Math.max(1, k.length));
        UnsafeApi.copyMemory(k, UnsafeApi.arrayBaseOffset(byte[].class), null, a, k.length);
        return ClusterMap.slot(a, k.length);
    }

    @Test
    void slotsAreCrc16XmodemWithHashTagsAsRedisComputesThem()
    {
        assertEquals(0x31C3 % 16384, slot("123456789"), "CRC16-XMODEM check value");
        assertEquals(12182, slot("foo"), "redis-cli CLUSTER KEYSLOT foo");
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("{user1000}.followers"), slot("{user1000}.following"));
        assertEquals(slot("foo{}{bar}"), slot("foo{}{bar}"), "an empty tag hashes the whole key");
        assertEquals(slot("{bar"), slot("{bar"));
        assertEquals(slot("bar"), slot("foo{bar}{zap}"), "the first tag counts");
    }

    @Test
    void keysOfOtherNodesAreMovedAndMultiKeyRequestsMustShareASlot()
    {
        harness = new SessionHarness(Engine.SKIPLIST, 512, ServerConfig.defaults().withCluster(MAP), RespSession::new);
        final SessionHarness.Client c = harness.client();
        // "foo" is slot 12182 (node 3); "a" is slot 15495 (node 3); "key:{0}" etc: find local ones.
        assertEquals("-MOVED 12182 198.18.0.4:6379\r\n", c.send(cmd("GET", "foo")));
        assertEquals("-MOVED 12182 198.18.0.4:6379\r\n", c.send(cmd("SET", "foo", "bar")));
        String local = null;
        for (int i = 0; local == null; i++)
        {
            if (slot("k" + i) <= 5460)
            {
                local = "k" + i;
            }
        }
        assertEquals("+OK\r\n", c.send(cmd("SET", local, "here")));
        assertEquals("$4\r\nhere\r\n", c.send(cmd("GET", local)));
        assertEquals("+OK\r\n", c.send(cmd("MSET", "{" + local + "}a", "1", "{" + local + "}b", "2")));
        assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n", c.send(cmd("MGET", local, "foo")));
        assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", c.send(cmd("MGET", "{" + local + "}a", "{" + local + "}b")));
        assertEquals("+OK\r\n", c.send(cmd("ASKING")));
        assertEquals("+OK\r\n", c.send(cmd("READONLY")));
        assertEquals("-ERR SELECT is not allowed in cluster mode\r\n", c.send(cmd("SELECT", "1")));
        assertEquals(":12182\r\n", c.send(cmd("CLUSTER", "KEYSLOT", "foo")));
        assertEquals("$40\r\n" + ClusterMap.idOf("198.18.0.2:6379") + "\r\n", c.send(cmd("CLUSTER", "MYID")));
        final String slots = c.send(cmd("CLUSTER", "SLOTS"));
        assertEquals("*3\r\n*3\r\n:0\r\n:5460\r\n*3\r\n$10\r\n198.18.0.2\r\n:6379\r\n$40\r\n" + ClusterMap.idOf("198.18.0.2:6379")
            + "\r\n*3\r\n:5461\r\n:10922\r\n*3\r\n$10\r\n198.18.0.3\r\n:6379\r\n$40\r\n" + ClusterMap.idOf("198.18.0.3:6379")
            + "\r\n*3\r\n:10923\r\n:16383\r\n*3\r\n$10\r\n198.18.0.4\r\n:6379\r\n$40\r\n" + ClusterMap.idOf("198.18.0.4:6379")
            + "\r\n", slots);
        final String nodes = c.send(cmd("CLUSTER", "NODES"));
        assertTrue(nodes.contains(ClusterMap.idOf("198.18.0.2:6379") + " 198.18.0.2:6379@16379 myself,master - 0 0 1 connected 0-5460\n"),
            nodes);
        assertTrue(nodes.contains(" 198.18.0.4:6379@16379 master - 0 0 3 connected 10923-16383\n"), nodes);
        assertTrue(c.send(cmd("CLUSTER", "INFO")).contains("cluster_state:ok\r\ncluster_slots_assigned:16384\r\n"));
        assertTrue(c.send(cmd("CLUSTER", "SHARDS")).startsWith("*3\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:5460\r\n$5\r\nnodes\r\n"));
        assertTrue(c.send(cmd("INFO", "cluster")).contains("cluster_enabled:1\r\n"));
    }

    @Test
    void withoutAClusterMapClusterCommandsSaySoAndAMalformedMapIsRefused()
    {
        harness = new SessionHarness(Engine.SKIPLIST, 256, ServerConfig.defaults(), RespSession::new);
        final SessionHarness.Client c = harness.client();
        assertEquals("-ERR This instance has cluster support disabled\r\n", c.send(cmd("CLUSTER", "SLOTS")));
        assertEquals("$-1\r\n", c.send(cmd("SET", "foo", "bar", "GET")), "no redirect: every key is local");
        assertThrows(IllegalArgumentException.class, () -> ClusterMap.parse("198.18.0.2:6379", "0-100", List.of("198.18.0.3:6379=50-200")));
        assertThrows(IllegalArgumentException.class, () -> ClusterMap.parse("198.18.0.2:6379", "0-16384", List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClusterMap.parse("host:6379", "0-10", List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClusterMap.parse("198.18.0.2:6379", "0-10", List.of("198.18.0.3:6379")));
    }
}
