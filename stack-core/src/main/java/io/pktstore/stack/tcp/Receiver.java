package io.pktstore.stack.tcp;

import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.OutOfOrderQueue;
import io.pktstore.stack.tcp.wire.TcpHeader;

import static io.pktstore.stack.tcp.algo.SequenceNumbers.gt;
import static io.pktstore.stack.tcp.algo.SequenceNumbers.lt;

/**
 * What one connection does with the data of an acceptable segment (RFC 9293 3.10.7.4, seventh check,
 * with Linux's tcp_data_queue as the model): trims it to what is new and inside the window we
 * announced, makes a packet record of it in the segment's own buffer (no copy), hands it to the
 * application in order or keeps it in the out-of-order tree, and decides when the ACK goes (every
 * second data segment, a filled hole or a FIN at once, a drained small segment at once unless a reply
 * will carry it, else delayed).
 * <p>
 * It reads and advances the connection's receive space; it never changes the connection's state. A FIN
 * that becomes in order is reported in the result, and the connection takes it ({@link
 * TcpConnection}'s receiveFin). Single-threaded; holds no state of its own beyond a record view.
 */
final class Receiver
{
    /** Result bit: the segment's buffer now belongs to a record (the caller must not free it). */
    static final int TAKEN = 1;
    /** Result bit: the peer's FIN is now at RCV.NXT; nothing was delivered after it. */
    static final int FIN_REACHED = 2;

    /**
     * Ack at once after this many in-order data segments received without an ACK. RFC 9293 3.8.6.3 asks
     * for every second full-sized one; counting every data segment acknowledges at least as often.
     */
    private static final int ACK_EVERY_SEGMENTS = 2;
    /** Room a timestamp option takes in every segment once negotiated (two NOPs, kind, length, TSval, TSecr). */
    private static final int TIMESTAMP_OPTION_BYTES = 12;

    private final ReceiveSpace rcv;
    private final NegotiatedOptions opt;
    private final ConnectionTimers timers;
    private final OutOfOrderQueue outOfOrder;
    private final ApplicationEvents events;
    private final ConnectionServices services;
    private final TcpConfig config;
    private final PacketRecordPool pool;
    private final TcpCounters counters;
    private final PacketRecord rec = new PacketRecord();

    Receiver(
        final ReceiveSpace rcv,
        final NegotiatedOptions opt,
        final ConnectionTimers timers,
        final OutOfOrderQueue outOfOrder,
        final ApplicationEvents events,
        final ConnectionServices services)
    {
        this.rcv = rcv;
        this.opt = opt;
        this.timers = timers;
        this.outOfOrder = outOfOrder;
        this.events = events;
        this.services = services;
        this.config = services.config;
        this.pool = services.pool;
        this.counters = services.counters;
    }

    /**
     * The data of an acceptable segment on the slow path: trimmed to what is new and to the announced
     * edge (a FIN beyond it is dropped with the excess), then delivered in order or queued ahead.
     *
     * @return {@link #TAKEN} and {@link #FIN_REACHED} bits.
     */
    int data(final InboundSegment s, final long nowNs)
    {
        int seq = s.seq;
        int dataOffset = s.payloadOffset;
        int length = s.payloadLength;
        boolean fin = s.has(TcpHeader.FIN);
        if (lt(seq, rcv.nxt))
        {
            final int skip = rcv.nxt - seq;
            if (skip >= length)
            {
                counters.duplicateSegments++;
                rcv.ackNow = true;
                return 0;
            }
            seq += skip;
            dataOffset += skip;
            length -= skip;
        }
        final int edge = rcv.advertisedEdge;
        if (gt(seq + length, edge))
        {
            counters.dropBeyondWindow++;
            length = edge - seq;
            fin = false;
            if (length <= 0)
            {
                rcv.ackNow = true;
                return 0;
            }
        }
        if (seq == rcv.nxt)
        {
            return inOrder(s, dataOffset, length, fin, nowNs);
        }
        if (outOfOrder.count() >= config.receiveBufferBytes() / TcpConnection.DEFAULT_MSS)
        {
            // Each queued segment pins a whole arena buffer (shared by every connection and the RX ring)
            // whatever its length, so the window's byte count alone does not bound them: a peer sending
            // one-byte segments between holes could take thousands. A sender with an MSS of at least
            // 536 never needs more than a window of them.
            counters.dropOutOfOrderFull++;
            rcv.ackNow = true;
            return 0;
        }
        final int record = adopt(s, seq, dataOffset, length, fin);
        if (record == PacketRecord.NO_RECORD)
        {
            return 0;
        }
        // Ahead of RCV.NXT: keep it and send a duplicate ACK at once (RFC 5681 4.2) with SACK.
        counters.outOfOrderQueued++;
        outOfOrder.insert(record, rcv.nxt);
        rcv.ackNow = true;
        return TAKEN;
    }

    /**
     * Data exactly at RCV.NXT (shared by both paths): a record of it goes to the application, then any
     * out-of-order records it made contiguous, up to a FIN; then the ACK decision.
     *
     * @return {@link #TAKEN} and {@link #FIN_REACHED} bits.
     */
    int inOrder(final InboundSegment s, final int dataOffset, final int length, final boolean fin, final long nowNs)
    {
        final int record = adopt(s, rcv.nxt, dataOffset, length, fin);
        if (record == PacketRecord.NO_RECORD)
        {
            return 0;
        }
        final boolean hadHoles = !outOfOrder.isEmpty();
        deliver(record, length);
        boolean finReached = fin;
        int next;
        while (!finReached && (next = outOfOrder.pollInOrder(rcv.nxt)) != OutOfOrderQueue.NIL)
        {
            rec.wrap(pool.arena(), next);
            final int nextLength = rec.dataLength();
            finReached = rec.hasFlag(PacketRecord.FLAG_FIN);
            if (nextLength == 0)
            {
                pool.release(next);
            }
            else
            {
                deliver(next, nextLength);
            }
        }
        acknowledgeInOrder(length, hadHoles || finReached, nowNs);
        return TAKEN | (finReached ? FIN_REACHED : 0);
    }

    /** RFC 9293 3.8.6.3 with Linux's rule for small segments: at once, or when the application drained them, or delayed. */
    private void acknowledgeInOrder(final int length, final boolean now, final long nowNs)
    {
        if (now || ++rcv.segmentsSinceAck >= ACK_EVERY_SEGMENTS || config.delayedAckNs() == 0)
        {
            rcv.ackNow = true;
            return;
        }
        if (length < fullSegmentPayload())
        {
            rcv.smallSegmentUnacked = true;
        }
        if (timers.delayedAck == TcpConnection.NO_DEADLINE)
        {
            timers.delayedAck = nowNs + config.delayedAckNs();
        }
    }

    /** @return the payload of a full-sized segment the peer sends us: our MSS less its timestamp option. */
    private int fullSegmentPayload()
    {
        return services.localMss() - (opt.timestamps ? TIMESTAMP_OPTION_BYTES : 0);
    }

    /** Makes a packet record of the segment's data range. @return the record, or NO_RECORD (counted). */
    private int adopt(final InboundSegment s, final int seq, final int dataOffset, final int length, final boolean fin)
    {
        final int record = pool.adopt(s.bufferIndex);
        if (record == PacketRecord.NO_RECORD)
        {
            counters.dropNoRecord++;
            return PacketRecord.NO_RECORD;
        }
        s.bufferAdopted = true;
        rec.wrap(pool.arena(), record)
            .timestampNs(s.timestampNs)
            .tcpSeq(seq)
            .frameLength(s.frameLength)
            .dataOffset(dataOffset)
            .dataLength(length)
            .tcpChecksum(s.tcpChecksum)
            .l3Offset(s.l3Offset)
            .l4Offset(s.l4Offset)
            .checksumState(s.checksumState)
            .flags((fin ? PacketRecord.FLAG_FIN : 0) | (s.has(TcpHeader.PSH) ? PacketRecord.FLAG_PSH : 0));
        return record;
    }

    private void deliver(final int record, final int length)
    {
        rcv.nxt += length;
        rcv.unconsumed += length;
        events.data(record);
    }
}
