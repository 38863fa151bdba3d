package io.pktstore.stack.tcp.algo;

import org.junit.jupiter.api.Test;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.distance;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.ge;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.inWindow;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.le;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.max;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.min;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceNumbersTest
{
    @Test
    void ordersAcrossTheTwoToThe32Wrap()
    {
        final int beforeWrap = 0xFFFF_FFF0;
        final int afterWrap = 0x0000_0010;
        assertTrue(lt(beforeWrap, afterWrap), "0xFFFFFFF0 precedes 0x10 after wrapping");
        assertTrue(gt(afterWrap, beforeWrap));
        assertTrue(le(beforeWrap, afterWrap));
        assertTrue(ge(afterWrap, beforeWrap));
        assertFalse(lt(afterWrap, beforeWrap));
        assertEquals(afterWrap, max(beforeWrap, afterWrap));
        assertEquals(beforeWrap, min(afterWrap, beforeWrap));
        assertEquals(0x20, distance(beforeWrap, afterWrap));
    }

    @Test
    void ordersAcrossTheSignBoundaryOfInt()
    {
        // 0x7FFFFFFF -> 0x80000000 is one step forward although the signed ints go from max to min.
        assertTrue(lt(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertTrue(gt(Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertEquals(1, distance(Integer.MAX_VALUE, Integer.MIN_VALUE));
    }

    @Test
    void equalNumbersAreNeitherLessNorGreater()
    {
        assertFalse(lt(12345, 12345));
        assertFalse(gt(12345, 12345));
        assertTrue(le(12345, 12345));
        assertTrue(ge(12345, 12345));
    }

    @Test
    void halfTheSpaceMinusOneAheadIsStillAhead()
    {
        final int a = 0x8000_0010;
        assertTrue(lt(a, a + 0x7FFF_FFFF));
        assertTrue(gt(a, a - 0x7FFF_FFFF));
    }

    @Test
    void windowIsHalfOpenAndWraps()
    {
        final int start = 0xFFFF_FF00;
        final int length = 0x200;
        assertTrue(inWindow(start, start, length), "start is inside");
        assertTrue(inWindow(0x0000_00FF, start, length), "last byte after the wrap is inside");
        assertFalse(inWindow(0x0000_0100, start, length), "start + length is outside");
        assertFalse(inWindow(start - 1, start, length), "one before start is outside");
        assertFalse(inWindow(start, start, 0), "a zero window contains nothing");
    }
}
