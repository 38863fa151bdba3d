package io.pktstore.stack.tcp.algo;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The out-of-order tree against hand-made overlap cases and against a byte-bitmap model under
 * thousands of seeded random operations, with sequence numbers crossing 2^32.
 */
class OutOfOrderQueueTest
{
    private static final int RECORDS = 4096;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Stream starts just below the wrap so that every comparison must be modular. */
    private static final int BASE = 0xFFFF_8000;

    private final UnsafeBuffer table = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORDS * 64));
    private final List<Integer> released = new ArrayList<>();
    private final BitSet inUse = new BitSet(RECORDS);
    private OutOfOrderQueue queue;

    @BeforeEach
    void setUp()
    {
        queue = new OutOfOrderQueue(r -> table.addressOffset() + (long)r * 64, r ->
        {
            assertTrue(inUse.get(r), "record " + r + " released twice or never allocated");
            inUse.clear(r);
            released.add(r);
        });
    }

    /** A record for stream bytes [offset, offset + length): seq = BASE + offset, dataOffset = offset (so trims are checkable). */
    private int record(final int offset, final int length, final boolean fin)
    {
        final int r = inUse.nextClearBit(0);
        inUse.set(r);
        final int at = r * 64;
        table.setMemory(at, 64, (byte)0x5A); // garbage in the link words must not matter
        table.putInt(at, 1000 + r, LE);            // bufferIndex: must never change
        table.putInt(at + 16, BASE + offset, LE);
        table.putShort(at + 22, (short)offset, LE);
        table.putShort(at + 24, (short)length, LE);
        table.putByte(at + 31, (byte)(fin ? 0x02 : 0x00));
        return r;
    }

    private int seq(final int r)
    {
        return table.getInt(r * 64 + 16, LE);
    }

    private int dataOffset(final int r)
    {
        return table.getShort(r * 64 + 22, LE) & 0xFFFF;
    }

    private int dataLength(final int r)
    {
        return table.getShort(r * 64 + 24, LE) & 0xFFFF;
    }

    private boolean fin(final int r)
    {
        return (table.getByte(r * 64 + 31) & 0x02) != 0;
    }

    @Test
    void inOrderDeliveryAfterTheGapIsFilled()
    {
        final int a = record(1000, 500, false);
        final int b = record(2000, 500, false);
        final int c = record(1500, 500, false);
        assertEquals(500, queue.insert(a, BASE));
        assertEquals(500, queue.insert(b, BASE));
        assertEquals(500, queue.insert(c, BASE));
        assertEquals(3, queue.count());
        assertEquals(1500, queue.bytes());
        assertEquals(OutOfOrderQueue.NIL, queue.pollInOrder(BASE), "gap [0, 1000) still missing");
        int rcvNxt = BASE + 1000;
        final int[] expected = {a, c, b};
        for (final int e : expected)
        {
            final int r = queue.pollInOrder(rcvNxt);
            assertEquals(e, r);
            assertEquals(rcvNxt, seq(r));
            rcvNxt += dataLength(r);
            assertEquals(0L, table.getLong(r * 64 + 32), "link words zeroed when the record leaves the tree");
            assertEquals(1000 + r, table.getInt(r * 64, LE), "bufferIndex untouched");
        }
        assertEquals(OutOfOrderQueue.NIL, queue.pollInOrder(rcvNxt));
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.bytes());
        assertTrue(released.isEmpty());
    }

    @Test
    void duplicateAndCoveredSegmentsAreReleasedNotQueued()
    {
        final int a = record(1000, 1000, false);
        queue.insert(a, BASE);
        final int inside = record(1200, 300, false);
        assertEquals(0, queue.insert(inside, BASE));
        assertEquals(List.of(inside), released);
        final int old = record(0, 100, false);
        assertEquals(0, queue.insert(old, BASE + 100), "entirely before RCV.NXT");
        assertEquals(List.of(inside, old), released);
        assertEquals(1, queue.count());
        queue.verifyInvariants();
    }

    @Test
    void overlappingPrefixIsTrimmedWithoutCopying()
    {
        queue.insert(record(1000, 1000, false), BASE);
        final int b = record(1500, 1000, false); // [1500, 2500) overlaps [1000, 2000)
        assertEquals(500, queue.insert(b, BASE));
        assertEquals(BASE + 2000, seq(b));
        assertEquals(2000, dataOffset(b), "data pointer moved by the trimmed 500 bytes");
        assertEquals(500, dataLength(b));
        assertEquals(1500, queue.bytes());
        queue.verifyInvariants();
    }

    @Test
    void segmentFilledByItsNeighboursIsADuplicate()
    {
        queue.insert(record(1000, 500, false), BASE);
        queue.insert(record(1500, 500, false), BASE);
        final int between = record(1200, 600, false); // [1200,1800) lies within [1000,1500)+[1500,2000)
        assertEquals(0, queue.insert(between, BASE));
        assertEquals(List.of(between), released);
        assertEquals(2, queue.count());
        queue.verifyInvariants();
    }

    @Test
    void segmentBeforeRcvNxtIsTrimmedToRcvNxt()
    {
        final int a = record(0, 1000, false);
        assertEquals(600, queue.insert(a, BASE + 400));
        assertEquals(BASE + 400, seq(a));
        assertEquals(400, dataOffset(a));
        assertEquals(600, dataLength(a));
    }

    @Test
    void newSegmentCoveringQueuedOnesReplacesThemAndTrimsItsTail()
    {
        final int a = record(1000, 100, false);
        final int b = record(1200, 100, false);
        final int c = record(1400, 500, false);
        queue.insert(a, BASE);
        queue.insert(b, BASE);
        queue.insert(c, BASE);
        final int big = record(900, 700, false); // [900, 1600): covers a and b, runs into c
        assertEquals(300, queue.insert(big, BASE), "new: [900,1000) [1100,1200) [1300,1400)");
        assertEquals(List.of(a, b), released);
        assertEquals(BASE + 900, seq(big));
        assertEquals(500, dataLength(big), "tail trimmed at c's start");
        assertEquals(2, queue.count());
        assertEquals(1000, queue.bytes());
        queue.verifyInvariants();
    }

    @Test
    void finOccupiesOneSequenceNumberAndSurvivesPrefixTrim()
    {
        final int f = record(1000, 200, true);
        assertEquals(201, queue.insert(f, BASE));
        final int dup = record(1000, 200, false);
        assertEquals(0, queue.insert(dup, BASE));
        final int overlapping = record(900, 150, false);
        assertEquals(100, queue.insert(overlapping, BASE), "tail trimmed at the FIN segment");
        assertEquals(100, dataLength(overlapping));
        int r = queue.pollInOrder(BASE + 1050);
        assertEquals(f, r, "first record ends before RCV.NXT: released; second trimmed");
        assertTrue(released.contains(overlapping));
        assertEquals(BASE + 1050, seq(r));
        assertEquals(150, dataLength(r));
        assertTrue(fin(r));
    }

    @Test
    void recordWithoutSequenceSpaceIsReleased()
    {
        final int empty = record(3000, 0, false);
        assertEquals(0, queue.insert(empty, BASE));
        assertEquals(List.of(empty), released);
        assertTrue(queue.isEmpty());
    }

    @Test
    void finOnlyRecordIsQueued()
    {
        final int f = record(3000, 0, true);
        assertEquals(1, queue.insert(f, BASE));
        assertEquals(BASE + 3001, queue.highestEnd());
        assertEquals(f, queue.pollInOrder(BASE + 3000));
    }

    @Test
    void sackBlocksReportMostRecentFirstThenLowestRfc2018Section4()
    {
        queue.insert(record(1000, 100, false), BASE);
        queue.insert(record(1100, 100, false), BASE); // contiguous: block [1000,1200)
        queue.insert(record(3000, 100, false), BASE);
        queue.insert(record(5000, 100, false), BASE);
        queue.insert(record(7000, 100, false), BASE);
        queue.insert(record(2000, 100, false), BASE); // most recent
        final int[] left = new int[4];
        final int[] right = new int[4];
        final int n = queue.sackBlocks(left, right, 3);
        assertEquals(3, n);
        assertEquals(BASE + 2000, left[0]);
        assertEquals(BASE + 2100, right[0]);
        assertEquals(BASE + 7000, left[1], "then the previous arrivals, newest first");
        assertEquals(BASE + 5000, left[2]);

        final int all = queue.sackBlocks(left, right, 4);
        assertEquals(4, all);
        assertEquals(BASE + 3000, left[3]);
    }

    @Test
    void sackFillsFromTheLowestBlocksWhenRecentOnesAreDelivered()
    {
        queue.insert(record(1000, 100, false), BASE);
        queue.insert(record(1100, 100, false), BASE);
        queue.insert(record(3000, 100, false), BASE);
        final int[] left = new int[3];
        final int[] right = new int[3];
        assertEquals(2, queue.sackBlocks(left, right, 3));
        assertEquals(BASE + 3000, left[0]);
        assertEquals(BASE + 1000, left[1]);
        assertEquals(BASE + 1200, right[1], "contiguous records merge into one block");
    }

    @Test
    void clearReleasesEverything()
    {
        for (int i = 0; i < 50; i++)
        {
            queue.insert(record(1000 + i * 200, 100, false), BASE);
        }
        queue.clear();
        assertEquals(50, released.size());
        assertTrue(queue.isEmpty());
        assertTrue(inUse.isEmpty());
    }

    @Test
    @Timeout(30)
    void matchesAByteModelUnderRandomOperations()
    {
        final SplittableRandom random = new SplittableRandom(0x5EED);
        for (int round = 0; round < 20; round++)
        {
            runModel(random, 30_000, 1_500);
            assertTrue(inUse.isEmpty(), "every record delivered or released exactly once");
        }
    }

    private void runModel(final SplittableRandom random, final int streamLength, final int operations)
    {
        final BitSet received = new BitSet(streamLength);
        int rcvNxtOffset = 0;
        long queuedNew = 0;
        final int[] left = new int[4];
        final int[] right = new int[4];
        for (int op = 0; op < operations && rcvNxtOffset < streamLength; op++)
        {
            final int window = Math.min(8000, streamLength - rcvNxtOffset);
            final int start = Math.max(0, rcvNxtOffset - 500 + random.nextInt(window + 500));
            final int length = Math.min(1 + random.nextInt(1460), streamLength - start);
            if (length <= 0)
            {
                continue;
            }
            final int r = record(start, length, false);
            final BitSet before = (BitSet)received.clone();
            final int added = queue.insert(r, BASE + rcvNxtOffset);
            if (start + length > rcvNxtOffset)
            {
                received.set(Math.max(start, rcvNxtOffset), start + length);
            }
            final BitSet fresh = (BitSet)received.clone();
            fresh.andNot(before);
            assertEquals(fresh.cardinality(), added, "insert reports exactly the new bytes");
            queuedNew += added;

            if (random.nextInt(4) == 0)
            {
                // deliver what is in order now, like the connection would
                int d;
                while ((d = queue.pollInOrder(BASE + rcvNxtOffset)) != OutOfOrderQueue.NIL)
                {
                    assertEquals(BASE + rcvNxtOffset, seq(d));
                    assertEquals(rcvNxtOffset, dataOffset(d), "trimming kept the data pointer in step with seq");
                    assertTrue(received.get(rcvNxtOffset, rcvNxtOffset + dataLength(d)).cardinality() == dataLength(d));
                    rcvNxtOffset += dataLength(d);
                    inUse.clear(d); // the application consumed it
                }
                assertFalse(received.get(rcvNxtOffset) && rcvNxtOffset < streamLength,
                    "a received byte at RCV.NXT must have been delivered");
            }

            queue.verifyInvariants();
            final BitSet pending = received.get(0, streamLength);
            pending.clear(0, rcvNxtOffset);
            assertEquals(pending.cardinality(), queue.bytes(), "queued bytes equal the model's");
            for (int n = queue.first(); n != OutOfOrderQueue.NIL; n = queue.next(n))
            {
                assertEquals(seq(n) - BASE, dataOffset(n));
            }
            final int blocks = queue.sackBlocks(left, right, 3);
            assertEquals(Math.min(3, runs(pending)), blocks);
            for (int b = 0; b < blocks; b++)
            {
                final int l = left[b] - BASE;
                final int rt = right[b] - BASE;
                assertTrue(pending.get(l, rt).cardinality() == rt - l, "block is all received");
                assertFalse(l > 0 && pending.get(l - 1), "block is maximal on the left");
                assertFalse(pending.get(rt), "block is maximal on the right");
            }
        }
        assertEquals(received.cardinality(), rcvNxtOffset + queue.bytes(), "delivered + queued = received");
        assertEquals(received.cardinality(), queuedNew, "sum of insert results = bytes received");
        queue.clear();
        released.clear();
    }

    private static int runs(final BitSet bits)
    {
        int n = 0;
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(bits.nextClearBit(i)))
        {
            n++;
        }
        return n;
    }
}
