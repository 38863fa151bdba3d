package io.pktstore.stack.tcp;

import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TcpHandler} for tests: logs events, copies delivered bytes out of the records, releases
 * them, and (unless told otherwise) reports them consumed at once.
 */
final class RecordingHandler implements TcpHandler
{
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<Integer> deliveredSeqs = new ArrayList<>();
    private final PacketRecordPool pool;
    boolean autoConsume = true;
    TcpConnection last;
    int closeReason = -1;

    RecordingHandler(final PacketRecordPool pool)
    {
        this.pool = pool;
    }

    @Override
    public void onConnected(final TcpConnection connection, final long nowNs)
    {
        last = connection;
        events.add("connected");
    }

    @Override
    public void onData(final TcpConnection connection, final int record, final long nowNs)
    {
        final PacketRecord r = pool.view(record);
        final byte[] bytes = new byte[r.dataLength()];
        new org.agrona.concurrent.UnsafeBuffer(pool.arena().bufferAddress(r.bufferIndex()) + r.dataOffset(), bytes.length)
            .getBytes(0, bytes);
        deliveredSeqs.add(r.tcpSeq());
        received.writeBytes(bytes);
        events.add("data:" + bytes.length);
        pool.release(record);
        if (autoConsume)
        {
            connection.consumed(bytes.length, nowNs);
        }
    }

    @Override
    public void onPeerClosed(final TcpConnection connection, final long nowNs)
    {
        events.add("peerClosed");
    }

    @Override
    public void onClosed(final TcpConnection connection, final int reason, final long nowNs)
    {
        closeReason = reason;
        events.add("closed:" + TcpCloseReason.name(reason));
    }
}
