package io.pktstore.stack.tcp;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.stack.ip.ReceivedDatagram;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Send/expect harness in the style of packetdrill and smoltcp's {@code send!}/{@code recv!}: one
 * {@link TcpLayer} on an in-memory arena, a capturing IPv4 output, a virtual clock. Tests inject
 * segments "from the peer" and expect exactly the segments the layer emits.
 */
final class TcpTestbed implements AutoCloseable
{
    static final int LOCAL_IP = 0xC6120001;   // 198.18.0.1
    static final int PEER_IP = 0xC6120002;    // 198.18.0.2
    static final int LOCAL_PORT = 80;
    static final int PEER_PORT = 40000;
    static final int ETH = 14;
    static final int IP = 20;

    final Arena arena;
    final PacketRecordPool pool;
    final CapturingIpv4Output out;
    final TcpLayer layer;
    final RecordingHandler handler;
    final TcpConfig config;
    private final ReceivedDatagram datagram = new ReceivedDatagram();
    long now = 1_000_000_000L;
    /** Gather piece addresses of the segment last returned by {@link #expect()}. */
    long[] lastPieces;

    TcpTestbed(final TcpConfig config)
    {
        this.config = config;
        final ArenaGeometry geometry = ArenaGeometry.of(8192, 8192, 2048, 0);
        arena = Arena.format(SimulatedPmRegion.create(geometry.requiredBytes()), geometry);
        pool = new PacketRecordPool(arena);
        out = new CapturingIpv4Output(LOCAL_IP, 1500);
        layer = new TcpLayer(config, out, pool, now);
        handler = new RecordingHandler(pool);
    }

    static TcpConfig defaultConfig()
    {
        return new TcpConfig().maxConnections(64).timeWaitNs(2_000_000_000L).delayedAckNs(40_000_000L).seed(0x5EED_7C90L);
    }

    /** A segment from the peer's port to our listening port. */
    static Seg peer(final int flags, final int seq, final int ack)
    {
        return Seg.of(flags, seq, ack).ports(PEER_PORT, LOCAL_PORT);
    }

    /** Feeds a segment from the peer; returns whether the layer took its buffer. */
    boolean inject(final Seg s)
    {
        final int buffer = arena.allocateBuffer();
        assertTrue(buffer != Arena.NONE, "test arena out of buffers");
        final long address = arena.bufferAddress(buffer);
        final UnsafeBuffer frame = new UnsafeBuffer(address, arena.bufferSize());
        frame.setMemory(0, ETH + IP, (byte)0);
        frame.putByte(ETH, (byte)0x45);
        final int l4Length = s.writeTo(frame, ETH + IP);
        datagram.set(buffer, address, ETH + IP + l4Length, ETH, ETH + IP, l4Length, PEER_IP, LOCAL_IP,
            TcpLayer.PROTOCOL_TCP, now, PacketRecord.CHECKSUM_SOFTWARE_VERIFIED);
        final boolean taken = layer.onDatagram(datagram, now);
        if (!taken)
        {
            arena.releaseBuffer(buffer);
        }
        return taken;
    }

    /** Feeds raw bytes as a TCP segment from the peer (no validation here: that is the layer's job). */
    boolean injectRaw(final byte[] l4)
    {
        final int buffer = arena.allocateBuffer();
        assertTrue(buffer != Arena.NONE, "test arena out of buffers");
        final long address = arena.bufferAddress(buffer);
        final UnsafeBuffer frame = new UnsafeBuffer(address, arena.bufferSize());
        frame.setMemory(0, ETH + IP, (byte)0);
        frame.putBytes(ETH + IP, l4);
        datagram.set(buffer, address, ETH + IP + l4.length, ETH, ETH + IP, l4.length, PEER_IP, LOCAL_IP,
            TcpLayer.PROTOCOL_TCP, now, PacketRecord.CHECKSUM_SOFTWARE_VERIFIED);
        final boolean taken = layer.onDatagram(datagram, now);
        if (!taken)
        {
            arena.releaseBuffer(buffer);
        }
        return taken;
    }

    /** @return the next emitted segment; fails if none. */
    Seg expect()
    {
        final byte[] bytes = out.segments.poll();
        out.destinations.poll();
        lastPieces = out.pieceAddresses.poll();
        assertNotNull(bytes, "expected a segment, none emitted");
        return Seg.parse(bytes);
    }

    /** Expects the next segment to have exactly these flags, seq and ack. */
    Seg expect(final int flags, final int seq, final int ack)
    {
        final Seg s = expect();
        assertEquals(Seg.flagsToString(flags), Seg.flagsToString(s.flags), "flags of " + s);
        assertEquals(Integer.toUnsignedString(seq), Integer.toUnsignedString(s.seq), "seq of " + s);
        if ((flags & io.pktstore.stack.tcp.wire.TcpHeader.ACK) != 0)
        {
            assertEquals(Integer.toUnsignedString(ack), Integer.toUnsignedString(s.ack), "ack of " + s);
        }
        return s;
    }

    /** Expects flags and ack, any sequence number (our ISN is keyed and not known in advance). */
    Seg expectAnySeq(final int flags, final int ack)
    {
        final Seg s = expect();
        assertEquals(Seg.flagsToString(flags), Seg.flagsToString(s.flags), "flags of " + s);
        if ((flags & io.pktstore.stack.tcp.wire.TcpHeader.ACK) != 0)
        {
            assertEquals(Integer.toUnsignedString(ack), Integer.toUnsignedString(s.ack), "ack of " + s);
        }
        return s;
    }

    void expectNothing()
    {
        final byte[] bytes = out.segments.peek();
        if (bytes != null)
        {
            fail("expected no segment, got " + Seg.parse(bytes));
        }
    }

    /** Drops whatever was emitted so far. */
    void discardOutput()
    {
        out.segments.clear();
        out.destinations.clear();
        out.pieceAddresses.clear();
    }

    /** Moves the virtual clock and runs the layer's timers. */
    void advance(final long ns)
    {
        now += ns;
        layer.poll(now);
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
