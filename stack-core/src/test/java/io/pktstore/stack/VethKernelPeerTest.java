package io.pktstore.stack;

import io.pktstore.arena.Arena;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.InternetChecksum;
import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux kernel as the peer over a veth pair (our end in the root namespace without an IP
 * address, read and written through AF_PACKET; the kernel's end in a namespace of this test):
 * the kernel resolves our address through the stack's ARP, gets ICMP echo replies, and its TCP
 * segments reach the transport with their checksum completed (TX offload on: CHECKSUM_PARTIAL) or
 * verified (offload off). Runs as root, as CI does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VethKernelPeerTest
{
    private static final String PING_PY = String.join("\n",
        "import socket, struct, sys, time",
        "ip = sys.argv[1]",
        "def csum(b):",
        "    if len(b) % 2: b += b'\\0'",
        "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
        "    while s >> 16: s = (s & 0xffff) + (s >> 16)",
        "    return ~s & 0xffff",
        "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
        "s.settimeout(3)",
        "ident = 0x1234",
        "payload = bytes(range(37))",
        "for seq in range(1, 4):",
        "    h = struct.pack('!BBHHH', 8, 0, 0, ident, seq)",
        "    pkt = struct.pack('!BBHHH', 8, 0, csum(h + payload), ident, seq) + payload",
        "    s.sendto(pkt, (ip, 0))",
        "    while True:",
        "        data, addr = s.recvfrom(4096)",
        "        icmp = data[(data[0] & 15) * 4:]",
        "        if icmp[0] == 0 and struct.unpack('!HH', icmp[4:8]) == (ident, seq):",
        "            assert icmp[8:] == payload, 'payload differs'",
        "            assert csum(icmp) == 0, 'bad ICMP checksum'",
        "            assert addr[0] == ip, 'reply from ' + addr[0]",
        "            print('REPLY', seq)",
        "            break");

    @Test
    void kernelResolvesUsThroughArpPingsUsAndItsTcpChecksumsAreEstablished() throws Exception
    {
        final int subnet = 1 + new SplittableRandom().nextInt(250);
        try (VethTopology topo = VethTopology.create("198.18." + subnet + ".1/24"))
        {
            final String stackIpText = "198.18." + subnet + ".2";
            final StackConfig config = StackConfig.builder()
                .mac(MacAddress.parse(topo.stackMac()))
                .ip(Ipv4Address.parse(stackIpText), 24)
                .idleMode(StackConfig.IdleMode.BACKOFF)
                .build();
            final Arena arena = TestArenas.arena(1024, 512);
            final Queue<String> tcpSeen = new ConcurrentLinkedQueue<>();
            final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
            try (AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(topo.stackInterface()).build()))
            {
                final NetworkStack stack = new NetworkStack(config, device, new PacketRecordPool(arena), new SystemNanoClock());
                stack.registerTransport(6, new TransportHandler()
                {
                    @Override
                    public boolean onDatagram(final ReceivedDatagram d, final long nowNs)
                    {
                        // Independent re-check over the bytes as stored: pseudo-header + segment sums to all ones.
                        final int pseudo = InternetChecksum.pseudoHeaderIpv4(d.srcIp(), d.dstIp(), 6, d.l4Length());
                        final boolean verifies = InternetChecksum.verifies(
                            InternetChecksum.sum(d.bufferAddress() + d.l4Offset(), d.l4Length(), pseudo));
                        final int flags = new UnsafeBuffer(d.bufferAddress(), d.frameLength()).getByte(d.l4Offset() + 13) & 0xFF;
                        tcpSeen.add(d.checksumState() + (verifies ? ":verifies" : ":BAD") + ((flags & 0x02) != 0 ? ":SYN" : ""));
                        return false;
                    }

                    @Override
                    public int poll(final long nowNs)
                    {
                        return 0;
                    }
                });
                final AgentRunner runner = StackRunner.startOnThread(stack, errors::add);
                try
                {
                    // 1. The kernel must resolve our address through the stack's ARP to send a UDP datagram.
                    topo.exec(List.of("python3", "-c",
                        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'hello', ('" + stackIpText + "', 9))"))
                        .check();
                    awaitTrue(() -> neighbour(topo, stackIpText).contains("lladdr " + topo.stackMac()) &&
                        !neighbour(topo, stackIpText).contains("FAILED"), "kernel neighbour entry for the stack");
                    awaitTrue(() -> stack.counters().get(StackCounters.IP_DROP_UNKNOWN_PROTOCOL) >= 1, "UDP reached the stack");
                    assertTrue(stack.counters().get(StackCounters.ARP_REPLIES_SENT) >= 1, stack.counters()::toString);

                    // 2. ICMP echo from the kernel through a raw socket, three times, payload and checksum checked.
                    final CommandResult ping = topo.exec(List.of("python3", "-c", PING_PY, stackIpText));
                    assertEquals(0, ping.exitCode(), () -> "ping failed: " + ping.stdout() + ping.stderr() + stack.counters());
                    assertEquals("REPLY 1\nREPLY 2\nREPLY 3", ping.stdout().trim());
                    assertTrue(stack.counters().get(StackCounters.ICMP_ECHO_REPLIED) >= 3);

                    // 3. Kernel TCP with TX checksum offload on: frames arrive CHECKSUM_PARTIAL and are completed.
                    topo.setPeerOffloads(true, false, false);
                    connectAttempt(topo, stackIpText);
                    awaitTrue(() -> !tcpSeen.isEmpty(), "a TCP SYN reached the transport");
                    final String partial = tcpSeen.poll();
                    assertEquals(PacketRecord.CHECKSUM_SOFTWARE_COMPLETED + ":verifies:SYN", partial, stack.counters()::toString);
                    assertTrue(stack.counters().get(StackCounters.TCP_CHECKSUM_COMPLETED) >= 1);

                    // 4. Offload off: the checksum arrives complete and is verified in software.
                    topo.setPeerOffloads(false, false, false);
                    tcpSeen.clear();
                    connectAttempt(topo, stackIpText);
                    awaitTrue(() -> !tcpSeen.isEmpty(), "a TCP SYN reached the transport");
                    assertEquals(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED + ":verifies:SYN", tcpSeen.poll());
                    assertEquals(0, stack.counters().get(StackCounters.TCP_DROP_BAD_CHECKSUM));
                    assertEquals(0, stack.counters().get(StackCounters.TCP_DROP_BAD_PARTIAL));
                }
                finally
                {
                    runner.close();
                }
                assertTrue(errors.isEmpty(), () -> "errors: " + errors);
                assertFalse(stack.counters().get(StackCounters.IP_DROP_BAD_CHECKSUM) > 0, stack.counters()::toString);
            }
        }
    }

    private static void connectAttempt(final VethTopology topo, final String ip)
    {
        // Nobody answers the SYN (no TCP is registered beyond the recorder): a short timeout ends it.
        topo.exec(List.of("python3", "-c",
            "import socket\ns = socket.socket()\ns.settimeout(0.5)\ntry:\n    s.connect(('" + ip + "', 7777))\nexcept OSError:\n    pass"));
    }

    private static String neighbour(final VethTopology topo, final String ip)
    {
        return topo.exec(List.of("ip", "neigh", "show", ip, "dev", topo.peerInterface())).stdout();
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
