package io.pktstore.stack.ip;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.stack.TestFrames;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TcpChecksumEstablisherTest
{
    private static final int SRC = 0xC612_0002;
    private static final int DST = 0xC612_0001;
    private static final int L4 = 34;

    private final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));

    private byte[] place(final byte[] segment)
    {
        frame.setMemory(0, 2048, (byte)0);
        frame.putBytes(L4, segment);
        return segment;
    }

    @Test
    void unknownStatusVerifiesInSoftwareAndCatchesEverySingleBitFlip()
    {
        final byte[] segment = place(TestFrames.tcp(SRC, DST, 5000, 80, 42, "odd-length payload!".getBytes()));
        assertEquals(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED, TcpChecksumEstablisher.establish(
            frame.addressOffset(), L4, segment.length, SRC, DST, ChecksumStatus.UNKNOWN, -1, -1));
        for (int bit = 0; bit < segment.length * 8; bit++)
        {
            final int at = L4 + bit / 8;
            frame.putByte(at, (byte)(frame.getByte(at) ^ (1 << (bit % 8))));
            assertEquals(TcpChecksumEstablisher.FAILED, TcpChecksumEstablisher.establish(
                frame.addressOffset(), L4, segment.length, SRC, DST, ChecksumStatus.UNKNOWN, -1, -1), "bit " + bit);
            frame.putByte(at, (byte)(frame.getByte(at) ^ (1 << (bit % 8))));
        }
        // The pseudo-header is covered too: a different source address fails.
        assertEquals(TcpChecksumEstablisher.FAILED, TcpChecksumEstablisher.establish(
            frame.addressOffset(), L4, segment.length, SRC + 1, DST, ChecksumStatus.UNKNOWN, -1, -1));
    }

    @Test
    void verifiedStatusIsTrustedWithoutReadingTheBytes()
    {
        final byte[] segment = place(TestFrames.tcp(SRC, DST, 5000, 80, 42, new byte[10]));
        frame.putByte(L4 + 25, (byte)0x55); // corrupt: hardware said verified, so it is not re-checked
        assertEquals(PacketRecord.CHECKSUM_HARDWARE_VERIFIED, TcpChecksumEstablisher.establish(
            frame.addressOffset(), L4, segment.length, SRC, DST, ChecksumStatus.VERIFIED, -1, -1));
    }

    @Test
    void partialIsCompletedIntoTheFrameSoTheStoredBytesVerify()
    {
        final SplittableRandom random = new SplittableRandom(11);
        for (int iteration = 0; iteration < 500; iteration++)
        {
            final byte[] data = new byte[random.nextInt(1460)];
            random.nextBytes(data);
            final byte[] complete = TestFrames.tcp(SRC, DST, 5000, 80, random.nextInt(), data);
            // What a local kernel with TX offload hands over: the field holds the folded
            // pseudo-header sum (not complemented), the rest of the segment is final.
            final byte[] partial = complete.clone();
            final int pseudo = (int)fold(TestFrames.pseudo(SRC, DST, 6, complete.length));
            partial[16] = (byte)(pseudo >>> 8);
            partial[17] = (byte)pseudo;
            place(partial);
            final int csumStart = iteration % 2 == 0 ? L4 : -1;
            final int csumOffset = iteration % 2 == 0 ? 16 : -1;
            assertEquals(PacketRecord.CHECKSUM_SOFTWARE_COMPLETED, TcpChecksumEstablisher.establish(
                frame.addressOffset(), L4, partial.length, SRC, DST, ChecksumStatus.PARTIAL, csumStart, csumOffset));
            final byte[] stored = new byte[complete.length];
            frame.getBytes(L4, stored);
            if (!java.util.Arrays.equals(complete, stored))
            {
                // 0x0000 and 0xFFFF are the same one's-complement value; accept either in the field.
                assertEquals(0, (complete[16] | complete[17] | ~stored[16] | ~stored[17]) & 0xFF, "only the +0/-0 ambiguity may differ");
            }
            assertEquals(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED, TcpChecksumEstablisher.establish(
                frame.addressOffset(), L4, partial.length, SRC, DST, ChecksumStatus.UNKNOWN, -1, -1), "stored bytes verify");
        }
    }

    @Test
    void partialWithOffsetsNotAtTheTcpChecksumIsRefusedAndFrameUntouched()
    {
        final byte[] segment = place(TestFrames.tcp(SRC, DST, 5000, 80, 42, new byte[4]));
        assertEquals(TcpChecksumEstablisher.BAD_PARTIAL, TcpChecksumEstablisher.establish(
            frame.addressOffset(), L4, segment.length, SRC, DST, ChecksumStatus.PARTIAL, L4 + 2, 16));
        assertEquals(TcpChecksumEstablisher.BAD_PARTIAL, TcpChecksumEstablisher.establish(
            frame.addressOffset(), L4, segment.length, SRC, DST, ChecksumStatus.PARTIAL, L4, 6));
        final byte[] after = new byte[segment.length];
        frame.getBytes(L4, after);
        assertArrayEquals(segment, after);
        assertEquals(0, frame.getShort(L4 + 16 + segment.length, ByteOrder.BIG_ENDIAN));
    }

    private static long fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }
}
