package io.pktstore.kv.resp;

import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.ClusterMap;

import java.util.List;

/**
 * CLUSTER subcommands from the static slot map, in Redis 7's reply shapes: what cluster-aware clients
 * read to route by themselves (redis-py's RedisCluster reads SLOTS, redis-benchmark --cluster and
 * redis-cli --cluster read NODES, newer clients SHARDS). Not on the hot path (allocates).
 */
final class RespCluster
{
    private RespCluster()
    {
    }

    static void cluster(final RespSession session, final Arguments args)
    {
        final ClusterMap map = session.server().config().cluster();
        if (map == null)
        {
            session.error("ERR This instance has cluster support disabled");
            return;
        }
        if (args.is(1, "SLOTS") && args.count() == 2)
        {
            slots(session, map);
        }
        else if (args.is(1, "SHARDS") && args.count() == 2)
        {
            shards(session, map);
        }
        else if (args.is(1, "NODES") && args.count() == 2)
        {
            session.bulk(nodes(map));
        }
        else if (args.is(1, "MYID") && args.count() == 2)
        {
            session.bulk(map.self().id());
        }
        else if (args.is(1, "KEYSLOT") && args.count() == 3)
        {
            final long key = args.address(2, 1 << 20);
            session.integer(key == 0 ? 0 : ClusterMap.slot(key, (int)args.length(2)));
        }
        else if (args.is(1, "INFO") && args.count() == 2)
        {
            session.bulk(info(map, session.server().store().count()));
        }
        else if (args.is(1, "COUNTKEYSINSLOT") && args.count() == 3)
        {
            session.error("ERR CLUSTER COUNTKEYSINSLOT is not supported by pktstore (the slot map is static)");
        }
        else
        {
            session.error("ERR unknown subcommand '" + args.printable(1, 64) + "'. Try CLUSTER HELP.");
        }
    }

    /** [[start, end, [ip, port, id]], ...] per range. */
    private static void slots(final RespSession session, final ClusterMap map)
    {
        int ranges = 0;
        for (final ClusterMap.Node node : map.nodes())
        {
            ranges += node.ranges().size();
        }
        session.arrayHeader(ranges);
        for (final ClusterMap.Node node : map.nodes())
        {
            for (final int[] range : node.ranges())
            {
                session.arrayHeader(3);
                session.integer(range[0]);
                session.integer(range[1]);
                session.arrayHeader(3);
                session.bulk(node.ip());
                session.integer(node.port());
                session.bulk(node.id());
            }
        }
    }

    /** CLUSTER SHARDS: one shard per node (no replicas). */
    private static void shards(final RespSession session, final ClusterMap map)
    {
        session.arrayHeader(map.nodes().size());
        for (final ClusterMap.Node node : map.nodes())
        {
            session.arrayHeader(4);
            session.bulk("slots");
            session.arrayHeader(2L * node.ranges().size());
            for (final int[] range : node.ranges())
            {
                session.integer(range[0]);
                session.integer(range[1]);
            }
            session.bulk("nodes");
            session.arrayHeader(1);
            final List<String> fields = List.of("id", node.id(), "port", Integer.toString(node.port()), "ip", node.ip(),
                "endpoint", node.ip(), "role", "master", "replication-offset", "0", "health", "online");
            session.arrayHeader(fields.size());
            for (int i = 0; i < fields.size(); i += 2)
            {
                session.bulk(fields.get(i));
                if (fields.get(i).equals("port") || fields.get(i).equals("replication-offset"))
                {
                    session.integer(Long.parseLong(fields.get(i + 1)));
                }
                else
                {
                    session.bulk(fields.get(i + 1));
                }
            }
        }
    }

    /** CLUSTER NODES: one line per node, Redis's format. */
    static String nodes(final ClusterMap map)
    {
        final StringBuilder sb = new StringBuilder();
        for (final ClusterMap.Node node : map.nodes())
        {
            sb.append(node.id()).append(' ').append(node.address()).append('@').append(node.port() + 10000).append(' ')
                .append(node == map.self() ? "myself,master" : "master").append(" - 0 0 ")
                .append(map.nodes().indexOf(node) + 1).append(" connected");
            for (final int[] range : node.ranges())
            {
                sb.append(' ').append(range[0]);
                if (range[1] != range[0])
                {
                    sb.append('-').append(range[1]);
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String info(final ClusterMap map, final long keys)
    {
        final int assigned = map.assignedSlots();
        return "cluster_state:" + (assigned == ClusterMap.SLOTS ? "ok" : "fail") + "\r\n"
            + "cluster_slots_assigned:" + assigned + "\r\n"
            + "cluster_slots_ok:" + assigned + "\r\n"
            + "cluster_slots_pfail:0\r\n"
            + "cluster_slots_fail:0\r\n"
            + "cluster_known_nodes:" + map.nodes().size() + "\r\n"
            + "cluster_size:" + map.nodes().size() + "\r\n"
            + "cluster_current_epoch:" + map.nodes().size() + "\r\n"
            + "cluster_my_epoch:1\r\n"
            + "cluster_stats_messages_sent:0\r\n"
            + "cluster_stats_messages_received:0\r\n"
            + "total_cluster_links_buffer_limit_exceeded:0\r\n";
    }
}
