package io.pktstore.stack.wire;

import io.pktstore.stack.TestFrames;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Header flyweights read what an independent builder wrote, write what it would, and refuse every truncation. */
class WireFlyweightTest
{
    private final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final long base = memory.addressOffset();

    @Test
    void ipv4HeaderReadsFieldsAndWritesAHeaderIdenticalToTheReferenceBuilder()
    {
        final int src = Ipv4Address.parse("198.18.1.2");
        final int dst = Ipv4Address.parse("198.18.1.3");
        final byte[] options = {1, 1, 1, 0};
        final byte[] datagram = TestFrames.ipv4(0xBEEF, src, dst, 6, 9, 0x4000, options, new byte[33]);
        memory.putBytes(0, datagram);
        final Ipv4Header ip = new Ipv4Header();
        assertEquals(Ipv4Header.OK, ip.wrapChecked(base, datagram.length + 7)); // trailing padding allowed
        assertEquals(24, ip.headerLength());
        assertEquals(datagram.length, ip.totalLength());
        assertEquals(0xBEEF, ip.id());
        assertEquals(9, ip.ttl());
        assertEquals(6, ip.protocol());
        assertEquals(src, ip.source());
        assertEquals(dst, ip.destination());
        assertFalse(ip.isFragment());

        ip.wrapForWrite(base + 1000).write(20 + 33, 0xBEEF, 9, 6, src, dst);
        final byte[] written = new byte[20];
        memory.getBytes(1000, written);
        assertArrayEquals(java.util.Arrays.copyOf(TestFrames.ipv4(0xBEEF, src, dst, 6, 9, 0x4000, new byte[0], new byte[33]), 20), written);
    }

    @Test
    void ipv4HeaderRefusesEveryTruncation()
    {
        final byte[] datagram = TestFrames.ipv4(1, 2, 6, 64, 0, new byte[8], new byte[10]);
        memory.putBytes(0, datagram);
        final Ipv4Header ip = new Ipv4Header();
        for (int length = 0; length < datagram.length; length++)
        {
            final int result = ip.wrapChecked(base, length);
            assertTrue(result == Ipv4Header.TRUNCATED || result == Ipv4Header.BAD_HEADER_LENGTH ||
                result == Ipv4Header.BAD_TOTAL_LENGTH, "length " + length + " gave " + result);
        }
        assertEquals(Ipv4Header.OK, ip.wrapChecked(base, datagram.length));
    }

    @Test
    void fragmentsAreRecognisedByMoreFragmentsOrOffset()
    {
        final Ipv4Header ip = new Ipv4Header();
        for (final int flags : new int[] {0x2000, 0x0001, 0x1FFF, 0x6000})
        {
            memory.putBytes(0, TestFrames.ipv4(1, 2, 6, 64, flags, new byte[0], new byte[0]));
            assertEquals(Ipv4Header.OK, ip.wrapChecked(base, 20));
            assertTrue(ip.isFragment(), "flags 0x" + Integer.toHexString(flags));
        }
    }

    @Test
    void ethernetAndArpRoundTripAndRefuseShortInput()
    {
        final EthernetFrame eth = new EthernetFrame();
        assertFalse(eth.wrapChecked(base, 13));
        eth.wrap(base, 60).destination(MacAddress.BROADCAST).source(0x0211_2233_4455L).etherType(EthernetFrame.TYPE_ARP);
        new ArpPacket().wrapForWrite(base + 14, ArpPacket.OP_REPLY).senderMac(0x0211_2233_4455L).senderIp(0x0A000001)
            .targetMac(0x0266_7788_99AAL).targetIp(0x0A000002);
        final byte[] written = new byte[42];
        memory.getBytes(0, written);
        assertArrayEquals(TestFrames.ethernet(MacAddress.BROADCAST, 0x0211_2233_4455L, 0x0806,
            TestFrames.arp(2, 0x0211_2233_4455L, 0x0A000001, 0x0266_7788_99AAL, 0x0A000002)), written);

        assertTrue(eth.wrapChecked(base, 42));
        assertEquals(0x0211_2233_4455L, eth.source());
        final ArpPacket arp = new ArpPacket();
        for (int length = 0; length < 28; length++)
        {
            assertEquals(ArpPacket.TRUNCATED, arp.wrapChecked(base + 14, length));
        }
        assertEquals(ArpPacket.OK, arp.wrapChecked(base + 14, 28));
        assertEquals(0x0266_7788_99AAL, arp.targetMac());
        assertEquals(0x0A000002, arp.targetIp());
        memory.putByte(14 + ArpPacket.PLEN_OFFSET, (byte)16);
        assertEquals(ArpPacket.UNSUPPORTED, arp.wrapChecked(base + 14, 28));
    }

    @Test
    void icmpEchoChecksIntegrityAndRebuildsItsChecksum()
    {
        final byte[] echo = TestFrames.icmpEcho(8, 0x1111, 0x2222, "abcde".getBytes());
        memory.putBytes(0, echo);
        final IcmpEcho icmp = new IcmpEcho();
        assertEquals(IcmpEcho.TRUNCATED, icmp.wrapChecked(base, 7));
        assertEquals(IcmpEcho.OK, icmp.wrapChecked(base, echo.length));
        assertEquals(0x1111, icmp.identifier());
        assertEquals(0x2222, icmp.sequence());
        icmp.type(IcmpEcho.TYPE_ECHO_REPLY).updateChecksum();
        final byte[] reply = new byte[echo.length];
        memory.getBytes(0, reply);
        assertArrayEquals(TestFrames.icmpEcho(0, 0x1111, 0x2222, "abcde".getBytes()), reply);
        memory.putByte(9, (byte)'X');
        assertEquals(IcmpEcho.BAD_CHECKSUM, icmp.wrapChecked(base, echo.length));
    }

    @Test
    void addressesParseFormatAndRefuseGarbageByName()
    {
        assertEquals(0xC6120001, Ipv4Address.parse("198.18.0.1"));
        assertEquals("198.18.0.1", Ipv4Address.toString(0xC6120001));
        assertEquals(0xFFFFFF00, Ipv4Address.netmask(24));
        assertEquals(0, Ipv4Address.netmask(0));
        assertEquals(0x02AB_CDEF_0001L, MacAddress.parse("02:ab:cd:ef:00:01"));
        assertEquals("02:ab:cd:ef:00:01", MacAddress.toString(0x02AB_CDEF_0001L));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertFalse(MacAddress.isMulticast(0x02AB_CDEF_0001L));
        for (final String bad : new String[] {"198.18.0", "198.18.0.256", "a.b.c.d", "1.2.3.4.5", "198.18..1", "-1.2.3.4"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad));
            assertTrue(ex.getMessage().contains(bad), ex.getMessage());
        }
        for (final String bad : new String[] {"02:ab:cd:ef:00", "02:ab:cd:ef:00:0g", "002:ab:cd:ef:00:01", "02:ab:cd:ef:00:01:02"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad));
            assertTrue(ex.getMessage().contains(bad), ex.getMessage());
        }
    }
}
