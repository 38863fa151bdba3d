package io.pktstore.stack.ip.bench;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.StackRunner;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.ip.TransportHandler;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Cost of the layers below TCP per received full-size TCP segment (1460 bytes of data), by how
 * the checksum is established, side by side in one run over an in-memory link: trusted
 * (driver says VERIFIED), verified in software (UNKNOWN), completed in software and written back
 * (PARTIAL). Each figure is ns per frame for the whole path: the link's two copies (the peer's
 * transmit and the device's receive into the arena buffer), Ethernet/IPv4 validation, the checksum
 * work and the hand-off to a transport that keeps nothing. Medians of several runs, and the
 * software modes' extra cost over the trusted one. Not a test; run with
 * {@code scripts/bench stack-core io.pktstore.stack.ip.bench.TcpInputBenchmark [runs]}.
 */
public final class TcpInputBenchmark
{
    private static final int FRAMES = 1_000_000;
    private static final int BURST = 32;
    private static final long OUR_MAC = 0x0200_0000_0001L;
    private static final long PEER_MAC = 0x0200_0000_0002L;
    private static final int OUR_IP = 0xC612_0001;
    private static final int PEER_IP = 0xC612_0002;
    private static long sink;

    private TcpInputBenchmark()
    {
    }

    /** @param args optional: runs (default 5). */
    public static void main(final String[] args)
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int[] modes = {ChecksumStatus.VERIFIED, ChecksumStatus.UNKNOWN, ChecksumStatus.PARTIAL};
        final double[][] ns = new double[modes.length][runs];
        for (int run = -1; run < runs; run++) // one warm-up run
        {
            for (int m = 0; m < modes.length; m++)
            {
                final double v = nsPerFrame(modes[m]);
                if (run >= 0)
                {
                    ns[m][run] = v;
                }
            }
        }
        System.out.printf("TcpInputBenchmark: %d frames of 1514 B per run, %d runs, %d cores (shared), %s %s%n", FRAMES, runs,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        final double trusted = median(ns[0]);
        for (int m = 0; m < modes.length; m++)
        {
            final double med = median(ns[m]);
            System.out.printf("%-9s median %7.1f ns/frame  (runs %s)  extra over VERIFIED %+6.1f ns%n", ChecksumStatus.name(modes[m]),
                med, round(ns[m]), med - trusted);
        }
        System.out.println("(sink " + (sink & 1) + ")");
    }

    private static double nsPerFrame(final int checksumStatus)
    {
        final InMemoryLink link = InMemoryLink.pair(4096, 1514, checksumStatus);
        final ArenaGeometry geometry = ArenaGeometry.of(256, 256, ArenaGeometry.DEFAULT_BUFFER_SIZE, 0);
        final Arena arena = Arena.format(SimulatedPmRegion.create((geometry.requiredBytes() + 63) / 64 * 64), geometry);
        final long[] now = {0};
        final NetworkStack stack = new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).rxBurst(BURST).build(),
            link.a(), new PacketRecordPool(arena), () -> now[0]);
        final long[] seen = {0, 0};
        stack.registerTransport(6, new TransportHandler()
        {
            @Override
            public boolean onDatagram(final ReceivedDatagram d, final long nowNs)
            {
                seen[0] += d.checksumState();
                seen[1]++;
                return false;
            }

            @Override
            public int poll(final long nowNs)
            {
                return 0;
            }
        });
        final AgentInvoker invoker = StackRunner.invoker(stack, Throwable::printStackTrace);
        final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));
        buildFrame(frame, checksumStatus == ChecksumStatus.PARTIAL);
        final TxBurst tx = new TxBurst(BURST, 1);
        final RxBurst drain = new RxBurst(BURST);
        final UnsafeBuffer drainMemory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BURST * 2048, 64));
        for (int i = 0; i < BURST; i++)
        {
            drain.setBuffer(i, drainMemory.addressOffset() + i * 2048L, 2048);
        }
        invoker.invoke(); // announcement
        link.b().receive(drain, 0);
        final long start = System.nanoTime();
        for (int sent = 0; sent < FRAMES; sent += BURST)
        {
            tx.clear();
            for (int i = 0; i < BURST; i++)
            {
                tx.beginFrame();
                tx.addSegment(frame.addressOffset(), 1514);
            }
            link.b().transmit(tx, now[0]);
            invoker.invoke();
        }
        final long elapsed = System.nanoTime() - start;
        invoker.close();
        if (seen[1] != FRAMES)
        {
            // A figure is only meaningful if every frame took the full path to the transport.
            throw new IllegalStateException(ChecksumStatus.name(checksumStatus) + ": delivered " + seen[1] + " of " + FRAMES +
                "\n" + stack.counters());
        }
        sink += seen[0];
        return (double)elapsed / FRAMES;
    }

    /** Ethernet + IPv4 + TCP (20 B) + 1460 B data; PARTIAL frames carry only the pseudo-header sum. */
    private static void buildFrame(final UnsafeBuffer f, final boolean partial)
    {
        final ByteOrder be = ByteOrder.BIG_ENDIAN;
        f.setMemory(0, 1514, (byte)0x5A);
        f.putShort(0, (short)(OUR_MAC >>> 32), be);
        f.putInt(2, (int)OUR_MAC, be);
        f.putShort(6, (short)(PEER_MAC >>> 32), be);
        f.putInt(8, (int)PEER_MAC, be);
        f.putShort(12, (short)0x0800, be);
        f.putByte(14, (byte)0x45);
        f.putByte(15, (byte)0);
        f.putShort(16, (short)1500, be);
        f.putInt(18, 0x4000, be);
        f.putByte(22, (byte)64);
        f.putByte(23, (byte)6);
        f.putShort(24, (short)0, be);
        f.putInt(26, PEER_IP, be);
        f.putInt(30, OUR_IP, be);
        f.putShort(24, InternetChecksum.fold(InternetChecksum.sum(f.addressOffset() + 14, 20, 0)), be);
        f.putShort(34, (short)40000, be);
        f.putShort(36, (short)80, be);
        f.putInt(38, 1, be);
        f.putInt(42, 1, be);
        f.putByte(46, (byte)0x50);
        f.putByte(47, (byte)0x10);
        f.putShort(48, (short)65535, be);
        f.putShort(50, (short)0, be);
        f.putShort(52, (short)0, be);
        final int pseudo = InternetChecksum.pseudoHeaderIpv4(PEER_IP, OUR_IP, 6, 1480);
        if (partial)
        {
            f.putShort(50, (short)pseudo, be); // folded pseudo-header sum, not complemented
        }
        else
        {
            f.putShort(50, InternetChecksum.fold(InternetChecksum.sum(f.addressOffset() + 34, 1480, pseudo)), be);
        }
    }

    private static double median(final double[] v)
    {
        final double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String round(final double[] v)
    {
        final StringBuilder sb = new StringBuilder();
        for (final double d : v)
        {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.0f", d));
        }
        return sb.toString();
    }
}
