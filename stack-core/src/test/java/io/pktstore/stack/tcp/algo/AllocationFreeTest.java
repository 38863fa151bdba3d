package io.pktstore.stack.tcp.algo;

import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-segment work of this package allocates nothing once constructed and warmed up: measured
 * with the thread's allocated-bytes counter over a million operations of each kind.
 */
class AllocationFreeTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static final int RECORDS = 1024;
    private final UnsafeBuffer table = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORDS * 64));
    private final int[] freeStack = new int[RECORDS];
    private int freeTop;
    private final SplittableRandom random = new SplittableRandom(3);

    private final TcpHeader header = new TcpHeader();
    private final TcpOptions parsed = new TcpOptions();
    private final TcpOptions written = new TcpOptions();
    private final UnsafeBuffer segment = new UnsafeBuffer(ByteBuffer.allocateDirect(1500));
    private final int[] sackLeft = new int[4];
    private final int[] sackRight = new int[4];
    private final RetransmissionTimer rto = RetransmissionTimer.linuxLike();
    private final IsnGenerator isns = IsnGenerator.fromRandom(new SplittableRandom(4));
    private final SynCookies cookies = new SynCookies(new SplittableRandom(5));

    private OutOfOrderQueue queue;
    private int rcvNxt;
    private long sink;

    @Test
    @Timeout(60)
    void perSegmentPathsAllocateNothingAfterWarmUp()
    {
        assertTrue(THREADS.isThreadAllocatedMemorySupported());
        THREADS.setThreadAllocatedMemoryEnabled(true);
        for (int i = 0; i < RECORDS; i++)
        {
            freeStack[freeTop++] = i;
        }
        queue = new OutOfOrderQueue(r -> table.addressOffset() + (long)r * 64, r -> freeStack[freeTop++] = r);
        rcvNxt = 0xFFFF_0000;
        prepareSegment();

        runOperations(200_000); // warm-up: JIT, lambda classes, counters
        final long thread = Thread.currentThread().getId();
        final long before = THREADS.getThreadAllocatedBytes(thread);
        runOperations(1_000_000);
        final long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        assertEquals(0, allocated, "bytes allocated over 1,000,000 rounds of every operation");
        assertTrue(sink != 42, "keeps results alive");
    }

    private void prepareSegment()
    {
        // 20-byte header + 20 bytes of options (MSS, SACK-permitted + TS, WS) + 100 payload bytes
        header.wrap(segment, 0, 140).srcPort(80).dstPort(40000).seq(1).ack(2).headerLength(40)
            .flags(TcpHeader.ACK).window(1000);
        written.clear();
        written.mss(1460).sackPermitted(true).timestamps(1, 2).windowScale(7);
        written.write(segment, TcpHeader.OPTIONS_OFFSET);
    }

    private void runOperations(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            // out-of-order queue: insert a segment ahead of rcvNxt, sometimes fill the gap and drain
            if (freeTop > 0 && queue.count() < 200)
            {
                final int r = freeStack[--freeTop];
                final long a = table.addressOffset() + (long)r * 64;
                final int offset = 1 + random.nextInt(64) * 700;
                table.putInt(r * 64 + 16, rcvNxt + offset, ByteOrder.LITTLE_ENDIAN);
                table.putShort(r * 64 + 22, (short)54, ByteOrder.LITTLE_ENDIAN);
                table.putShort(r * 64 + 24, (short)(1 + random.nextInt(1400)), ByteOrder.LITTLE_ENDIAN);
                table.putByte(r * 64 + 31, (byte)0);
                sink += queue.insert(r, rcvNxt) + a;
            }
            if ((i & 7) == 0)
            {
                rcvNxt += 1 + random.nextInt(3000);
                int d;
                while ((d = queue.pollInOrder(rcvNxt)) != OutOfOrderQueue.NIL)
                {
                    rcvNxt += table.getShort(d * 64 + 24, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                    freeStack[freeTop++] = d;
                }
            }
            sink += queue.sackBlocks(sackLeft, sackRight, 3);

            // header and options
            if (header.wrapChecked(segment, 0, 140) == TcpHeader.VALID
                && parsed.parse(header.buffer(), TcpHeader.OPTIONS_OFFSET, header.optionsLength()) == TcpOptions.OK)
            {
                sink += parsed.tsVal() + parsed.mss() + header.payloadLength() + header.seq();
            }
            written.timestamps(i, i - 1);
            sink += written.write(segment, TcpHeader.OPTIONS_OFFSET);

            // RTO (congestion control and loss recovery: LossRecoveryTest)
            rto.onRttSample(1_000_000L + (i & 1023) * 1000L, false, false);
            if ((i & 255) == 0)
            {
                rto.backoff();
            }
            sink += rto.rtoNs();

            // ISNs and cookies
            sink += isns.isn(0xC6120001, 80, 0xC6120002, i & 0xFFFF, i * 1000L);
            final int cookie = cookies.encode(0xC6120001, 80, 0xC6120002, i & 0xFFFF, i, 1460, i * 1000L);
            sink += cookies.validate(0xC6120001, 80, 0xC6120002, i & 0xFFFF, i, cookie, i * 1000L);
        }
    }
}
