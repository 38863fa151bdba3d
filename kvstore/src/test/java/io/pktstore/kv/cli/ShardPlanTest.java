package io.pktstore.kv.cli;

import io.pktstore.kv.server.ClusterMap;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.stack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How shards divide addresses, MACs, arena files and cluster slots. */
class ShardPlanTest
{
    private static final long IF_MAC = MacAddress.parse("aa:bb:cc:00:11:22");
    private static final Path ARENA = Path.of("/dev/shm/node.arena");

    @Test
    void oneShardIsTheNodeAsBefore()
    {
        final List<ShardPlan.Shard> plan = ShardPlan.plan(1, ARENA, "198.18.0.2/24", null, IF_MAC, ServerConfig.defaults(), null,
            List.of());
        assertEquals(1, plan.size());
        final ShardPlan.Shard only = plan.get(0);
        assertEquals(ARENA, only.arena());
        assertEquals("198.18.0.2/24", only.cidr());
        assertEquals(IF_MAC, only.mac());
        assertFalse(only.promiscuous());
        assertNull(only.server().cluster());
        assertEquals("", only.label());
    }

    @Test
    void eachShardHasItsOwnAddressMacAndFile()
    {
        final List<ShardPlan.Shard> plan = ShardPlan.plan(3, ARENA, "198.18.0.2/24", null, IF_MAC, ServerConfig.defaults(), null,
            List.of());
        assertEquals(List.of("198.18.0.2/24", "198.18.0.3/24", "198.18.0.4/24"), plan.stream().map(ShardPlan.Shard::cidr).toList());
        assertEquals(List.of("/dev/shm/node.arena.0", "/dev/shm/node.arena.1", "/dev/shm/node.arena.2"),
            plan.stream().map(s -> s.arena().toString()).toList());
        assertEquals(IF_MAC, plan.get(0).mac());
        assertEquals("02:70:6b:12:00:03", MacAddress.toString(plan.get(1).mac()));
        assertEquals("02:70:6b:12:00:04", MacAddress.toString(plan.get(2).mac()));
        assertEquals(List.of(false, true, true), plan.stream().map(ShardPlan.Shard::promiscuous).toList());
        assertEquals("shard 2 (198.18.0.4): ", plan.get(2).label());
        assertEquals(List.of(2, 3), List.of(plan.get(2).identity()[0] , plan.get(2).identity()[1]));
    }

    @Test
    void anAutoMacIsDerivedFromTheAddressForTheFirstShardToo()
    {
        final ShardPlan.Shard first = ShardPlan.plan(1, ARENA, "198.18.1.7/16", "auto", IF_MAC, ServerConfig.defaults(), null,
            List.of()).get(0);
        assertEquals("02:70:6b:12:01:07", MacAddress.toString(first.mac()));
        assertTrue(first.promiscuous());
        final ShardPlan.Shard given = ShardPlan.plan(1, ARENA, "198.18.1.7/16", "02:00:00:00:00:09", IF_MAC,
            ServerConfig.defaults(), null, List.of()).get(0);
        assertEquals("02:00:00:00:00:09", MacAddress.toString(given.mac()));
        final IllegalArgumentException multicast = assertThrows(IllegalArgumentException.class, () -> ShardPlan.plan(1, ARENA,
            "198.18.1.7/16", "01:00:5e:00:00:01", IF_MAC, ServerConfig.defaults(), null, List.of()));
        assertTrue(multicast.getMessage().contains("unicast"), multicast.getMessage());
    }

    @Test
    void shardsMustFitTheSubnet()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardPlan.plan(3, ARENA,
            "198.18.0.253/24", null, IF_MAC, ServerConfig.defaults(), null, List.of()));
        assertTrue(e.getMessage().contains("shard 2 would be 198.18.0.255 (the broadcast address)"), e.getMessage());
        final IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> ShardPlan.plan(2, ARENA,
            "198.18.0.2/31", null, IF_MAC, ServerConfig.defaults(), null, List.of()));
        assertTrue(past.getMessage().contains("prefix must be 1..30"), past.getMessage());
    }

    @Test
    void clusterSlotsAreDealtInEqualContiguousSharesAndEveryShardKnowsTheOthers()
    {
        final ServerConfig server = ServerConfig.defaults().withPorts(6379, 8080);
        final List<ShardPlan.Shard> plan = ShardPlan.plan(3, ARENA, "198.18.0.2/24", null, IF_MAC, server, "0-10000",
            List.of("198.18.0.9:6379=10001-16383"));
        final ClusterMap second = plan.get(1).server().cluster();
        assertEquals("198.18.0.3", second.self().ip());
        assertEquals(List.of("3334-6667"), second.self().ranges().stream().map(r -> r[0] + "-" + r[1]).toList());
        assertEquals(List.of("198.18.0.3", "198.18.0.2", "198.18.0.4", "198.18.0.9"),
            second.nodes().stream().map(ClusterMap.Node::ip).toList(), "itself first, the other shards, the given peer");
        // every slot has exactly one owner, and all shards agree on it
        for (int slot = 0; slot < ClusterMap.SLOTS; slot++)
        {
            final String owner = plan.get(0).server().cluster().ownerOf(slot).address();
            for (final ShardPlan.Shard shard : plan)
            {
                assertEquals(owner, shard.server().cluster().ownerOf(slot).address(), "slot " + slot);
            }
        }
        assertTrue(plan.get(0).server().cluster().ownsSlot(0));
        assertTrue(plan.get(2).server().cluster().ownsSlot(10000));
        assertEquals("198.18.0.9", plan.get(2).server().cluster().ownerOf(16383).ip());
    }

    @Test
    void slotSplitsAreBalancedAndFollowTheGivenRanges()
    {
        assertEquals(List.of("0-5461", "5462-10922", "10923-16383"), ClusterMap.splitSlots("0-16383", 3));
        assertEquals(List.of("0-2,10", "11-13"), ClusterMap.splitSlots("10-13,0-2", 2));
        assertEquals(List.of("7"), ClusterMap.splitSlots("7", 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterMap.splitSlots("0-1", 3)).getMessage()
            .contains("2 slots cannot be split into 3 shards"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterMap.splitSlots("0-9,5", 2)).getMessage()
            .contains("slot 5 is given twice"));
    }

    @Test
    void arenaFilesOfAnotherShardCountAreFound(@TempDir final Path dir) throws Exception
    {
        final Path arena = dir.resolve("node.arena");
        ShardPlan.checkNoOtherShardCount(arena, 1);
        ShardPlan.checkNoOtherShardCount(arena, 2);
        Files.writeString(ShardPlan.shardFile(arena, 2), "x");
        final IllegalArgumentException more = assertThrows(IllegalArgumentException.class,
            () -> ShardPlan.checkNoOtherShardCount(arena, 2));
        assertTrue(more.getMessage().contains("node.arena.2 exists: a node with more shards than 2"), more.getMessage());
        ShardPlan.checkNoOtherShardCount(arena, 3);
        ShardPlan.checkNoOtherShardCount(dir.resolve("other.arena"), 1);
        Files.writeString(ShardPlan.shardFile(dir.resolve("other.arena"), 0), "x");
        final IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
            () -> ShardPlan.checkNoOtherShardCount(dir.resolve("other.arena"), 1));
        assertTrue(one.getMessage().contains("other.arena.0 exists: a node with more shards than 1"), one.getMessage());
    }
}
