package io.pktstore.kv.cli;

import io.pktstore.kv.server.ClusterMap;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node's shards share one interface while sharing no state (DESIGN rule 1): each shard is a
 * station of its own on the wire, with its own address, MAC, AF_PACKET socket, arena file and store.
 * <pre>
 *  shard i   address        MAC                                 arena file
 *  0         --address      --mac, else the interface's         --arena        (one shard)
 *                                                               --arena.0      (several)
 *  i > 0     --address + i  02:70:6b + the address's low 24 bits  --arena.i
 * </pre>
 * A MAC derived from the address ("pk" after the locally administered 02) is unique wherever the
 * addresses are, and stable across restarts, so the peers' ARP caches stay right. Each shard's
 * socket carries a station filter (its MAC, ARP for its address), so no shard copies another's
 * frames; a shard whose MAC is not the interface's also asks for promiscuous mode, which a real NIC
 * needs to deliver its frames at all. With {@code --cluster-slots}, the node's slots are dealt to its
 * shards in contiguous, equal shares and every shard names the others as cluster peers, so a cluster
 * client routes each key to its shard directly.
 */
final class ShardPlan
{
    /** The OUI-like prefix of derived MACs: 02 (locally administered, unicast), then "pk". */
    static final long DERIVED_MAC_PREFIX = 0x02_70_6BL << 24;

    /** One shard's station and store. */
    record Shard(int index, int count, Path arena, int ip, int prefix, long mac, boolean promiscuous, ServerConfig server)
    {
        /** @return "198.18.0.3/24". */
        String cidr()
        {
            return Ipv4Address.toString(ip) + "/" + prefix;
        }

        /** @return "198.18.0.3". */
        String address()
        {
            return Ipv4Address.toString(ip);
        }

        /** @return {index, count}, as the store records it. */
        int[] identity()
        {
            return new int[] {index, count};
        }

        /** @return "shard 1 (198.18.0.3)" when the node has several, "" when it has one. */
        String label()
        {
            return count == 1 ? "" : "shard " + index + " (" + address() + "): ";
        }
    }

    private ShardPlan()
    {
    }

    /**
     * @param count how many shards, at least 1.
     * @param arena the arena path given (the only file for one shard, the stem of several).
     * @param cidr the first shard's address/prefix.
     * @param mac the first shard's MAC, or null: {@code interfaceMac}; "auto": derived as the others'.
     * @param interfaceMac the interface's own MAC.
     * @param server the node's settings (ports, password, limits).
     * @param clusterSlots the node's cluster slots, or null when not a cluster node.
     * @param clusterPeers other cluster nodes, ip:port=slots.
     * @return the shards, in index order.
     * @throws IllegalArgumentException naming what does not fit (addresses past the subnet, slots)
     */
    static List<Shard> plan(final int count, final Path arena, final String cidr, final String mac, final long interfaceMac,
                            final ServerConfig server, final String clusterSlots, final List<String> clusterPeers)
    {
        final int slash = cidr.indexOf('/');
        final int first = Ipv4Address.parse(cidr.substring(0, slash));
        final int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 1 || prefix > 30)
        {
            throw new IllegalArgumentException("the address prefix must be 1..30, got /" + prefix);
        }
        final int hostMask = (int)((1L << (32 - prefix)) - 1);
        final List<Integer> ips = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int ip = first + i;
            final int host = ip & hostMask;
            if ((ip & ~hostMask) != (first & ~hostMask) || host == 0 || host == hostMask)
            {
                throw new IllegalArgumentException(count + " shards need " + count + " consecutive addresses from "
                    + Ipv4Address.toString(first) + " inside " + cidr + ", but shard " + i + " would be "
                    + Ipv4Address.toString(ip) + " (" + (host == 0 ? "the network address" : host == hostMask
                    ? "the broadcast address" : "outside the subnet") + ")");
            }
            ips.add(ip);
        }
        final List<String> slotShares = clusterSlots == null ? null : ClusterMap.splitSlots(clusterSlots, count);
        final int respPort = server.respPort();
        final List<Shard> shards = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int ip = ips.get(i);
            final long shardMac = i == 0 && !"auto".equals(mac) ? (mac == null ? interfaceMac : MacAddress.parse(mac)) : derivedMac(ip);
            if (MacAddress.isMulticast(shardMac) || shardMac == 0)
            {
                throw new IllegalArgumentException("--mac must be a unicast address, got " + MacAddress.toString(shardMac));
            }
            ServerConfig shardServer = server;
            if (slotShares != null)
            {
                final List<String> peers = new ArrayList<>();
                for (int j = 0; j < count; j++)
                {
                    if (j != i)
                    {
                        peers.add(Ipv4Address.toString(ips.get(j)) + ":" + respPort + "=" + slotShares.get(j));
                    }
                }
                peers.addAll(clusterPeers);
                shardServer = server.withCluster(ClusterMap.parse(Ipv4Address.toString(ip) + ":" + respPort, slotShares.get(i),
                    peers));
            }
            shards.add(new Shard(i, count, count == 1 ? arena : shardFile(arena, i), ip, prefix, shardMac,
                shardMac != interfaceMac, shardServer));
        }
        return shards;
    }

    /**
     * Refuses to start when arena files from a run with more shards lie beside the ones this run
     * uses: their keys would silently drop out of the store.
     *
     * @throws IllegalArgumentException naming the file found
     */
    static void checkNoOtherShardCount(final Path arena, final int count)
    {
        final Path stray = count == 1 ? (Files.exists(arena) ? null : shardFile(arena, 0)) : shardFile(arena, count);
        if (stray != null && Files.exists(stray))
        {
            throw new IllegalArgumentException(stray + " exists: a node with more shards than " + count
                + " stored keys there; start with that --shards count, or move those files away");
        }
    }

    /** @return 02:70:6b and the address's low three octets. */
    static long derivedMac(final int ip)
    {
        return DERIVED_MAC_PREFIX | (ip & 0xFF_FFFFL);
    }

    /** @return the arena file of shard {@code index} when the node has several: "pktstore.arena.1". */
    static Path shardFile(final Path arena, final int index)
    {
        return arena.resolveSibling(arena.getFileName() + "." + index);
    }
}
