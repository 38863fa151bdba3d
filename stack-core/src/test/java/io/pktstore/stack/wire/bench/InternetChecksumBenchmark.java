package io.pktstore.stack.wire.bench;

import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The Internet checksum over arena-like off-heap memory, side by side in one run:
 * <ul>
 *   <li>{@code fast}: {@link InternetChecksum#sum(long, int, int)} (8 bytes per step, two 32-bit
 *       halves into a 64-bit accumulator);</li>
 *   <li>{@code words16}: the textbook loop, one big-endian 16-bit word per step (what RFC 1071's
 *       sample code does), over the same memory.</li>
 * </ul>
 * Sizes: a 64 B header-only segment, a 1 KB request (the paper's workload) and a 1460 B full
 * segment, at an odd start offset too. Reports the median ns per checksum over several runs and
 * the ratio. Not a test: run with
 * {@code scripts/bench stack-core io.pktstore.stack.wire.bench.InternetChecksumBenchmark [runs]}.
 */
public final class InternetChecksumBenchmark
{
    private static final int[] SIZES = {64, 1024, 1460};
    private static long sink;

    private InternetChecksumBenchmark()
    {
    }

    /** @param args optional: number of runs (default 7). */
    public static void main(final String[] args)
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 20, 64));
        final byte[] random = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(random);
        memory.putBytes(0, random);
        System.out.printf("InternetChecksumBenchmark: %d runs, %d cores, %s%n", runs, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.printf("%-8s %-7s %14s %14s %8s%n", "size", "offset", "fast ns/op", "words16 ns/op", "ratio");
        for (final int size : SIZES)
        {
            for (final int offset : new int[] {0, 1})
            {
                final double[] fast = new double[runs];
                final double[] naive = new double[runs];
                final int iterations = Math.max(20_000, 40_000_000 / size);
                for (int run = -2; run < runs; run++) // two warm-up runs
                {
                    final double f = timeFast(memory, size, offset, iterations);
                    final double n = timeWords16(memory, size, offset, iterations);
                    if (run >= 0)
                    {
                        fast[run] = f;
                        naive[run] = n;
                    }
                }
                final double fm = median(fast);
                final double nm = median(naive);
                System.out.printf("%-8d %-7d %14.1f %14.1f %7.2fx%n", size, offset, fm, nm, nm / fm);
            }
        }
        System.out.println("(ratio = words16 / fast; sink " + (sink & 1) + ")");
    }

    private static double timeFast(final UnsafeBuffer memory, final int size, final int offset, final int iterations)
    {
        final long base = memory.addressOffset() + offset;
        final int span = (1 << 20) - 4096;
        long acc = 0;
        final long start = System.nanoTime();
        for (int i = 0; i < iterations; i++)
        {
            // Walk the region so the data is not one hot cache line set (like successive RX buffers).
            acc += InternetChecksum.sum(base + ((i * 2048L) % span), size, 0);
        }
        final long elapsed = System.nanoTime() - start;
        sink += acc;
        return (double)elapsed / iterations;
    }

    private static double timeWords16(final UnsafeBuffer memory, final int size, final int offset, final int iterations)
    {
        final int span = (1 << 20) - 4096;
        long acc = 0;
        final long start = System.nanoTime();
        for (int i = 0; i < iterations; i++)
        {
            final int at = offset + (int)((i * 2048L) % span);
            long sum = 0;
            int j = 0;
            for (; j + 1 < size; j += 2)
            {
                sum += memory.getShort(at + j, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            }
            if (j < size)
            {
                sum += (memory.getByte(at + j) & 0xFF) << 8;
            }
            while ((sum >>> 16) != 0)
            {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            acc += sum;
        }
        final long elapsed = System.nanoTime() - start;
        sink += acc;
        return (double)elapsed / iterations;
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
