package io.pktstore.system;

import io.pktstore.nic.RxBurst;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import org.agrona.BufferUtil;
import org.agrona.collections.Int2IntHashMap;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Injects a capture's client frames into a live node with tcpreplay (streamed a recorded burst at a
 * time through its standard input), each burst only once the node has sent everything it acknowledges.
 *
 * <p>Why: a recorded client cannot wait for replies. A segment whose ACK covers data the live node
 * has not sent yet is dropped with the requests it carries (RFC 9293 3.10.7.4), and the recorded
 * client never sends them again. Watching the node's frames on the client side of the veth (an
 * AF_PACKET socket in the client namespace) and holding each burst until the node's sequence space
 * has reached its ACKs makes the injection independent of how fast the node and the machine are.
 */
final class PacedInjector implements AutoCloseable
{
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(20);

    private final TestHost host;
    private final String nodeMac;
    private final AfPacketDevice watch;
    private final RxBurst burst = new RxBurst(64);
    /** Keeps the receive buffers' native memory reachable. */
    private final ByteBuffer buffers = ByteBuffer.allocateDirect(64 * 2048);
    /** Client port -> the end of the node's sequence space sent to it so far (SYN and FIN count). */
    private final Int2IntHashMap nodeSentEnd = new Int2IntHashMap(0);
    private final Int2IntHashMap seen = new Int2IntHashMap(0);
    private int bursts;

    PacedInjector(final TestHost host, final String nodeMac) throws Exception
    {
        this.host = host;
        this.nodeMac = nodeMac;
        final String ifName = host.topology.peerInterface();
        watch = host.topology.runInPeerNamespace(() -> AfPacketDevice.open(AfPacketConfig.builder(ifName).build()));
        final long base = BufferUtil.address(buffers);
        for (int i = 0; i < burst.capacity(); i++)
        {
            burst.setBuffer(i, base + i * 2048L, 2048);
        }
    }

    /**
     * Injects {@code clientFrames} (in capture order; frames with one stamp are one recorded burst).
     *
     * @return the number of bursts injected.
     * @throws AssertionError if the node does not send what a burst acknowledges within 20 s
     */
    int inject(final List<CaptureFrames.Frame> clientFrames) throws Exception
    {
        // One tcpreplay reading a pcap stream from its stdin sends each frame as soon as it is written:
        // a process per burst would cost more than the node's 200 ms minimum RTO on a busy machine,
        // and a spurious timeout would send the live node's congestion window its own way.
        final Process tcpreplay = new ProcessBuilder("ip", "netns", "exec", host.topology.peerNamespace().name(), "tcpreplay",
            "--topspeed", "-q", "-i", host.topology.peerInterface(), "-").redirectErrorStream(true).start();
        try (OutputStream pipe = tcpreplay.getOutputStream())
        {
            pipe.write(pcapHeader());
            int i = 0;
            while (i < clientFrames.size())
            {
                final long stamp = clientFrames.get(i).stampNs();
                final int first = i;
                while (i < clientFrames.size() && clientFrames.get(i).stampNs() == stamp)
                {
                    i++;
                }
                for (int f = first; f < i; f++)
                {
                    awaitNodeSent(clientFrames.get(f));
                }
                for (int f = first; f < i; f++)
                {
                    pipe.write(pcapRecord(clientFrames.get(f)));
                }
                pipe.flush();
                bursts++;
            }
        }
        if (!tcpreplay.waitFor(60, TimeUnit.SECONDS) || tcpreplay.exitValue() != 0)
        {
            tcpreplay.destroyForcibly();
            throw new AssertionError("tcpreplay failed: " + new String(tcpreplay.getErrorStream().readAllBytes())
                + new String(tcpreplay.getInputStream().readAllBytes()));
        }
        return bursts;
    }

    /** The pcap global header: nanosecond magic, version 2.4, snaplen 262144, Ethernet. */
    private static byte[] pcapHeader()
    {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b23c4d).putShort((short)2).putShort((short)4)
            .putInt(0).putInt(0).putInt(262_144).putInt(1).array();
    }

    /** A pcap record: seconds, nanoseconds, captured and original length, the frame. */
    private static byte[] pcapRecord(final CaptureFrames.Frame f)
    {
        final byte[] b = f.bytes();
        return ByteBuffer.allocate(16 + b.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt((int)(f.stampNs() / 1_000_000_000L)).putInt((int)(f.stampNs() % 1_000_000_000L))
            .putInt(b.length).putInt(b.length).put(b).array();
    }

    /** Waits until the node has sent everything a client TCP segment acknowledges. */
    private void awaitNodeSent(final CaptureFrames.Frame f)
    {
        final byte[] b = f.bytes();
        if (!isTcp(b) || (b[47] & 0x10) == 0)
        {
            return;   // ARP, or a SYN: acknowledges nothing
        }
        final int clientPort = u16(b, 34);
        final int ack = u32(b, 42);
        final long deadline = System.nanoTime() + WAIT_NS;
        while (seen.get(clientPort) == 0 || nodeSentEnd.get(clientPort) - ack < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the node did not send up to " + Integer.toUnsignedString(ack) + " to port "
                    + clientPort + " within 20 s (sent up to " + Integer.toUnsignedString(nodeSentEnd.get(clientPort)) + ")");
            }
            watch.awaitReadable(TimeUnit.MILLISECONDS.toNanos(10));
            final int n = watch.receive(burst, System.nanoTime());
            for (int k = 0; k < n; k++)
            {
                noteNodeFrame(burst.bufferAddress(k), burst.frameLength(k));
            }
        }
    }

    private void noteNodeFrame(final long address, final int length)
    {
        final byte[] b = new byte[length];
        org.agrona.UnsafeApi.copyMemory(null, address, b, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), length);
        if (!isTcp(b) || !java.util.HexFormat.ofDelimiter(":").formatHex(b, 6, 12).equalsIgnoreCase(nodeMac))
        {
            return;
        }
        final int ipHeader = (b[14] & 0x0F) * 4;
        final int tcpHeader = ((b[14 + ipHeader + 12] & 0xFF) >>> 4) * 4;
        final int payload = u16(b, 16) - ipHeader - tcpHeader;
        final int flags = b[14 + ipHeader + 13] & 0xFF;
        final int end = u32(b, 14 + ipHeader + 4) + payload + ((flags & 0x02) != 0 ? 1 : 0) + ((flags & 0x01) != 0 ? 1 : 0);
        final int clientPort = u16(b, 14 + ipHeader + 2);
        if (seen.get(clientPort) == 0 || end - nodeSentEnd.get(clientPort) > 0)
        {
            nodeSentEnd.put(clientPort, end);
            seen.put(clientPort, 1);
        }
    }

    private static boolean isTcp(final byte[] b)
    {
        return b.length >= 54 && u16(b, 12) == 0x0800 && (b[23] & 0xFF) == 6 && (b[14] & 0x0F) == 5;
    }

    private static int u16(final byte[] b, final int at)
    {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u32(final byte[] b, final int at)
    {
        return (u16(b, at) << 16) | u16(b, at + 2);
    }

    @Override
    public void close()
    {
        watch.close();
    }
}
