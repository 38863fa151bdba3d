package io.pktstore.nic.mem;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.testutil.NativeFrames;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InMemoryLinkTest
{
    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(seed * 7 + i);
        }
        return b;
    }

    @Test
    void framesAreCopiedBothWaysWithSenderTimestampAndGatherOrder()
    {
        final InMemoryLink link = InMemoryLink.pair();
        final byte[] head = pattern(20, 1);
        final byte[] tail = pattern(50, 2);
        final ByteBuffer h = NativeFrames.direct(head);
        final ByteBuffer t = NativeFrames.direct(tail);
        final TxBurst tx = new TxBurst(2, 2);
        tx.beginFrame();
        tx.addSegment(NativeFrames.address(h), head.length);
        tx.addSegment(NativeFrames.address(t), tail.length);
        assertEquals(1, link.a().transmit(tx, 12_345L));
        // The sender's buffer is reusable at once: overwrite it, the receiver must still see the original.
        h.put(0, (byte)0x77);
        final NativeFrames.BurstMemory mem = NativeFrames.burst(4, 1514);
        assertEquals(0, link.a().receive(mem.burst, 0), "nothing comes back to the sender");
        assertEquals(1, link.b().receive(mem.burst, 99_999L));
        final byte[] expected = new byte[70];
        System.arraycopy(head, 0, expected, 0, 20);
        System.arraycopy(tail, 0, expected, 20, 50);
        assertArrayEquals(expected, NativeFrames.frame(mem.burst, 0));
        assertEquals(12_345L, mem.burst.timestampNs(0), "timestamp = sender's nowNs");
        assertEquals(ChecksumStatus.UNKNOWN, mem.burst.checksumStatus(0));
        assertEquals(70, mem.burst.wireLength(0));

        tx.clear();
        tx.beginFrame();
        tx.addSegment(NativeFrames.address(t), tail.length);
        assertEquals(1, link.b().transmit(tx, 5L));
        assertEquals(1, link.a().receive(mem.burst, 6L));
        assertArrayEquals(tail, NativeFrames.frame(mem.burst, 0));
        assertEquals(1, link.a().statistics().txFrames());
        assertEquals(70, link.a().statistics().txBytes());
        assertEquals(1, link.b().statistics().rxFrames());
        assertEquals(70, link.b().statistics().rxBytes());
    }

    @Test
    void fullQueueRefusesAndCountsRingFull()
    {
        final InMemoryLink link = InMemoryLink.pair(4, 1514, ChecksumStatus.VERIFIED);
        final ByteBuffer f = NativeFrames.direct(pattern(60, 3));
        final TxBurst tx = new TxBurst(6, 1);
        for (int i = 0; i < 6; i++)
        {
            tx.beginFrame();
            tx.addSegment(NativeFrames.address(f), 60);
        }
        assertTrue(tx.isFull());
        assertEquals(4, link.a().transmit(tx, 0));
        assertEquals(2, link.a().statistics().txRingFull());
        assertEquals(4, link.b().pendingFrames());
        final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 1514);
        assertEquals(4, link.b().receive(mem.burst, 0));
        assertEquals(ChecksumStatus.VERIFIED, mem.burst.checksumStatus(3));
        assertTrue(link.b().capabilities().checksumStatusReported());
    }

    @Test
    void oversizeFramesAreDroppedAndCountedNeverWrittenPastTheBuffer()
    {
        final InMemoryLink link = InMemoryLink.pair(8, 200, ChecksumStatus.UNKNOWN);
        final ByteBuffer big = NativeFrames.direct(pattern(201, 4));
        final ByteBuffer mid = NativeFrames.direct(pattern(150, 5));
        final TxBurst tx = new TxBurst(2, 1);
        tx.beginFrame();
        tx.addSegment(NativeFrames.address(big), 201);
        tx.beginFrame();
        tx.addSegment(NativeFrames.address(mid), 150);
        assertEquals(2, link.a().transmit(tx, 0));
        assertEquals(1, link.a().statistics().txDropsOversize(), "201 > maxFrameSize 200");
        assertEquals(1, link.a().statistics().txFrames());

        final ByteBuffer memory = NativeFrames.allocate(256);
        for (int i = 0; i < 256; i++)
        {
            memory.put(i, (byte)0x5A);
        }
        final RxBurst burst = new RxBurst(1);
        burst.setBuffer(0, NativeFrames.address(memory), 100);
        assertEquals(0, link.b().receive(burst, 0));
        assertEquals(1, link.b().statistics().rxDropsOversize());
        for (int i = 0; i < 256; i++)
        {
            assertEquals((byte)0x5A, memory.get(i), "byte " + i + " written");
        }
    }

    @Test
    void producerAndConsumerOnTwoThreadsLoseNothing() throws Exception
    {
        final int frames = 200_000;
        final InMemoryLink link = InMemoryLink.pair(256, 1514, ChecksumStatus.UNKNOWN);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread producer = new Thread(() ->
        {
            try
            {
                final ByteBuffer f = NativeFrames.allocate(64);
                final long address = NativeFrames.address(f);
                final TxBurst tx = new TxBurst(1, 1);
                int seq = 0;
                while (seq < frames)
                {
                    UnsafeApi.putInt(address, seq);
                    tx.clear();
                    tx.beginFrame();
                    tx.addSegment(address, 64);
                    seq += link.a().transmit(tx, seq);
                }
            }
            catch (final Throwable t)
            {
                error.set(t);
            }
        });
        producer.start();
        final NativeFrames.BurstMemory mem = NativeFrames.burst(32, 1514);
        int expected = 0;
        while (expected < frames && error.get() == null)
        {
            final int n = link.b().receive(mem.burst, 0);
            for (int i = 0; i < n; i++)
            {
                assertEquals(expected, UnsafeApi.getInt(mem.burst.bufferAddress(i)));
                assertEquals(expected, mem.burst.timestampNs(i));
                expected++;
            }
        }
        producer.join();
        assertNull(error.get());
        assertEquals(frames, link.b().statistics().rxFrames());
    }

    @Test
    void badArgumentsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> InMemoryLink.pair(0, 1514, 0));
        assertThrows(IllegalArgumentException.class, () -> InMemoryLink.pair(4, 1514, 7));
        final TxBurst tx = new TxBurst(1, 1);
        assertThrows(IllegalStateException.class, () -> tx.addSegment(1, 1), "segment before beginFrame");
        tx.beginFrame();
        tx.addSegment(1, 1);
        assertThrows(IllegalStateException.class, () -> tx.addSegment(1, 1), "too many segments");
        assertThrows(IllegalStateException.class, tx::beginFrame, "too many frames");
        final InMemoryLink link = InMemoryLink.pair();
        link.a().close();
        assertThrows(IllegalStateException.class, () -> link.a().receive(new RxBurst(1), 0));
    }

    @Test
    void checksumRequestArrivesAsPartialAlsoThroughAFaultInjector()
    {
        final InMemoryLink link = InMemoryLink.pair();
        final io.pktstore.nic.fault.FaultInjectingDevice sender = new io.pktstore.nic.fault.FaultInjectingDevice(
            link.a(), io.pktstore.nic.fault.FaultConfig.builder().direction(io.pktstore.nic.fault.FaultConfig.Direction.BOTH)
                .build(), 1);
        final io.pktstore.nic.fault.FaultInjectingDevice receiver = new io.pktstore.nic.fault.FaultInjectingDevice(
            link.b(), io.pktstore.nic.fault.FaultConfig.builder().build(), 2);
        assertTrue(sender.capabilities().txChecksumOffload());
        final ByteBuffer f = NativeFrames.direct(pattern(80, 6));
        final TxBurst tx = new TxBurst(2, 1);
        tx.beginFrame();
        tx.addSegment(NativeFrames.address(f), 80);
        tx.requestChecksum(34, 16);
        tx.beginFrame();
        tx.addSegment(NativeFrames.address(f), 80);
        assertEquals(2, sender.transmit(tx, 0));
        final NativeFrames.BurstMemory mem = NativeFrames.burst(4, 1514);
        assertEquals(2, receiver.receive(mem.burst, 0));
        assertEquals(ChecksumStatus.PARTIAL, mem.burst.checksumStatus(0));
        assertEquals(34, mem.burst.csumStart(0));
        assertEquals(16, mem.burst.csumOffset(0));
        assertEquals(ChecksumStatus.UNKNOWN, mem.burst.checksumStatus(1), "no request, no PARTIAL");
        assertEquals(-1, mem.burst.csumStart(1));
        assertArrayEquals(pattern(80, 6), NativeFrames.frame(mem.burst, 0), "bytes untouched");
        assertThrows(IllegalArgumentException.class, () -> tx.requestChecksum(-1, 6));
    }
}
