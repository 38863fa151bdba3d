package io.pktstore.stack.tcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static io.pktstore.stack.tcp.wire.TcpHeaderTest.LINUX_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted bytes: every truncation and a seeded stream of random and mutated segments must end in
 * a result code, never an exception, and never a read outside the segment. Each segment sits in a
 * buffer of exactly its length, so any out-of-bounds read throws (Agrona bounds checks are on).
 */
class MalformedSegmentTest
{
    private final TcpHeader header = new TcpHeader();
    private final TcpOptions options = new TcpOptions();

    /** @return the header result, and the options result when the header was valid (else -1). */
    private int[] parse(final byte[] bytes)
    {
        final UnsafeBuffer exact = new UnsafeBuffer(bytes);
        final int h = header.wrapChecked(exact, 0, bytes.length);
        if (h != TcpHeader.VALID)
        {
            return new int[] {h, -1};
        }
        assertTrue(header.headerLength() >= 20 && header.headerLength() <= bytes.length);
        assertEquals(bytes.length - header.headerLength(), header.payloadLength());
        final int o = options.parse(header.buffer(), TcpHeader.OPTIONS_OFFSET, header.optionsLength());
        if (o != TcpOptions.OK)
        {
            assertFalse(options.hasMss() || options.hasTimestamps() || options.hasWindowScale()
                || options.sackPermitted() || options.sackBlockCount() > 0, "failed parse leaves nothing set");
        }
        else if (options.hasWindowScale())
        {
            assertTrue(options.windowScale() <= TcpOptions.MAX_WINDOW_SCALE);
        }
        return new int[] {h, o};
    }

    @Test
    void everyTruncationOfARealSynIsRejectedOrParsedCleanly()
    {
        for (int length = 0; length <= LINUX_SYN.length; length++)
        {
            final byte[] cut = java.util.Arrays.copyOf(LINUX_SYN, length);
            final int[] r = parse(cut);
            if (length < 20)
            {
                assertEquals(TcpHeader.ERR_TRUNCATED, r[0], "length " + length);
            }
            else if (length < 40)
            {
                assertEquals(TcpHeader.ERR_DATA_OFFSET_BEYOND_SEGMENT, r[0], "length " + length);
            }
            else
            {
                assertEquals(TcpOptions.OK, r[1]);
            }
        }
    }

    @Test
    void optionAreaCutInsideEachOptionFailsAsTruncated()
    {
        // Data Offset claims fewer option bytes than the options need: the parser must stop at the area end.
        for (int words = 6; words < 10; words++)
        {
            final byte[] s = LINUX_SYN.clone();
            s[12] = (byte)(words << 4);
            final int[] r = parse(s);
            assertEquals(TcpHeader.VALID, r[0]);
            final int area = (words - 5) * 4;
            // 4: MSS ends exactly there; 8 and 12: the timestamps option is cut; 16: MSS, SACKPERM, TS
            // end exactly there (the NOP and WS that follow are outside the area and ignored)
            final boolean complete = area == 4 || area == 16;
            assertEquals(complete ? TcpOptions.OK : TcpOptions.ERR_TRUNCATED, r[1], "area " + area);
            if (complete)
            {
                assertFalse(options.hasWindowScale(), "nothing read beyond the area");
            }
        }
    }

    @Test
    @Timeout(30)
    void randomAndMutatedSegmentsNeverThrow()
    {
        final SplittableRandom random = new SplittableRandom(0xF422);
        int valid = 0;
        int optionsOk = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] bytes;
            if ((i & 1) == 0)
            {
                bytes = new byte[random.nextInt(80)];
                random.nextBytes(bytes);
            }
            else
            {
                bytes = java.util.Arrays.copyOf(LINUX_SYN, 20 + random.nextInt(41));
                for (int m = 1 + random.nextInt(4); m > 0; m--)
                {
                    bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                }
            }
            final int[] r = parse(bytes);
            if (r[0] == TcpHeader.VALID)
            {
                valid++;
                if (r[1] == TcpOptions.OK)
                {
                    optionsOk++;
                }
            }
        }
        // the corpus must exercise both sides of each check, or this test proves little
        assertTrue(valid > 10_000 && valid < 190_000, "valid headers: " + valid);
        assertTrue(optionsOk > 1_000 && optionsOk < valid, "options parsed: " + optionsOk);
    }
}
