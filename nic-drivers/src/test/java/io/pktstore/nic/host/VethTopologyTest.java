package io.pktstore.nic.host;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VethTopologyTest
{
    private static boolean linkExists(final String name)
    {
        return Commands.run(List.of("ip", "link", "show", "dev", name)).ok();
    }

    private static boolean namespaceExists(final String name)
    {
        return Commands.run(List.of("ip", "netns", "list")).stdout().lines().anyMatch(l -> l.split(" ")[0].equals(name));
    }

    @Test
    void oneCallBuildsTheStackTopologyAndCloseRemovesItByName() throws Exception
    {
        final String stack;
        final String ns;
        try (VethTopology t = VethTopology.create("198.18.7.1/24"))
        {
            stack = t.stackInterface();
            ns = t.peerNamespace().name();
            assertTrue(stack.startsWith("pks") && stack.length() <= 15, stack);
            assertTrue(ns.startsWith("pks"), ns);
            assertTrue(linkExists(stack), "stack end in the root namespace");
            assertFalse(linkExists(t.peerInterface()), "peer end is not in the root namespace");
            assertTrue(namespaceExists(ns));
            final String stackAddrs = Commands.check("ip", "-o", "addr", "show", "dev", stack).stdout();
            assertFalse(stackAddrs.contains("inet "), "stack end must have no IPv4 address: " + stackAddrs);
            assertFalse(stackAddrs.contains("inet6 "), "IPv6 disabled on the stack end: " + stackAddrs);
            assertTrue(Commands.check("ip", "-o", "link", "show", "dev", stack).stdout().contains("state UP"));
            final String peerAddrs = t.exec(List.of("ip", "-o", "-4", "addr", "show", "dev", t.peerInterface())).check().stdout();
            assertTrue(peerAddrs.contains("inet 198.18.7.1/24"), peerAddrs);
            assertTrue(t.stackMac().matches("[0-9a-f:]{17}") && !t.stackMac().equals(t.peerMac()));
            assertTrue(Files.exists(HostRegistry.MARKER_DIR.resolve(stack.substring(0, stack.length() - 1) + ".owner")));

            // Java code in the peer namespace sees the peer interface; the calling thread comes back.
            assertNotNull(t.runInPeerNamespace(() -> NetworkInterface.getByName(t.peerInterface())));
            assertNull(NetworkInterface.getByName(t.peerInterface()), "thread is back in the root namespace");

            t.setPeerOffloads(false, false, false);
            final String features = t.exec(List.of("ethtool", "-k", t.peerInterface())).check().stdout();
            assertTrue(features.contains("tx-checksumming: off"), features);
            assertTrue(features.contains("tcp-segmentation-offload: off"), features);
        }
        assertFalse(linkExists(stack), "veth removed");
        assertFalse(namespaceExists(ns), "namespace removed");
    }

    @Test
    void addressesOutside198_18SlashFifteenAreRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> VethTopology.create("10.0.0.1/24"));
        assertTrue(ex.getMessage().contains("198.18.0.0/15"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VethTopology.create("198.20.0.1/24"));
        assertThrows(IllegalArgumentException.class, () -> VethTopology.create("198.18.0.1"));
    }

    @Test
    void nftablesLossRuleInThePeerNamespaceDropsKernelTraffic() throws Exception
    {
        try (VethTopology t = VethTopology.create("198.18.8.1/24");
            AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface()).build()))
        {
            t.addPeerNeighbor("198.18.8.2", t.stackMac());
            t.addPeerLossRule(100, false, true);
            assertEquals(0, sendAndCount(t, device, 20, false), "100% egress loss: nothing leaves the peer");
            final String rules = t.exec(List.of("nft", "list", "table", "inet", "pksloss")).check().stdout();
            assertTrue(rules.contains("packets 20"), "nft counted the 20 drops: " + rules);
            t.clearPeerLossRules();
            assertEquals(20, sendAndCount(t, device, 20, true), "rules cleared: all arrive");
        }
    }

    private static int sendAndCount(final VethTopology t, final AfPacketDevice device, final int count,
        final boolean expectAll) throws Exception
    {
        t.runInPeerNamespace(() ->
        {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("198.18.8.1", 0)))
            {
                for (int i = 0; i < count; i++)
                {
                    try
                    {
                        s.send(new DatagramPacket(new byte[8], 8, new InetSocketAddress("198.18.8.2", 4444)));
                    }
                    catch (final java.net.SocketException dropped)
                    {
                        // An nftables drop on output surfaces as EPERM to the sender.
                        assertTrue(dropped.getMessage().contains("not permitted"), dropped.getMessage());
                    }
                }
            }
            return null;
        });
        final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
        int got = 0;
        // Frames that pass must all be counted even when a loaded machine delivers them late: read
        // until all 'count' arrived (10 s bound), then 50 ms more for surplus. Frames that are
        // dropped never leave the sender (EPERM), so 500 ms of nothing is enough there.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(expectAll ? 10_000 : 500);
        boolean grace = false;
        while (System.nanoTime() < deadline)
        {
            if (expectAll && !grace && got >= count)
            {
                grace = true;
                deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            }
            device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(20));
            final int n = device.receive(mem.burst, System.nanoTime());
            for (int i = 0; i < n; i++)
            {
                final byte[] f = NativeFrames.frame(mem.burst, i);
                if (f.length > 40 && Packets.u16(f, 12) == 0x0800 && Packets.u16(f, 36) == 4444)
                {
                    got++;
                }
            }
        }
        return got;
    }

    private static List<String> childJvm(final String mode)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HostProbe.class.getName(), mode));
        return command;
    }

    @Test
    void shutdownHookRemovesHostsOfAJvmThatExitsWithoutClosing()
    {
        final CommandResult child = Commands.run(childJvm("exit"));
        assertEquals(0, child.exitCode(), child.toString());
        final String[] names = child.stdout().strip().split(" ");
        assertFalse(linkExists(names[0]), "veth " + names[0] + " left behind");
        assertFalse(namespaceExists(names[1]), "namespace " + names[1] + " left behind");
    }

    @Test
    void hostsOfAKilledJvmAreSweptByNameAndLiveOwnersAreLeftAlone() throws Exception
    {
        final Process child = new ProcessBuilder(childJvm("wait")).redirectErrorStream(true).start();
        final String[] names;
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            names = out.readLine().strip().split(" ");
            assertTrue(linkExists(names[0]) && namespaceExists(names[1]));
            // Owner alive: the sweep must not touch its hosts.
            HostRegistry.sweepStale();
            assertTrue(linkExists(names[0]) && namespaceExists(names[1]), "a live owner's hosts were removed");
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL to our own child: no shutdown hook runs
            child.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(linkExists(names[0]) && namespaceExists(names[1]), "SIGKILL leaves the hosts behind");
        final List<String> removed = HostRegistry.sweepStale();
        assertTrue(removed.contains("link:" + names[0]) && removed.contains("netns:" + names[1]), removed.toString());
        assertFalse(linkExists(names[0]));
        assertFalse(namespaceExists(names[1]));
    }

    @Test
    void stackEndInItsOwnNamespaceWithAnMtu() throws Exception
    {
        try (VethTopology t = VethTopology.create("198.18.12.1/24", true, 1400))
        {
            assertNotNull(t.stackNamespace());
            assertFalse(linkExists(t.stackInterface()), "stack end is not in the root namespace");
            final String link = t.stackNamespace().exec(List.of("ip", "-o", "link", "show", "dev", t.stackInterface()))
                .check().stdout();
            assertTrue(link.contains("mtu 1400") && link.contains("state UP"), link);
            try (AfPacketDevice device = t.runInStackNamespace(() -> AfPacketDevice.open(
                AfPacketConfig.builder(t.stackInterface()).build())))
            {
                assertEquals(1400, device.capabilities().mtu(), "MTU read through the socket");
            }
        }
    }

    @Test
    void standaloneNamespaceRunsCommandsAndThreadsInsideAndIsRemoved() throws Exception
    {
        final String name;
        try (NetNamespace ns = NetNamespace.create())
        {
            name = ns.name();
            assertTrue(namespaceExists(name));
            final String links = ns.exec(List.of("ip", "-o", "link")).check().stdout();
            assertTrue(links.contains("lo:") && links.lines().count() == 1, "only loopback inside: " + links);
            final java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
            final Thread thread = ns.startThread("in-ns", () ->
            {
                try
                {
                    seen.set(java.util.Collections.list(NetworkInterface.getNetworkInterfaces()).toString());
                }
                catch (final java.net.SocketException ex)
                {
                    seen.set(ex.toString());
                }
            });
            thread.join(10_000);
            assertTrue(seen.get().contains("name:lo") && !seen.get().contains("pks"), seen.get());
        }
        assertFalse(namespaceExists(name));
    }

    @Test
    void aBackgroundServerInThePeerNamespaceAnswersAKernelClientThere() throws Exception
    {
        try (VethTopology t = VethTopology.create("198.18.14.1/24"))
        {
            final Process server = t.startInPeer(List.of("python3", "-c",
                "import socket\n" +
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                "s.bind(('198.18.14.1', 6000))\n" +
                "print('ready', flush=True)\n" +
                "data, addr = s.recvfrom(100)\n" +
                "s.sendto(data.upper(), addr)\n"));
            try
            {
                final BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine());
                final String reply = t.runInPeerNamespace(() ->
                {
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("198.18.14.1", 0)))
                    {
                        s.setSoTimeout(5000);
                        s.send(new DatagramPacket("hello".getBytes(StandardCharsets.US_ASCII), 5,
                            new InetSocketAddress("198.18.14.1", 6000)));
                        final DatagramPacket p = new DatagramPacket(new byte[100], 100);
                        s.receive(p);
                        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                    }
                });
                assertEquals("HELLO", reply);
                assertTrue(server.waitFor(5, TimeUnit.SECONDS));
                assertEquals(0, server.exitValue());
            }
            finally
            {
                server.destroyForcibly();
            }
        }
    }
}
