package io.pktstore.stack.tcp;

import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;

/**
 * What a connection has to tell its application, collected while a segment (or a timer) is processed
 * and handed to the {@link TcpHandler} only afterwards, by {@link #deliver}: processing never runs
 * application code, so no step of it has to ask whether the connection died under it.
 * <p>
 * Order of delivery, always: onConnected, onSendAcked (bytes summed), onData for each record in
 * sequence order, onPeerClosed. onClosed is the layer's, after all of these. Delivered data records
 * wait in a chain through their {@code next} field (unset again before the application sees them), so
 * any number of them costs no memory. Once the connection has ended, records still waiting are
 * released instead of delivered, and onPeerClosed is dropped.
 * <p>
 * Single-threaded; one {@link #reset} per open.
 */
final class ApplicationEvents
{
    private final PacketRecordPool pool;
    private final PacketRecord rec = new PacketRecord();
    private boolean connected;
    private long ackedBytes;
    private int dataHead = PacketRecord.NO_RECORD;
    private int dataTail = PacketRecord.NO_RECORD;
    private boolean peerClosed;

    ApplicationEvents(final PacketRecordPool pool)
    {
        this.pool = pool;
    }

    /** Forgets everything; records still waiting go back to the pool. */
    void reset()
    {
        releaseData();
        connected = false;
        ackedBytes = 0;
        peerClosed = false;
    }

    void connected()
    {
        connected = true;
    }

    void sendAcked(final int bytes)
    {
        ackedBytes += bytes;
    }

    /** Queues an in-order record for onData; the connection keeps owning it until it is delivered. */
    void data(final int record)
    {
        rec.wrap(pool.arena(), record).next(PacketRecord.NO_RECORD);
        if (dataTail == PacketRecord.NO_RECORD)
        {
            dataHead = record;
        }
        else
        {
            rec.wrap(pool.arena(), dataTail).next(record);
        }
        dataTail = record;
    }

    void peerClosed()
    {
        peerClosed = true;
    }

    /** @return true if anything waits for delivery. */
    boolean pending()
    {
        return connected || ackedBytes > 0 || dataHead != PacketRecord.NO_RECORD || peerClosed;
    }

    /**
     * Hands every waiting event to {@code handler}, in the order above, until none is left (a callback
     * may cause more, e.g. a close that ends the connection). A callback that throws leaves the events
     * after it waiting for the next call.
     */
    void deliver(final TcpConnection c, final TcpHandler handler, final long nowNs)
    {
        while (true)
        {
            if (connected)
            {
                connected = false;
                handler.onConnected(c, nowNs);
            }
            else if (ackedBytes > 0)
            {
                final int bytes = (int)Math.min(Integer.MAX_VALUE, ackedBytes);
                ackedBytes -= bytes;
                handler.onSendAcked(c, bytes, nowNs);
            }
            else if (dataHead != PacketRecord.NO_RECORD)
            {
                if (c.state() == TcpState.CLOSED)
                {
                    releaseData();
                    continue;
                }
                final int record = dataHead;
                dataHead = rec.wrap(pool.arena(), record).next();
                if (dataHead == PacketRecord.NO_RECORD)
                {
                    dataTail = PacketRecord.NO_RECORD;
                }
                rec.next(PacketRecord.NO_RECORD);
                handler.onData(c, record, nowNs);
            }
            else if (peerClosed)
            {
                peerClosed = false;
                if (c.state() != TcpState.CLOSED)
                {
                    handler.onPeerClosed(c, nowNs);
                }
            }
            else
            {
                return;
            }
        }
    }

    private void releaseData()
    {
        int record = dataHead;
        while (record != PacketRecord.NO_RECORD)
        {
            final int next = rec.wrap(pool.arena(), record).next();
            pool.release(record);
            record = next;
        }
        dataHead = PacketRecord.NO_RECORD;
        dataTail = PacketRecord.NO_RECORD;
    }
}
