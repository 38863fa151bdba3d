package io.pktstore.stack.tcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpHeaderTest
{
    /**
     * A Linux SYN (tcpdump -x): 40000 -> 80, seq 0x8a1b2c3d, data offset 10 (40 bytes), SYN, window
     * 64240, checksum 0x1c46, options MSS 1460, SACK-permitted, TS 0x0011d2e1/0, NOP, WS 7.
     */
    static final byte[] LINUX_SYN = hex(
        "9c40 0050 8a1b 2c3d 0000 0000 a002 faf0 1c46 0000"
            + "0204 05b4 0402 080a 0011 d2e1 0000 0000 0103 0307");

    static byte[] hex(final String s)
    {
        final String h = s.replace(" ", "");
        final byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    @Test
    void readsEveryFieldOfARealSyn()
    {
        final TcpHeader h = new TcpHeader();
        assertEquals(TcpHeader.VALID, h.wrapChecked(new UnsafeBuffer(LINUX_SYN), 0, LINUX_SYN.length));
        assertEquals(40000, h.srcPort());
        assertEquals(80, h.dstPort());
        assertEquals(0x8a1b2c3d, h.seq());
        assertEquals(0, h.ack());
        assertEquals(10, h.dataOffsetWords());
        assertEquals(40, h.headerLength());
        assertEquals(TcpHeader.SYN, h.flags());
        assertTrue(h.hasFlag(TcpHeader.SYN));
        assertFalse(h.hasFlag(TcpHeader.ACK | TcpHeader.RST));
        assertEquals(64240, h.window());
        assertEquals(0x1c46, h.checksum());
        assertEquals(0, h.urgentPointer());
        assertEquals(20, h.optionsLength());
        assertEquals(40, h.payloadOffset());
        assertEquals(0, h.payloadLength());
        assertEquals(1, h.sequenceLength(), "SYN takes one sequence number");
    }

    @Test
    void checkedWrapRejectsShortSegmentsAndBadDataOffsets()
    {
        final TcpHeader h = new TcpHeader();
        final UnsafeBuffer syn = new UnsafeBuffer(LINUX_SYN);
        assertEquals(TcpHeader.ERR_TRUNCATED, h.wrapChecked(syn, 0, 19));
        assertEquals(TcpHeader.ERR_DATA_OFFSET_BEYOND_SEGMENT, h.wrapChecked(syn, 0, 39), "options cut off");
        assertEquals(TcpHeader.ERR_TRUNCATED, h.wrapChecked(syn, 1, 40), "segment runs past the buffer");
        assertEquals(TcpHeader.ERR_TRUNCATED, h.wrapChecked(syn, -1, 20));

        final byte[] bad = LINUX_SYN.clone();
        bad[12] = 0x40; // 4 words
        assertEquals(TcpHeader.ERR_DATA_OFFSET_TOO_SMALL, h.wrapChecked(new UnsafeBuffer(bad), 0, bad.length));
        bad[12] = (byte)0xF0; // 60 bytes > 40
        assertEquals(TcpHeader.ERR_DATA_OFFSET_BEYOND_SEGMENT, h.wrapChecked(new UnsafeBuffer(bad), 0, bad.length));
        assertTrue(TcpHeader.describe(TcpHeader.ERR_DATA_OFFSET_TOO_SMALL).contains("Data Offset"));
    }

    @Test
    void failedCheckedWrapLeavesThePreviousSegmentWrapped()
    {
        final TcpHeader h = new TcpHeader();
        h.wrapChecked(new UnsafeBuffer(LINUX_SYN), 0, LINUX_SYN.length);
        assertEquals(TcpHeader.ERR_TRUNCATED, h.wrapChecked(new UnsafeBuffer(new byte[10]), 0, 10));
        assertEquals(40000, h.srcPort());
        assertEquals(40, h.segmentLength());
    }

    @Test
    void checkedWrapAtAnAddressSeesPayload()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(64);
        final UnsafeBuffer b = new UnsafeBuffer(direct);
        b.putBytes(0, LINUX_SYN);
        final TcpHeader h = new TcpHeader();
        assertEquals(TcpHeader.VALID, h.wrapChecked(b.addressOffset(), 50));
        assertEquals(10, h.payloadLength());
        assertEquals(11, h.sequenceLength());
        assertEquals(TcpHeader.ERR_DATA_OFFSET_BEYOND_SEGMENT, h.wrapChecked(b.addressOffset(), 30));
    }

    @Test
    void settersProduceTheSameBytesAsTheCapture()
    {
        final byte[] out = new byte[40];
        final TcpHeader h = new TcpHeader().wrap(new UnsafeBuffer(out), 0, 40);
        h.srcPort(40000).dstPort(80).seq(0x8a1b2c3d).ack(0).headerLength(40).flags(TcpHeader.SYN)
            .window(64240).checksum(0x1c46).urgentPointer(0);
        System.arraycopy(LINUX_SYN, 20, out, 20, 20);
        assertArrayEquals(LINUX_SYN, out);
    }

    @Test
    void flagBitsHaveTheirRfc9293Positions()
    {
        final byte[] out = new byte[20];
        final TcpHeader h = new TcpHeader().wrap(new UnsafeBuffer(out), 0, 20);
        h.flags(TcpHeader.CWR | TcpHeader.ECE | TcpHeader.URG | TcpHeader.ACK | TcpHeader.PSH | TcpHeader.RST | TcpHeader.SYN | TcpHeader.FIN);
        assertEquals((byte)0xFF, out[13]);
        h.flags(TcpHeader.ACK | TcpHeader.FIN);
        assertEquals(0x11, out[13]);
        h.seq(0xFFFF_FFFF).ack(0x8000_0000).srcPort(65535);
        assertEquals((byte)0xFF, out[4]);
        assertEquals((byte)0x80, out[8]);
        assertEquals(65535, h.srcPort());
        assertEquals(0x8000_0000, h.ack());
    }
}
