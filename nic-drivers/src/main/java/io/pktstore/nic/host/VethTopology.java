package io.pktstore.nic.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test host of the storage node, in one call: a veth pair whose "stack" end stays in the root
 * namespace (or, optionally, a namespace of its own) UP with NO IP address - the user-space stack
 * owns the address, so the kernel must not answer ARP or send RSTs for it - and whose "peer" end is
 * moved into a fresh peer namespace with a 198.18.0.0/15 address, where kernel clients (curl,
 * python3, redis-cli) run. IPv6 is disabled on both ends so the kernel's router solicitations and
 * MLD reports do not appear as stray frames.
 *
 * <pre>
 *   root namespace (or stack namespace)          peer namespace pksXXXXXXXXn
 *   +-----------------------------+              +----------------------------------+
 *   | pksXXXXXXXXs  (no address)  |==== veth ====| pksXXXXXXXXp  198.18.a.b/len     |
 *   |   ^ AF_PACKET device here   |              |   kernel TCP/UDP clients, nft    |
 *   +-----------------------------+              +----------------------------------+
 * </pre>
 *
 * All names start with "pks" and a random stem; close() removes them by name, a shutdown hook
 * closes what is left open, and hosts of dead owners are swept at the next start
 * ({@link HostRegistry}).
 */
public final class VethTopology implements AutoCloseable
{
    private static final Pattern ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final String stem;
    private final String stackInterface;
    private final String peerInterface;
    private final String peerAddress;
    private final int prefixLength;
    private NetNamespace peerNamespace;
    private NetNamespace stackNamespace;
    private String stackMac;
    private String peerMac;
    private boolean nftTable;
    private boolean closed;

    private VethTopology(final String peerCidr)
    {
        final String[] parts = peerCidr.split("/");
        if (parts.length != 2)
        {
            throw new IllegalArgumentException("peer address must be CIDR like 198.18.0.1/24, was '" + peerCidr + "'");
        }
        peerAddress = parts[0];
        prefixLength = Integer.parseInt(parts[1]);
        checkTestRange(peerAddress, prefixLength);
        stem = HostNames.newStem();
        stackInterface = stem + "s";
        peerInterface = stem + "p";
    }

    /**
     * Creates the topology with the stack end in the root namespace.
     *
     * @param peerCidr the peer end's address, e.g. "198.18.0.1/24"; must lie inside 198.18.0.0/15.
     * @return the live topology; close() removes it.
     */
    public static VethTopology create(final String peerCidr)
    {
        return create(peerCidr, false, 0);
    }

    /**
     * @param peerCidr the peer end's address inside 198.18.0.0/15.
     * @param stackInOwnNamespace true to put the stack end in a namespace of its own (open its
     *        device inside {@link #runInStackNamespace}); false keeps it in the root namespace.
     * @param mtu MTU of both ends, 0 for the veth default (1500).
     * @return the live topology.
     */
    public static VethTopology create(final String peerCidr, final boolean stackInOwnNamespace, final int mtu)
    {
        final VethTopology t = new VethTopology(peerCidr);
        final List<String> names = new ArrayList<>();
        names.add("link:" + t.stackInterface);
        names.add("netns:" + t.stem + "n");
        if (stackInOwnNamespace)
        {
            names.add("netns:" + t.stem + "r");
        }
        HostRegistry.register(t.stem, names, t);
        try
        {
            t.build(stackInOwnNamespace, mtu);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                t.close();
            }
            catch (final RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
        return t;
    }

    private void build(final boolean stackInOwnNamespace, final int mtu)
    {
        peerNamespace = NetNamespace.createUnregistered(stem + "n");
        final List<String> add = new ArrayList<>(List.of("ip", "link", "add", stackInterface));
        if (mtu > 0)
        {
            add.addAll(List.of("mtu", Integer.toString(mtu)));
        }
        add.addAll(List.of("type", "veth", "peer", "name", peerInterface));
        if (mtu > 0)
        {
            add.addAll(List.of("mtu", Integer.toString(mtu)));
        }
        Commands.run(add).check();
        disableIpv6InRoot(stackInterface);
        Commands.check("ip", "link", "set", "dev", peerInterface, "netns", peerNamespace.name());
        peerNamespace.exec(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + peerInterface + ".disable_ipv6=1"));
        peerNamespace.exec(List.of("ip", "addr", "add", peerAddress + "/" + prefixLength, "dev", peerInterface)).check();
        peerNamespace.exec(List.of("ip", "link", "set", "dev", peerInterface, "up")).check();
        if (stackInOwnNamespace)
        {
            stackNamespace = NetNamespace.createUnregistered(stem + "r");
            Commands.check("ip", "link", "set", "dev", stackInterface, "netns", stackNamespace.name());
            stackNamespace.exec(List.of("ip", "link", "set", "dev", stackInterface, "up")).check();
            stackMac = mac(stackNamespace.exec(List.of("ip", "-o", "link", "show", "dev", stackInterface)).check());
        }
        else
        {
            Commands.check("ip", "link", "set", "dev", stackInterface, "up");
            stackMac = mac(Commands.check("ip", "-o", "link", "show", "dev", stackInterface));
        }
        peerMac = mac(peerNamespace.exec(List.of("ip", "-o", "link", "show", "dev", peerInterface)).check());
    }

    private static void disableIpv6InRoot(final String ifName)
    {
        final Path knob = Path.of("/proc/sys/net/ipv6/conf", ifName, "disable_ipv6");
        if (Files.exists(knob))
        {
            try
            {
                Files.writeString(knob, "1");
            }
            catch (final IOException ex)
            {
                throw new HostSetupException("cannot disable IPv6 on " + ifName + ": " + ex.getMessage(), ex);
            }
        }
    }

    private static String mac(final CommandResult linkShow)
    {
        final Matcher m = ETHER.matcher(linkShow.stdout());
        if (!m.find())
        {
            throw new HostSetupException("no MAC address in: " + linkShow.stdout());
        }
        return m.group(1);
    }

    /**
     * @param address dotted IPv4.
     * @param prefix prefix length.
     * @throws IllegalArgumentException unless address/prefix lies inside 198.18.0.0/15.
     */
    static void checkTestRange(final String address, final int prefix)
    {
        final String[] o = address.split("\\.");
        if (o.length != 4 || prefix < 15 || prefix > 32)
        {
            throw new IllegalArgumentException("need an IPv4 address with prefix /15../32, was " + address + "/" + prefix);
        }
        final int first = Integer.parseInt(o[0]);
        final int second = Integer.parseInt(o[1]);
        if (first != 198 || (second != 18 && second != 19))
        {
            throw new IllegalArgumentException("test addresses must lie in 198.18.0.0/15, was " + address);
        }
    }

    /** @return the stack end's interface name (open the AF_PACKET device on it). */
    public String stackInterface()
    {
        return stackInterface;
    }

    /** @return the peer end's interface name (inside {@link #peerNamespace()}). */
    public String peerInterface()
    {
        return peerInterface;
    }

    /** @return the peer namespace. */
    public NetNamespace peerNamespace()
    {
        return peerNamespace;
    }

    /** @return the stack's own namespace, or null when the stack end is in the root namespace. */
    public NetNamespace stackNamespace()
    {
        return stackNamespace;
    }

    /** @return the peer's IPv4 address (dotted, no prefix). */
    public String peerAddress()
    {
        return peerAddress;
    }

    /** @return the prefix length of the peer's address. */
    public int prefixLength()
    {
        return prefixLength;
    }

    /** @return the stack end's MAC address, "aa:bb:cc:dd:ee:ff". */
    public String stackMac()
    {
        return stackMac;
    }

    /** @return the peer end's MAC address, "aa:bb:cc:dd:ee:ff". */
    public String peerMac()
    {
        return peerMac;
    }

    /**
     * Runs a command in the peer namespace.
     *
     * @param command program and arguments.
     * @return the result, not checked.
     */
    public CommandResult exec(final List<String> command)
    {
        return peerNamespace.exec(command);
    }

    /**
     * Starts a long-running command in the peer namespace (see {@link NetNamespace#start}).
     *
     * @param command program and arguments.
     * @return the process; the caller ends it by its handle.
     */
    public Process startInPeer(final List<String> command)
    {
        return peerNamespace.start(command);
    }

    /**
     * Runs {@code task} on the calling thread inside the peer namespace (see {@link NetNamespace#call}).
     *
     * @param task code to run.
     * @param <T> result type.
     * @return its result.
     * @throws Exception what the task threw.
     */
    public <T> T runInPeerNamespace(final Callable<T> task) throws Exception
    {
        return peerNamespace.call(task);
    }

    /**
     * Runs {@code task} where the stack end lives: its own namespace if it has one, else directly.
     *
     * @param task code to run.
     * @param <T> result type.
     * @return its result.
     * @throws Exception what the task threw.
     */
    public <T> T runInStackNamespace(final Callable<T> task) throws Exception
    {
        return stackNamespace == null ? task.call() : stackNamespace.call(task);
    }

    /**
     * Sets the peer end's offloads with ethtool. With TX checksum offload on, kernel TCP/UDP frames
     * reach the stack as CHECKSUM_PARTIAL; with TSO/GSO on, TCP frames may be up to ~64 KB.
     *
     * @param txChecksum TX checksum offload.
     * @param tso TCP segmentation offload.
     * @param gso generic segmentation offload.
     */
    public void setPeerOffloads(final boolean txChecksum, final boolean tso, final boolean gso)
    {
        exec(List.of("ethtool", "-K", peerInterface, "tx", onOff(txChecksum), "tso", onOff(tso), "gso", onOff(gso))).check();
    }

    private static String onOff(final boolean on)
    {
        return on ? "on" : "off";
    }

    /**
     * Adds a static ARP entry in the peer namespace so the kernel there sends to {@code ip} without
     * asking (useful before the stack answers ARP itself).
     *
     * @param ip an address in the peer's subnet, e.g. the stack's.
     * @param mac its MAC "aa:bb:...".
     */
    public void addPeerNeighbor(final String ip, final String mac)
    {
        checkTestRange(ip, 32);
        exec(List.of("ip", "neigh", "replace", ip, "lladdr", mac, "dev", peerInterface, "nud", "permanent")).check();
    }

    /**
     * Drops a random {@code percent} of IP packets in the peer namespace with nftables
     * ({@code numgen random mod 100 < percent drop}), on the way in, out, or both.
     *
     * @param percent 0..100.
     * @param ingress drop received packets.
     * @param egress drop sent packets.
     */
    public void addPeerLossRule(final int percent, final boolean ingress, final boolean egress)
    {
        if (percent < 0 || percent > 100)
        {
            throw new IllegalArgumentException("loss percent must be 0..100, was " + percent);
        }
        if (!nftTable)
        {
            exec(List.of("nft", "add", "table", "inet", "pksloss")).check();
            exec(List.of("nft", "add chain inet pksloss in { type filter hook input priority 0 ; }")).check();
            exec(List.of("nft", "add chain inet pksloss out { type filter hook output priority 0 ; }")).check();
            nftTable = true;
        }
        // numgen's range is 0..99, so 100% is an unconditional drop; 0% adds nothing.
        final String match = percent == 100 ? "" : "numgen random mod 100 < " + percent + " ";
        if (percent > 0 && ingress)
        {
            exec(List.of("nft", "add rule inet pksloss in " + match + "counter drop")).check();
        }
        if (percent > 0 && egress)
        {
            exec(List.of("nft", "add rule inet pksloss out " + match + "counter drop")).check();
        }
    }

    /**
     * Drops a random {@code percent} of IP packets both ways in the peer namespace.
     * @param percent 0..100.
     */
    public void addPeerLossRule(final int percent)
    {
        addPeerLossRule(percent, true, true);
    }

    /** Removes every loss rule added by {@link #addPeerLossRule}. */
    public void clearPeerLossRules()
    {
        if (nftTable)
        {
            exec(List.of("nft", "delete", "table", "inet", "pksloss")).check();
            nftTable = false;
        }
    }

    /** Removes the veth pair and the namespace(s) by name. Idempotent; also called by the shutdown hook. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // Harmless if the link is elsewhere or gone: deleting either end removes the pair.
        HostRegistry.removeLink(stackInterface);
        if (stackNamespace != null)
        {
            stackNamespace.close();
        }
        if (peerNamespace != null)
        {
            peerNamespace.close();
        }
        else
        {
            HostRegistry.removeNamespace(stem + "n");
        }
        HostRegistry.unregister(stem, this);
    }
}
