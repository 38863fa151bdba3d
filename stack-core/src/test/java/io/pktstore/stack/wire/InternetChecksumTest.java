package io.pktstore.stack.wire;

import io.pktstore.stack.TestFrames;
import io.pktstore.stack.ip.Gather;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternetChecksumTest
{
    private final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8192, 64));

    @Test
    void rfc1071ExampleGivesItsPublishedSum()
    {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        final byte[] bytes = {0x00, 0x01, (byte)0xf2, 0x03, (byte)0xf4, (byte)0xf5, (byte)0xf6, (byte)0xf7};
        memory.putBytes(0, bytes);
        assertEquals(0xddf2, InternetChecksum.sum(memory.addressOffset(), 8, 0));
        assertEquals((short)0x220d, InternetChecksum.fold(InternetChecksum.sum(memory.addressOffset(), 8, 0)));
    }

    @Test
    void matchesNaiveReferenceForRandomDataLengthsAndOffsets()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[] data = new byte[4096];
        for (int iteration = 0; iteration < 5_000; iteration++)
        {
            random.nextBytes(data);
            final int offset = random.nextInt(64);
            final int length = random.nextInt(data.length - 64);
            memory.putBytes(0, data);
            final int expected = TestFrames.naiveChecksum(TestFrames.naiveSum(data, offset, length));
            final String where = "offset=" + offset + " length=" + length;
            assertEquals(expected, InternetChecksum.fold(InternetChecksum.sum(memory.addressOffset() + offset, length, 0)) & 0xFFFF, where);
            assertEquals(expected, InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(data), offset, length, 0)) & 0xFFFF, "heap " + where);
            assertEquals(expected, InternetChecksum.fold(InternetChecksum.sum(memory, offset, length, 0)) & 0xFFFF, "direct " + where);
        }
    }

    @Test
    void allOnesAndCarriesFoldCorrectly()
    {
        final byte[] ones = new byte[1501];
        java.util.Arrays.fill(ones, (byte)0xFF);
        memory.putBytes(0, ones);
        for (final int length : new int[] {1, 2, 3, 7, 8, 9, 15, 16, 17, 1500, 1501})
        {
            assertEquals(TestFrames.naiveChecksum(TestFrames.naiveSum(ones, 0, length)),
                InternetChecksum.fold(InternetChecksum.sum(memory.addressOffset(), length, 0)) & 0xFFFF, "length " + length);
        }
    }

    @Test
    void evenPiecesChainThroughInitialAndOddPiecesThroughSumContinuing()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final byte[] data = new byte[3000];
        for (int iteration = 0; iteration < 2_000; iteration++)
        {
            random.nextBytes(data);
            memory.putBytes(0, data);
            final int total = 1 + random.nextInt(data.length - 1);
            final int expected = TestFrames.naiveChecksum(TestFrames.naiveSum(data, 0, total));
            final int evenCut = random.nextInt(total / 2 + 1) * 2;
            final int chained = InternetChecksum.sum(memory.addressOffset() + evenCut, total - evenCut,
                InternetChecksum.sum(memory.addressOffset(), evenCut, 0));
            assertEquals(expected, InternetChecksum.fold(chained) & 0xFFFF, "even cut " + evenCut);

            final Gather gather = new Gather(8);
            int at = 0;
            while (at < total)
            {
                final int piece = Math.min(total - at, 1 + random.nextInt(400));
                gather.add(memory.addressOffset() + at, piece);
                at += piece;
                if (gather.count() == 7)
                {
                    gather.add(memory.addressOffset() + at, total - at);
                    at = total;
                }
            }
            assertEquals(total, gather.totalLength());
            assertEquals(expected, InternetChecksum.fold(gather.checksum(0)) & 0xFFFF, "gather of " + gather.count());
        }
    }

    @Test
    void pseudoHeaderMatchesNaiveAndVerifiesWholeSegment()
    {
        final int src = 0xC612_0001;
        final int dst = 0xC612_00FE;
        final byte[] segment = TestFrames.tcp(src, dst, 1234, 80, 0xDEADBEEF, "hello, odd".getBytes());
        memory.putBytes(0, segment);
        assertEquals(TestFrames.naiveChecksum(TestFrames.pseudo(src, dst, 6, 30)) ,
            InternetChecksum.fold(InternetChecksum.pseudoHeaderIpv4(src, dst, 6, 30)) & 0xFFFF);
        assertTrue(InternetChecksum.verifies(
            InternetChecksum.sum(memory.addressOffset(), segment.length, InternetChecksum.pseudoHeaderIpv4(src, dst, 6, segment.length))));
        memory.putByte(25, (byte)(memory.getByte(25) ^ 0x01));
        assertFalse(InternetChecksum.verifies(
            InternetChecksum.sum(memory.addressOffset(), segment.length, InternetChecksum.pseudoHeaderIpv4(src, dst, 6, segment.length))));
    }

    @Test
    void emptyRangeLeavesTheSumUnchanged()
    {
        assertEquals(0x1234, InternetChecksum.sum(memory.addressOffset(), 0, 0x1234));
        assertEquals(0x1234, InternetChecksum.sum(memory, 5, 0, 0x1234));
    }
}
