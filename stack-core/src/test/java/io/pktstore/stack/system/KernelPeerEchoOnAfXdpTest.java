package io.pktstore.stack.system;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.internal.Frames;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel-peer tests ({@link KernelPeerEcho}) with the stack on AF_XDP over the arena's own
 * buffers, plus the proof that reception copies nothing: every data record the stack hands up names
 * an arena buffer the device lent to the kernel through the fill ring, the payload is there
 * byte-exact, and the device counted no byte copied.
 */
class KernelPeerEchoOnAfXdpTest extends KernelPeerEcho
{
    private static final int SINK_PORT = 5001;

    @Override
    KernelPeerHarness.Driver driver()
    {
        return KernelPeerHarness.Driver.AF_XDP;
    }

    /**
     * Keeps the payload of each record, checking first that its buffer is one the kernel was lent.
     * Runs on the stack's thread.
     */
    private static final class Sink implements TcpHandler
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final KernelPeerHarness h;
        int records;
        int notLent;
        boolean closed;

        Sink(final KernelPeerHarness h)
        {
            this.h = h;
        }

        @Override
        public void onConnected(final TcpConnection c, final long nowNs)
        {
        }

        @Override
        public void onData(final TcpConnection c, final int record, final long nowNs)
        {
            final PacketRecord view = h.stack.pool().view(record);
            final int buffer = view.bufferIndex();
            if (!h.lent.everTaken(buffer))
            {
                notLent++;
            }
            final byte[] data = new byte[view.dataLength()];
            Frames.copyToArray(h.arena.bufferAddress(buffer) + view.dataOffset(), data, data.length);
            bytes.write(data, 0, data.length);
            records++;
            c.consumed(data.length, nowNs);
            h.stack.pool().release(record);
        }

        @Override
        public void onPeerClosed(final TcpConnection c, final long nowNs)
        {
            c.close(nowNs);
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason, final long nowNs)
        {
            closed = true;
        }
    }

    @Test
    void everyRecordNamesAnArenaBufferTheKernelWroteAndNothingWasCopied() throws Exception
    {
        final Sink sink = h.onStackThread(() ->
        {
            final Sink s = new Sink(h);
            h.tcp.listen(SINK_PORT, s);
            return s;
        });
        final byte[] sent = new byte[1 << 20];
        new Random(13).nextBytes(sent);
        final long copiedBefore = h.onStackThread(() -> h.device.statistics().rxBytesCopied());
        h.topology.runInPeerNamespace(() ->
        {
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(h.stackIp, SINK_PORT), 5000);
                final OutputStream out = s.getOutputStream();
                out.write(sent);
                out.flush();
                s.shutdownOutput();
                s.setSoTimeout(30_000);
                assertEquals(-1, s.getInputStream().read(), "the stack closes after the peer did");
            }
            return null;
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!h.onStackThread(() -> sink.closed) && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        final int[] seen = h.onStackThread(() -> new int[] {sink.records, sink.notLent});
        assertTrue(seen[0] > 0, "data records arrived");
        assertEquals(0, seen[1], "every record's buffer was lent to the kernel through the fill ring");
        assertArrayEquals(sent, h.onStackThread(sink.bytes::toByteArray), "payload byte-exact in the arena buffers");
        assertEquals(copiedBefore, (long)h.onStackThread(() -> h.device.statistics().rxBytesCopied()),
            "the device copied no received byte");
    }
}
