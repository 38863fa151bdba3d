package io.pktstore.nic.xdp;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.internal.Frames;
import io.pktstore.nic.testutil.MappedFrameBuffers;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.PacedBurst;
import io.pktstore.nic.testutil.Packets;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The AF_XDP device over veth (copy mode, the only mode veth has), its UMEM a MAP_SHARED mapping of a
 * /dev/shm file as the arena's is: frames land in the very buffers lent to the kernel, transmit sends
 * buffer pieces in place and releases them on completion, close leaves no program attached and no
 * page pinned, and refused combinations say why. The peer end is driven by an AF_PACKET device in
 * the peer namespace. Needs root, AF_XDP in the kernel and Debian's libxdp1 (CI installs it).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AfXdpDeviceTest
{
    private static final int BUFFERS = 8192;
    private static final int SIZE = 2048;
    private static final int ETHERTYPE = 0x88B5;

    private static VethTopology topology;

    @BeforeAll
    static void createHosts()
    {
        topology = VethTopology.create("198.18.7.1/24");
    }

    @AfterAll
    static void removeHosts()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    private static MappedFrameBuffers shmBuffers()
    {
        return new MappedFrameBuffers(Path.of("/dev/shm/pks-xdp-test-" + ProcessHandle.current().pid() + "-" +
            ThreadLocalRandom.current().nextInt(1 << 30)), BUFFERS, SIZE);
    }

    private static XdpConfig.Builder config()
    {
        return XdpConfig.builder(topology.stackInterface()).ringSize(1024).txCopySlots(64);
    }

    private static AfPacketDevice peerDevice() throws Exception
    {
        return topology.runInPeerNamespace(() -> AfPacketDevice.open(
            AfPacketConfig.builder(topology.peerInterface()).qdiscBypass(true).build()));
    }

    /** An experimental-ethertype frame of {@code length} bytes whose bytes derive from {@code seq}. */
    private static byte[] frame(final int seq, final int length, final String dstMac, final String srcMac)
    {
        final byte[] f = new byte[length];
        System.arraycopy(Packets.mac(dstMac), 0, f, 0, 6);
        System.arraycopy(Packets.mac(srcMac), 0, f, 6, 6);
        f[12] = (byte)(ETHERTYPE >>> 8);
        f[13] = (byte)ETHERTYPE;
        for (int i = 14; i < length; i++)
        {
            f[i] = (byte)(seq * 7 + i * 13);
        }
        if (length > 14)
        {
            f[14] = (byte)seq;
        }
        return f;
    }

    private static boolean ours(final long address)
    {
        return ((UnsafeApi.getByte(address + 12) & 0xFF) << 8 | (UnsafeApi.getByte(address + 13) & 0xFF)) == ETHERTYPE;
    }

    private static String linkShow()
    {
        return Commands.run(List.of("ip", "-d", "link", "show", "dev", topology.stackInterface()), 10_000).check().stdout();
    }

    @Test
    void framesLandInTheBuffersLentToTheKernelAndNoByteIsCopiedInUserSpace() throws Exception
    {
        final int frames = 50;
        try (MappedFrameBuffers buffers = shmBuffers();
            AfXdpDevice device = AfXdpDevice.open(config().build(), buffers);
            AfPacketDevice peer = peerDevice())
        {
            final List<byte[]> sent = new ArrayList<>();
            final TxBurst out = new TxBurst(1, 1);
            for (int i = 0; i < frames; i++)
            {
                final byte[] f = frame(i, 60 + i * 29, topology.stackMac(), topology.peerMac());
                sent.add(f);
                final ByteBuffer b = NativeFrames.direct(f);
                out.clear();
                out.beginFrame();
                out.addSegment(NativeFrames.address(b), f.length);
                assertEquals(1, peer.transmit(out, 0));
            }
            final RxBurst rx = new RxBurst(16);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int got = 0;
            while (got < frames && System.nanoTime() < deadline)
            {
                final int n = device.receive(rx, 0);
                if (n == 0)
                {
                    device.awaitReadable(TimeUnit.MILLISECONDS.toNanos(5));
                }
                for (int i = 0; i < n; i++)
                {
                    final long address = rx.bufferAddress(i);
                    final int buffer = buffers.bufferAt(address);
                    assertTrue(buffer >= 0, "the frame starts at the first byte of one of the owner's buffers");
                    assertTrue(buffers.everAllocated(buffer), "that buffer was lent to the kernel through the fill ring");
                    assertEquals(SIZE, rx.bufferCapacity(i));
                    if (ours(address))
                    {
                        final byte[] want = sent.get(got);
                        assertEquals(want.length, rx.frameLength(i));
                        assertArrayEquals(want, NativeFrames.frame(rx, i), "frame " + got + " byte-exact in place");
                        // The bytes after the frame still hold the owner's poison: only the frame was written.
                        assertEquals((byte)0xAB, UnsafeApi.getByte(address + want.length));
                        assertEquals((byte)0xAB, UnsafeApi.getByte(address + SIZE - 1));
                        got++;
                    }
                    buffers.release(buffer);
                }
            }
            assertEquals(frames, got, "every frame received");
            assertEquals(0, device.statistics().rxBytesCopied(), "no received byte copied in user space");
            assertEquals(device.statistics().rxFrames(), device.statistics().rxFrames());
        }
    }

    @Test
    void transmitSendsBufferPiecesInPlaceAndHoldsThemUntilCompletion() throws Exception
    {
        final int frames = 200;
        try (MappedFrameBuffers buffers = shmBuffers();
            AfXdpDevice device = AfXdpDevice.open(config().build(), buffers);
            AfPacketDevice peer = peerDevice())
        {
            assertTrue(device.scatterGather(), "veth copy mode takes multi-descriptor frames (Linux 6.6+)");
            final int heldAtRest = device.buffersHeld();
            // The "stack's" data: one owner buffer with payload, and a header built outside the UMEM.
            final int payloadBuffer = buffers.allocate();
            final long payload = buffers.bufferAddress(payloadBuffer) + 100;
            final int payloadLength = 1000;
            final byte[] header = frame(0, 14, topology.peerMac(), topology.stackMac());
            final ByteBuffer headerMemory = NativeFrames.direct(header);
            final TxBurst out = new TxBurst(8, 2);
            int queued = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            final NativeFrames.BurstMemory peerRx = NativeFrames.burst(32, 2048);
            int arrived = 0;
            while (arrived < frames && System.nanoTime() < deadline)
            {
                if (queued < frames)
                {
                    out.clear();
                    final int seq = queued;
                    for (int i = 0; i < 8 && queued + i < frames; i++)
                    {
                        UnsafeApi.putByte(payload + i, (byte)(seq + i));
                    }
                    // Eight frames share the buffer; each piece starts at its own byte.
                    for (int i = 0; i < 8 && queued + i < frames; i++)
                    {
                        out.beginFrame();
                        out.addSegment(NativeFrames.address(headerMemory), 14);
                        out.addSegment(payload + i, payloadLength);
                    }
                    queued += device.transmit(out, 0);
                }
                final int n = peer.receive(peerRx.burst, 0);
                for (int i = 0; i < n; i++)
                {
                    if (!ours(peerRx.burst.bufferAddress(i)))
                    {
                        continue;
                    }
                    final byte[] f = NativeFrames.frame(peerRx.burst, i);
                    assertEquals(14 + payloadLength, f.length);
                    final byte[] want = new byte[payloadLength];
                    Frames.copyToArray(payload + (arrived % 8), want, payloadLength);
                    for (int b = 0; b < payloadLength; b++)
                    {
                        assertEquals(want[b], f[14 + b], "payload byte " + b + " of frame " + arrived);
                    }
                    arrived++;
                }
                if (n == 0)
                {
                    peer.awaitReadable(TimeUnit.MILLISECONDS.toNanos(2));
                }
                // Completions are reaped on every receive and transmit call.
                device.receive(new RxBurst(1), 0);
            }
            assertEquals(frames, arrived, "every frame reached the peer byte-exact");
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (device.buffersHeld() != heldAtRest && System.nanoTime() < until)
            {
                device.receive(new RxBurst(1), 0);
                Thread.sleep(1);
            }
            assertEquals(heldAtRest, device.buffersHeld(), "every completion released its buffer reference");
            assertEquals(1, buffers.refs(payloadBuffer), "only the owner's reference is left on the payload buffer");
            assertEquals((long)frames * payloadLength, device.txBytesInPlace(), "payload sent in place");
            assertEquals((long)frames * 14, device.statistics().txBytesCopied(), "only the headers were copied");
            buffers.release(payloadBuffer);
        }
    }

    @Test
    void pacedBurstOf100kFramesArrivesComplete() throws Exception
    {
        try (MappedFrameBuffers buffers = shmBuffers();
            AfXdpDevice device = AfXdpDevice.open(config().ringSize(2048).build(), buffers))
        {
            final PacedBurst.Result result = PacedBurst.run(topology, device, new RxBurst(64), 100_000,
                (burst, slot) -> buffers.release(buffers.bufferAt(burst.bufferAddress(slot))));
            assertEquals(100_000 + result.others, device.statistics().rxFrames());
            assertEquals(0, device.statistics().kernelDrops(), "no drop in the kernel: " +
                java.util.Arrays.toString(device.kernelCounters()));
            assertEquals(0, device.statistics().rxBytesCopied());
        }
    }

    @Test
    void closeDetachesTheProgramGivesBackEveryBufferAndUnpinsTheUmem() throws Exception
    {
        try (MappedFrameBuffers buffers = shmBuffers())
        {
            final long[] before = PinnedPages.read();
            final AfXdpDevice device = AfXdpDevice.open(config().build(), buffers);
            final int programId = device.programId();
            final long[] open = PinnedPages.read();
            final long pages = buffers.regionLength() / 4096;
            try
            {
                assertTrue(linkShow().contains("prog/xdp id " + programId), linkShow());
                // Pins are counted per folio reference, so a few large tmpfs folios count less than their pages.
                assertTrue(open[0] - before[0] >= pages * 9 / 10, "the UMEM's " + pages + " pages are pinned while " +
                    "open: " + (open[0] - before[0]));
                assertTrue(buffers.freeCount() < BUFFERS, "buffers are lent to the kernel");
            }
            finally
            {
                device.close();
            }
            assertFalse(linkShow().contains("xdp"), "no XDP program left on the interface: " + linkShow());
            final CommandResult prog = Commands.run(List.of("bpftool", "prog", "show", "id", Integer.toString(programId)),
                10_000);
            assertFalse(prog.ok(), "the program is unloaded: " + prog);
            assertEquals(BUFFERS, buffers.freeCount(), "every buffer came back");
            // The kernel unpins in deferred work after the socket's last reference goes.
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            final long pinned = open[0] - before[0];
            long released = PinnedPages.read()[1] - open[1];
            while (released < pinned && System.nanoTime() < until)
            {
                Thread.sleep(10);
                released = PinnedPages.read()[1] - open[1];
            }
            assertTrue(released >= pinned, "every pin taken at open was released: " + released + " of " + pinned);
        }
    }

    @Test
    void aKilledOwnerLeavesNoProgramAttached() throws Exception
    {
        final Path file = Path.of("/dev/shm/pks-xdp-probe-" + ProcessHandle.current().pid());
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), XdpProbe.class.getName(),
            topology.stackInterface(), file.toString()));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final int programId;
        try
        {
            final String line = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.startsWith("OPEN "), "probe: " + line);
            programId = Integer.parseInt(line.substring(5).trim());
            assertTrue(linkShow().contains("prog/xdp id " + programId), linkShow());
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL to our own child: no close, no shutdown hook
            child.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(file);
        }
        // The kernel detaches a link's program when its last descriptor goes, which a process death closes.
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (linkShow().contains("xdp") && System.nanoTime() < until)
        {
            Thread.sleep(10);
        }
        assertFalse(linkShow().contains("xdp"), "no program left attached after SIGKILL: " + linkShow());
        assertFalse(Commands.run(List.of("bpftool", "prog", "show", "id", Integer.toString(programId)), 10_000).ok(),
            "the killed owner's program is unloaded");
    }

    @Test
    void aFileOnExt4IsRefusedWithTheCauseAndTheAlternativeAndNothingIsLeftBehind() throws Exception
    {
        final Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        final String type = Commands.run(List.of("stat", "-f", "-c", "%T", dir.toString()), 10_000).check().stdout().trim();
        org.junit.jupiter.api.Assumptions.assumeTrue(type.startsWith("ext"), "needs a block file system, " + dir + " is " + type);
        try (MappedFrameBuffers buffers = new MappedFrameBuffers(Files.createTempFile(dir, "pks-xdp-ext4", ".umem"),
            256, SIZE))
        {
            final UmemRefusedException e = assertThrows(UmemRefusedException.class,
                () -> AfXdpDevice.open(config().build(), buffers));
            assertTrue(e.getMessage().contains("EFAULT") && e.getMessage().contains("/dev/shm") &&
                e.getMessage().contains("AFPACKET_V2"), e.getMessage());
            assertEquals(256, buffers.freeCount());
            assertFalse(linkShow().contains("xdp"), linkShow());
        }
    }

    @Test
    void zeroCopyOnVethIsRefusedWithTheCauseAndTheAlternative() throws Exception
    {
        try (MappedFrameBuffers buffers = shmBuffers())
        {
            final UmemRefusedException e = assertThrows(UmemRefusedException.class,
                () -> AfXdpDevice.open(config().mode(XdpMode.ZERO_COPY).build(), buffers));
            assertTrue(e.getMessage().contains("EOPNOTSUPP") && e.getMessage().contains("zero-copy") &&
                e.getMessage().contains("COPY"), e.getMessage());
            assertEquals(BUFFERS, buffers.freeCount());
            assertFalse(linkShow().contains("xdp"), linkShow());
        }
    }

    @Test
    void anotherProgramOnTheInterfaceIsReportedAndOursIsUnloaded() throws Exception
    {
        final String ifName = topology.stackInterface();
        Commands.check("ip", "link", "set", "dev", ifName, "xdpgeneric", "obj",
            XdpConfig.builder(ifName).build().programObject().toString(), "sec", "xdp");
        try (MappedFrameBuffers buffers = shmBuffers())
        {
            final long programsBefore = countPrograms();
            final DeviceExceptionHolder holder = new DeviceExceptionHolder();
            holder.e = assertThrows(io.pktstore.nic.DeviceException.class, () -> AfXdpDevice.open(config().build(), buffers));
            assertTrue(holder.e.getMessage().contains("already has an XDP program") &&
                holder.e.getMessage().contains("xdp off"), holder.e.getMessage());
            assertEquals(programsBefore, countPrograms(), "the program the failed open loaded is gone");
            assertEquals(BUFFERS, buffers.freeCount());
        }
        finally
        {
            Commands.check("ip", "link", "set", "dev", ifName, "xdpgeneric", "off");
        }
    }

    private static final class DeviceExceptionHolder
    {
        io.pktstore.nic.DeviceException e;
    }

    private static long countPrograms()
    {
        final String out = Commands.run(List.of("bpftool", "prog", "show"), 10_000).check().stdout();
        return out.lines().filter(l -> l.contains("name xsk_def_prog")).count();
    }
}
