package io.pktstore.nic.pcap;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** Recording a real AF_PACKET device: tshark decodes what the peer's kernel sent, at the kernel's time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapRecordingVethTest
{
    @TempDir
    Path dir;

    @Test
    void recordingOfAKernelUdpDatagramDecodesInTsharkWithTheKernelTimestamp() throws Exception
    {
        final Path file = dir.resolve("veth.pcap");
        final byte[] payload = "recorded over veth".getBytes(StandardCharsets.US_ASCII);
        long timestamp = -1;
        try (VethTopology t = VethTopology.create("198.18.13.1/24"))
        {
            t.addPeerNeighbor("198.18.13.2", t.stackMac());
            t.setPeerOffloads(false, false, false);
            try (PcapRecordingDevice recorder = PcapRecordingDevice.open(
                AfPacketDevice.open(AfPacketConfig.builder(t.stackInterface()).build()), file))
            {
                final long before = Instant.now().getEpochSecond();
                t.runInPeerNamespace(() ->
                {
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("198.18.13.1", 45000)))
                    {
                        s.send(new DatagramPacket(payload, payload.length, new InetSocketAddress("198.18.13.2", 7000)));
                    }
                    return null;
                });
                final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (timestamp < 0 && System.nanoTime() < deadline)
                {
                    recorder.awaitReadable(TimeUnit.MILLISECONDS.toNanos(20));
                    final int n = recorder.receive(mem.burst, System.nanoTime());
                    for (int i = 0; i < n; i++)
                    {
                        final byte[] f = NativeFrames.frame(mem.burst, i);
                        if (f.length > 42 && (f[36] & 0xFF) == (7000 >>> 8) && (f[37] & 0xFF) == (7000 & 0xFF))
                        {
                            timestamp = mem.burst.timestampNs(i);
                        }
                    }
                }
                assertTrue(timestamp / 1_000_000_000L >= before, "kernel timestamp is wall-clock time");
            }
        }
        final CommandResult tshark = Commands.run(List.of("tshark", "-r", file.toString(), "-Y", "udp.dstport == 7000",
            "-T", "fields", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "udp.srcport", "-e", "udp.checksum.status",
            "-e", "data.data", "-o", "udp.check_checksum:TRUE"));
        assertEquals(0, tshark.exitCode(), tshark.toString());
        final String[] f = tshark.stdout().strip().split("\t");
        assertEquals(5, f.length, tshark.stdout());
        assertEquals((timestamp / 1_000_000_000L) + "." + String.format("%09d", timestamp % 1_000_000_000L), f[0]);
        assertEquals("198.18.13.1", f[1]);
        assertEquals("45000", f[2]);
        assertEquals("1", f[3], "tshark verified the UDP checksum: 1 = Good (0 Bad, 2 Unverified)");
        final StringBuilder hex = new StringBuilder();
        for (final byte b : payload)
        {
            hex.append(String.format("%02x", b));
        }
        assertEquals(hex.toString(), f[4]);
    }
}
