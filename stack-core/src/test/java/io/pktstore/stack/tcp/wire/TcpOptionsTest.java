package io.pktstore.stack.tcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.pktstore.stack.tcp.wire.TcpHeaderTest.LINUX_SYN;
import static io.pktstore.stack.tcp.wire.TcpHeaderTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpOptionsTest
{
    private final TcpOptions options = new TcpOptions();

    private int parse(final String hexOptions)
    {
        final byte[] b = hex(hexOptions);
        return options.parse(new UnsafeBuffer(b), 0, b.length);
    }

    @Test
    void parsesTheOptionsOfARealLinuxSyn()
    {
        assertEquals(TcpOptions.OK, options.parse(new UnsafeBuffer(LINUX_SYN), TcpHeader.OPTIONS_OFFSET, 20));
        assertTrue(options.hasMss());
        assertEquals(1460, options.mss());
        assertTrue(options.sackPermitted());
        assertTrue(options.hasTimestamps());
        assertEquals(0x0011d2e1, options.tsVal());
        assertEquals(0, options.tsEcr());
        assertTrue(options.hasWindowScale());
        assertEquals(7, options.windowScale());
        assertFalse(options.windowScaleClamped());
        assertEquals(0, options.sackBlockCount());
    }

    @Test
    void windowScaleAbove14IsClampedRfc7323Section2_3()
    {
        assertEquals(TcpOptions.OK, parse("0103 030f"));
        assertEquals(14, options.windowScale());
        assertTrue(options.windowScaleClamped());
        assertEquals(TcpOptions.OK, parse("0103 03ff"));
        assertEquals(14, options.windowScale());
    }

    @Test
    void parsesSackBlocksAndTimestampsOfAnAck()
    {
        // NOP NOP TS(1,2) NOP NOP SACK 2 blocks
        assertEquals(TcpOptions.OK, parse("0101 080a 0000 0001 0000 0002 0101 0512 ffff fff0 0000 0010 0000 0100 0000 0200"));
        assertEquals(1, options.tsVal());
        assertEquals(2, options.tsEcr());
        assertEquals(2, options.sackBlockCount());
        assertEquals(0xFFFF_FFF0, options.sackLeft(0));
        assertEquals(0x10, options.sackRight(0));
        assertEquals(0x100, options.sackLeft(1));
        assertEquals(0x200, options.sackRight(1));
        assertFalse(options.hasMss());
    }

    @Test
    void unknownOptionsAreSkippedByLengthAndEolEndsTheList()
    {
        // kind 30 (MPTCP) length 4, then MSS; then EOL followed by garbage that must be ignored
        assertEquals(TcpOptions.OK, parse("1e04 abcd 0204 0218 00ff ffff"));
        assertTrue(options.hasMss());
        assertEquals(536, options.mss());
    }

    @Test
    void malformedLengthsFailCleanlyAndLeaveNothingParsed()
    {
        assertEquals(TcpOptions.ERR_LENGTH_TOO_SMALL, parse("0204 05b4 0800"), "length 0 would loop forever");
        assertFalse(options.hasMss(), "nothing half-parsed survives a failure");
        assertEquals(TcpOptions.ERR_LENGTH_TOO_SMALL, parse("1e01 0000"));
        assertEquals(TcpOptions.ERR_TRUNCATED, parse("0204 05"), "MSS runs past the end");
        assertEquals(TcpOptions.ERR_TRUNCATED, parse("0101 0102"), "kind without its length byte");
        assertEquals(TcpOptions.ERR_TRUNCATED, parse("1e08 0000"), "unknown option longer than the area");
        assertEquals(TcpOptions.ERR_BAD_FIXED_LENGTH, parse("0205 05b4 00"));
        assertEquals(TcpOptions.ERR_BAD_FIXED_LENGTH, parse("0104 0307"));
        assertEquals(TcpOptions.ERR_BAD_FIXED_LENGTH, parse("0403 0001"));
        assertEquals(TcpOptions.ERR_BAD_FIXED_LENGTH, parse("080b 0000 0001 0000 0002 00 0000"));
        assertEquals(TcpOptions.ERR_BAD_SACK_LENGTH, parse("0502 0000"));
        assertEquals(TcpOptions.ERR_BAD_SACK_LENGTH, parse("050b 0000 0001 0000 0002 00 0000"));
        assertEquals(TcpOptions.ERR_BAD_AREA, options.parse(new UnsafeBuffer(new byte[44]), 0, 44));
        assertTrue(TcpOptions.describe(TcpOptions.ERR_TRUNCATED).contains("truncated"));
    }

    @Test
    void writesASynLikeLinux()
    {
        options.clear();
        options.mss(1460).sackPermitted(true).timestamps(0x0011d2e1, 0).windowScale(7);
        assertEquals(20, options.encodedLength());
        final byte[] out = new byte[40];
        assertEquals(20, options.write(new UnsafeBuffer(out), 0));
        final byte[] expected = new byte[40];
        System.arraycopy(LINUX_SYN, 20, expected, 0, 20);
        assertArrayEquals(expected, out);
    }

    @Test
    void writesPaddedAlignedGroupsAndParsesBack()
    {
        options.clear();
        options.mss(1400).windowScale(3);
        final byte[] out = new byte[40];
        assertEquals(8, options.write(new UnsafeBuffer(out), 0));
        assertEquals("0204057801030303", toHex(out, 8));

        options.clear();
        options.sackPermitted(true);
        assertEquals(4, options.write(new UnsafeBuffer(out), 0));
        assertEquals("01010402", toHex(out, 4));

        options.clear();
        options.timestamps(5, 6);
        assertEquals(12, options.write(new UnsafeBuffer(out), 0));
        assertEquals("0101080a0000000500000006", toHex(out, 12));

        options.clear();
        assertEquals(0, options.write(new UnsafeBuffer(out), 0));
    }

    @Test
    void sackBlocksAreCappedByTheFortyByteOptionSpaceRfc2018Section3()
    {
        options.clear();
        options.timestamps(1, 2);
        for (int i = 0; i < 4; i++)
        {
            assertTrue(options.addSackBlock(i * 100, i * 100 + 50));
        }
        assertFalse(options.addSackBlock(1, 2), "a fifth block is refused");
        assertEquals(40, options.encodedLength(), "TS 12 + NOP NOP SACK(3 blocks) 28");
        final byte[] out = new byte[40];
        assertEquals(40, options.write(new UnsafeBuffer(out), 0));

        final TcpOptions back = new TcpOptions();
        assertEquals(TcpOptions.OK, back.parse(new UnsafeBuffer(out), 0, 40));
        assertEquals(3, back.sackBlockCount());
        assertEquals(200, back.sackLeft(2));
        assertEquals(250, back.sackRight(2));
        assertEquals(1, back.tsVal());

        options.clear();
        for (int i = 0; i < 4; i++)
        {
            options.addSackBlock(i, i + 1);
        }
        assertEquals(36, options.encodedLength(), "without timestamps all 4 blocks fit");
    }

    private static String toHex(final byte[] b, final int n)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            sb.append(String.format("%02x", b[i]));
        }
        return sb.toString();
    }
}
