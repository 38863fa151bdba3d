package io.pktstore.stack.tcp.algo.bench;

import io.pktstore.stack.tcp.algo.IsnGenerator;
import io.pktstore.stack.tcp.algo.OutOfOrderQueue;
import io.pktstore.stack.tcp.algo.SynCookies;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Side-by-side costs of this package's hot pieces against the obvious alternatives, in one run:
 * <ol>
 *   <li>out-of-order reassembly: {@link OutOfOrderQueue} (red-black tree in the records' link
 *       words) versus a {@code java.util.TreeMap<Integer, Integer>} from offset to record index, both
 *       filling the same records from the same pool, over the same arrival order (5% of segments
 *       delayed by up to 64 positions, 1% duplicated);</li>
 *   <li>ISN secret component: SipHash-2-4 ({@link IsnGenerator}) versus MD5, the hash RFC 6528
 *       suggests, through {@code java.security.MessageDigest};</li>
 *   <li>SYN cookie encode + validate.</li>
 * </ol>
 * Reports the median of several runs, ns per segment/operation, and bytes allocated per operation.
 * Usage: {@code scripts/bench stack-core io.pktstore.stack.tcp.algo.bench.TcpAlgorithmsBenchmark [runs] [segments]}.
 */
public final class TcpAlgorithmsBenchmark
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final int MSS = 1448;
    private static final int ISN = 0xFFF0_0000;
    private static final int RECORDS = 4096;

    private final UnsafeBuffer table = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORDS * 64));
    private final int[] freeStack = new int[RECORDS];
    private int freeTop;
    private final OutOfOrderQueue queue;
    private long sink;

    private TcpAlgorithmsBenchmark()
    {
        for (int i = 0; i < RECORDS; i++)
        {
            freeStack[freeTop++] = i;
        }
        queue = new OutOfOrderQueue(r -> table.addressOffset() + (long)r * 64, r -> freeStack[freeTop++] = r);
    }

    /** @return arrival order of segment numbers: mostly in order, 5% delayed up to 64 places, 1% duplicated. */
    private static int[] arrivals(final int segments, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keyed = new long[segments + segments / 50];
        int n = 0;
        for (int i = 0; i < segments; i++)
        {
            final int position = random.nextInt(100) < 5 ? i + 1 + random.nextInt(64) : i;
            keyed[n++] = ((long)position << 32) | i;
            if (random.nextInt(100) == 0 && n < keyed.length)
            {
                keyed[n++] = ((long)(i + random.nextInt(8)) << 32) | i;
            }
        }
        final long[] sorted = Arrays.copyOf(keyed, n);
        Arrays.sort(sorted);
        final int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = (int)sorted[i];
        }
        return order;
    }

    private long reassembleWithTree(final int[] order)
    {
        int rcvNxt = ISN;
        for (final int s : order)
        {
            final int seq = ISN + s * MSS;
            if (seq == rcvNxt)
            {
                rcvNxt += MSS;
            }
            else
            {
                final int r = freeStack[--freeTop];
                table.putInt(r * 64 + 16, seq, ByteOrder.LITTLE_ENDIAN);
                table.putShort(r * 64 + 22, (short)54, ByteOrder.LITTLE_ENDIAN);
                table.putShort(r * 64 + 24, (short)MSS, ByteOrder.LITTLE_ENDIAN);
                table.putByte(r * 64 + 31, (byte)0);
                queue.insert(r, rcvNxt);
            }
            int d;
            while ((d = queue.pollInOrder(rcvNxt)) != OutOfOrderQueue.NIL)
            {
                rcvNxt += table.getShort(d * 64 + 24, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                freeStack[freeTop++] = d;
            }
        }
        return rcvNxt;
    }

    /**
     * The same job with a {@code TreeMap} from stream offset to record index: the same records are
     * taken from the same pool and filled the same way, so only the data structure differs.
     * Duplicates are dropped; overlaps need no trimming (all segments are MSS-aligned).
     */
    private long reassembleWithTreeMap(final int[] order)
    {
        final TreeMap<Integer, Integer> pending = new TreeMap<>();
        int rcvNxtOffset = 0;
        for (final int s : order)
        {
            final int offset = s * MSS;
            if (offset == rcvNxtOffset)
            {
                rcvNxtOffset += MSS;
            }
            else if (offset > rcvNxtOffset && !pending.containsKey(offset))
            {
                final int r = freeStack[--freeTop];
                table.putInt(r * 64 + 16, ISN + offset, ByteOrder.LITTLE_ENDIAN);
                table.putShort(r * 64 + 22, (short)54, ByteOrder.LITTLE_ENDIAN);
                table.putShort(r * 64 + 24, (short)MSS, ByteOrder.LITTLE_ENDIAN);
                table.putByte(r * 64 + 31, (byte)0);
                pending.put(offset, r);
            }
            Map.Entry<Integer, Integer> first;
            while ((first = pending.firstEntry()) != null && first.getKey() <= rcvNxtOffset)
            {
                pending.pollFirstEntry();
                final int d = first.getValue();
                rcvNxtOffset = Math.max(rcvNxtOffset, first.getKey() + (table.getShort(d * 64 + 24, ByteOrder.LITTLE_ENDIAN) & 0xFFFF));
                freeStack[freeTop++] = d;
            }
        }
        return ISN + rcvNxtOffset;
    }

    private static int md5Isn(final MessageDigest md5, final byte[] tuple, final byte[] key, final int i)
    {
        tuple[10] = (byte)(i >>> 8);
        tuple[11] = (byte)i;
        md5.update(tuple);
        md5.update(key);
        final byte[] d = md5.digest();
        return (d[0] & 0xFF) | (d[1] & 0xFF) << 8 | (d[2] & 0xFF) << 16 | d[3] << 24;
    }

    private static double median(final double[] v)
    {
        final double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /**
     * @param args [runs (default 7)] [segments per run (default 1000000)].
     * @throws Exception if MD5 is unavailable.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final int segments = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        final TcpAlgorithmsBenchmark b = new TcpAlgorithmsBenchmark();
        final int[] order = arrivals(segments, 1);
        final long thread = Thread.currentThread().getId();

        final double[] treeNs = new double[runs];
        final double[] mapNs = new double[runs];
        final double[] sipNs = new double[runs];
        final double[] md5Ns = new double[runs];
        final double[] cookieNs = new double[runs];
        long treeBytes = 0;
        long mapBytes = 0;
        long sipBytes = 0;
        long md5Bytes = 0;
        final IsnGenerator isns = IsnGenerator.fromRandom(new SplittableRandom(2));
        final SynCookies cookies = new SynCookies(new SplittableRandom(3));
        final MessageDigest md5 = MessageDigest.getInstance("MD5");
        final byte[] tuple = new byte[12];
        final byte[] key = new byte[16];
        new SplittableRandom(4).nextBytes(key);
        final int hashes = 2_000_000;

        // warm-up of every path
        b.sink += b.reassembleWithTree(order) + b.reassembleWithTreeMap(order);
        for (int i = 0; i < hashes; i++)
        {
            b.sink += isns.isn(1, 2, 3, i, i) + md5Isn(md5, tuple, key, i);
        }

        for (int run = 0; run < runs; run++)
        {
            // alternate which side goes first so neither always benefits from a warm cache
            for (int side = 0; side < 2; side++)
            {
                final boolean tree = (side == 0) == (run % 2 == 0);
                final long a0 = THREADS.getThreadAllocatedBytes(thread);
                final long t0 = System.nanoTime();
                final long end = tree ? b.reassembleWithTree(order) : b.reassembleWithTreeMap(order);
                final long t1 = System.nanoTime();
                final long bytes = THREADS.getThreadAllocatedBytes(thread) - a0;
                if (end != ISN + (long)segments * MSS && (int)end != ISN + segments * MSS)
                {
                    throw new IllegalStateException("reassembly incomplete: " + end);
                }
                if (tree)
                {
                    treeNs[run] = (t1 - t0) / (double)order.length;
                    treeBytes = bytes;
                }
                else
                {
                    mapNs[run] = (t1 - t0) / (double)order.length;
                    mapBytes = bytes;
                }
            }

            long a0 = THREADS.getThreadAllocatedBytes(thread);
            long t0 = System.nanoTime();
            for (int i = 0; i < hashes; i++)
            {
                b.sink += isns.isn(0xC6120001, 80, 0xC6120002, i & 0xFFFF, i);
            }
            sipNs[run] = (System.nanoTime() - t0) / (double)hashes;
            sipBytes = THREADS.getThreadAllocatedBytes(thread) - a0;

            a0 = THREADS.getThreadAllocatedBytes(thread);
            t0 = System.nanoTime();
            for (int i = 0; i < hashes; i++)
            {
                b.sink += md5Isn(md5, tuple, key, i);
            }
            md5Ns[run] = (System.nanoTime() - t0) / (double)hashes;
            md5Bytes = THREADS.getThreadAllocatedBytes(thread) - a0;

            t0 = System.nanoTime();
            for (int i = 0; i < hashes; i++)
            {
                final int c = cookies.encode(0xC6120001, 80, 0xC6120002, i & 0xFFFF, i, 1460, i);
                b.sink += cookies.validate(0xC6120001, 80, 0xC6120002, i & 0xFFFF, i, c, i);
            }
            cookieNs[run] = (System.nanoTime() - t0) / (double)hashes;
        }

        System.out.printf("machine: %d cores visible, %s %s; runs=%d, segments/run=%d (%d arrivals incl. duplicates)%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
            System.getProperty("java.version"), runs, segments, order.length);
        System.out.printf("OOO reassembly  OutOfOrderQueue  median %.1f ns/segment, %.3f B/segment allocated%n",
            median(treeNs), treeBytes / (double)order.length);
        System.out.printf("OOO reassembly  TreeMap          median %.1f ns/segment, %.3f B/segment allocated%n",
            median(mapNs), mapBytes / (double)order.length);
        System.out.printf("  ratio OutOfOrderQueue / TreeMap = %.2f%n", median(treeNs) / median(mapNs));
        System.out.printf("ISN F  SipHash-2-4  median %.1f ns/op, %.3f B/op allocated%n", median(sipNs), sipBytes / (double)hashes);
        System.out.printf("ISN F  MD5 (JCA)    median %.1f ns/op, %.3f B/op allocated%n", median(md5Ns), md5Bytes / (double)hashes);
        System.out.printf("  ratio SipHash / MD5 = %.2f%n", median(sipNs) / median(md5Ns));
        System.out.printf("SYN cookie encode+validate median %.1f ns/pair%n", median(cookieNs));
        System.out.println("per-run ns/segment tree=" + Arrays.toString(treeNs) + " map=" + Arrays.toString(mapNs));
        if (b.sink == 42)
        {
            System.out.println();
        }
    }
}
