package io.pktstore.kv.server;

import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Redis Cluster slot map, static (configuration, no gossip or failover): which node owns each of
 * the 16,384 hash slots. A key's slot is CRC16-XMODEM (polynomial 0x1021, initial 0) of the key, or of
 * the part between the first '{' and the next '}' when that part is not empty (a hash tag), mod 16384.
 * Every node is given the same map; node ids are derived from the nodes' addresses (the SHA-1 of
 * "ip:port" in hex), so all nodes name each other alike without talking.
 *
 * <p>Immutable; {@link #slot} allocates nothing.
 */
public final class ClusterMap
{
    /** Number of hash slots. */
    public static final int SLOTS = 16384;

    /** One node of the cluster: its address, id and slot ranges. */
    public record Node(String ip, int port, String id, List<int[]> ranges)
    {
        /** @return "ip:port". */
        public String address()
        {
            return ip + ":" + port;
        }
    }

    private static final int[] CRC16_TABLE = new int[256];

    static
    {
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int b = 0; b < 8; b++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            CRC16_TABLE[i] = crc & 0xFFFF;
        }
    }

    private final Node self;
    private final List<Node> nodes;
    /** Owner of each slot: index into {@link #nodes}, -1 = unassigned. */
    private final short[] owner = new short[SLOTS];

    private ClusterMap(final Node self, final List<Node> nodes)
    {
        this.self = self;
        this.nodes = List.copyOf(nodes);
        java.util.Arrays.fill(owner, (short)-1);
        for (int n = 0; n < nodes.size(); n++)
        {
            for (final int[] range : nodes.get(n).ranges())
            {
                for (int s = range[0]; s <= range[1]; s++)
                {
                    if (owner[s] != -1)
                    {
                        throw new IllegalArgumentException("slot " + s + " is given to both " + nodes.get(owner[s]).address()
                            + " and " + nodes.get(n).address());
                    }
                    owner[s] = (short)n;
                }
            }
        }
    }

    /**
     * Builds the map from command-line forms.
     *
     * @param selfAddress this node's "ip:port" as clients reach it.
     * @param selfSlots this node's slots, e.g. "0-5460" or "0-100,200-300".
     * @param peers other nodes, each "ip:port=slots".
     * @return the map.
     * @throws IllegalArgumentException naming what is malformed or overlapping
     */
    public static ClusterMap parse(final String selfAddress, final String selfSlots, final List<String> peers)
    {
        final List<Node> all = new ArrayList<>();
        final Node self = node(selfAddress, selfSlots);
        all.add(self);
        for (final String peer : peers)
        {
            final int eq = peer.indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException("a cluster peer is ip:port=slots, e.g. 198.18.0.3:6379=5461-10922; got '"
                    + peer + "'");
            }
            all.add(node(peer.substring(0, eq), peer.substring(eq + 1)));
        }
        return new ClusterMap(self, all);
    }

    private static Node node(final String address, final String slots)
    {
        final int colon = address.lastIndexOf(':');
        if (colon <= 0 || !address.substring(0, colon).matches("\\d{1,3}(\\.\\d{1,3}){3}"))
        {
            throw new IllegalArgumentException("a cluster node address is ip:port, got '" + address + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad port in '" + address + "'");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("bad port in '" + address + "'");
        }
        return new Node(address.substring(0, colon), port, idOf(address), parseSlots(slots));
    }

    /**
     * @param slots ranges like "0-5460" or "7,9-12".
     * @return the ranges, each {lo, hi} inclusive, as written.
     * @throws IllegalArgumentException if a range is malformed or out of 0..16383
     */
    public static List<int[]> parseSlots(final String slots)
    {
        final List<int[]> ranges = new ArrayList<>();
        for (final String part : slots.split(","))
        {
            final String[] ends = part.trim().split("-");
            try
            {
                final int lo = Integer.parseInt(ends[0].trim());
                final int hi = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : lo;
                if (ends.length > 2 || lo < 0 || hi >= SLOTS || lo > hi)
                {
                    throw new NumberFormatException();
                }
                ranges.add(new int[] {lo, hi});
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("slots are ranges of 0.." + (SLOTS - 1) + " like 0-5460 or 7,9-12; got '"
                    + slots + "'");
            }
        }
        return List.copyOf(ranges);
    }

    /**
     * Splits slots into {@code parts} contiguous shares of (nearly) equal size, in slot order: how a
     * node's slots are dealt to its shards.
     *
     * @param slots ranges like "0-16383".
     * @param parts how many shares, at least 1 and at most the number of slots.
     * @return each share as ranges ("0-8191"), in slot order.
     * @throws IllegalArgumentException if the slots are malformed, overlap, or are fewer than parts
     */
    public static List<String> splitSlots(final String slots, final int parts)
    {
        final boolean[] owned = new boolean[SLOTS];
        int count = 0;
        for (final int[] range : parseSlots(slots))
        {
            for (int s = range[0]; s <= range[1]; s++)
            {
                if (owned[s])
                {
                    throw new IllegalArgumentException("slot " + s + " is given twice in '" + slots + "'");
                }
                owned[s] = true;
                count++;
            }
        }
        if (parts < 1 || parts > count)
        {
            throw new IllegalArgumentException(count + " slots cannot be split into " + parts + " shards");
        }
        final List<String> shares = new ArrayList<>(parts);
        int slot = 0;
        for (int part = 0; part < parts; part++)
        {
            // share sizes differ by at most one: the first (count % parts) shares get one more
            int take = count / parts + (part < count % parts ? 1 : 0);
            final StringBuilder share = new StringBuilder();
            while (take > 0)
            {
                while (!owned[slot])
                {
                    slot++;
                }
                final int lo = slot;
                while (take > 0 && slot < SLOTS && owned[slot])
                {
                    slot++;
                    take--;
                }
                share.append(share.length() == 0 ? "" : ",").append(lo == slot - 1 ? Integer.toString(lo) : lo + "-" + (slot - 1));
            }
            shares.add(share.toString());
        }
        return shares;
    }

    /** @return the node id of an address: the hex SHA-1 of "ip:port" (40 characters, as Redis's ids). */
    public static String idOf(final String address)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-1").digest(address.getBytes(StandardCharsets.US_ASCII));
            final StringBuilder sb = new StringBuilder(40);
            for (final byte b : digest)
            {
                sb.append(String.format(Locale.ROOT, "%02x", b));
            }
            return sb.toString();
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param key first byte of the key.
     * @param length its length.
     * @return the key's hash slot, honouring a hash tag.
     */
    public static int slot(final long key, final int length)
    {
        int start = 0;
        int end = length;
        for (int i = 0; i < length; i++)
        {
            if (UnsafeApi.getByte(key + i) == '{')
            {
                for (int j = i + 1; j < length; j++)
                {
                    if (UnsafeApi.getByte(key + j) == '}')
                    {
                        if (j > i + 1)
                        {
                            start = i + 1;
                            end = j;
                        }
                        break;
                    }
                }
                break;
            }
        }
        int crc = 0;
        for (int i = start; i < end; i++)
        {
            crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ UnsafeApi.getByte(key + i)) & 0xFF]) & 0xFFFF;
        }
        return crc & (SLOTS - 1);
    }

    /** @return true if this node serves the slot. */
    public boolean ownsSlot(final int slot)
    {
        return owner[slot] == 0;
    }

    /** @return the node that owns a slot, or null if no node does. */
    public Node ownerOf(final int slot)
    {
        return owner[slot] < 0 ? null : nodes.get(owner[slot]);
    }

    /** @return this node. */
    public Node self()
    {
        return self;
    }

    /** @return every node, this one first. */
    public List<Node> nodes()
    {
        return nodes;
    }

    /** @return how many slots some node serves. */
    public int assignedSlots()
    {
        int n = 0;
        for (final short o : owner)
        {
            n += o >= 0 ? 1 : 0;
        }
        return n;
    }
}
