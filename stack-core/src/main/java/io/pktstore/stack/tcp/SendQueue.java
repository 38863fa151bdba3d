package io.pktstore.stack.tcp;

import io.pktstore.arena.Arena;
import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.RecordReleaser;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The send and retransmission queue of one connection: a singly linked list of packet records (through
 * their {@code next} field) whose {@code dataOffset}/{@code dataLength} name the bytes to send, in
 * sequence order, starting at SND.UNA.
 * <pre>
 *   headSeq = SND.UNA                      SND.NXT (cursor)                 endSeq()
 *   |                                      |                                |
 *   [ record A (acked part trimmed) ][ record B ][ record C ][ ... ][ tail ]
 *   &lt;-------- sent, unacknowledged ------&gt;&lt;------------ not yet sent ------&gt;
 * </pre>
 * Two kinds of records enter: records the application hands over ({@link #appendRecord}, e.g. received
 * records echoed back, zero copy: the segment gathers straight from their payload buffers) and records
 * this queue makes for bytes the application copies in ({@link #appendCopy}: one copy, into arena
 * buffers). Either way the queue owns them until they are acknowledged, then hands them to its
 * {@link RecordReleaser} (in the stack: {@link DeferredRecordRelease}, one duty cycle late, because
 * frames queued this cycle may still point into them; a clone shares its buffer, so releasing it only
 * drops one reference).
 * <p>
 * A cursor remembers the record and offset of the last gathered end, so sending new data walks
 * nothing; a retransmission from SND.UNA walks from the head (at most one window of records).
 * Single-threaded; allocates nothing.
 */
final class SendQueue
{
    private final PacketRecordPool pool;
    private final RecordReleaser releaser;
    private final Arena arena;
    private final PacketRecord rec = new PacketRecord();
    private final UnsafeBuffer copyView = new UnsafeBuffer(0, 0);
    private int head = PacketRecord.NO_RECORD;
    private int tail = PacketRecord.NO_RECORD;
    private int headSeq;
    private int bytes;
    private boolean tailAppendable;
    private int cursorRecord = PacketRecord.NO_RECORD;
    private int cursorOffset;
    private int cursorSeq;

    SendQueue(final PacketRecordPool pool, final RecordReleaser releaser)
    {
        this.pool = pool;
        this.releaser = releaser;
        this.arena = pool.arena();
    }

    /** Empties the queue (releasing everything) and starts it at {@code startSeq}. */
    void reset(final int startSeq)
    {
        clear();
        headSeq = startSeq;
    }

    /** Releases every queued record. */
    void clear()
    {
        int record = head;
        while (record != PacketRecord.NO_RECORD)
        {
            final int next = rec.wrap(arena, record).next();
            releaser.release(record);
            record = next;
        }
        head = PacketRecord.NO_RECORD;
        tail = PacketRecord.NO_RECORD;
        bytes = 0;
        tailAppendable = false;
        cursorRecord = PacketRecord.NO_RECORD;
    }

    /** @return bytes queued from SND.UNA on (unacknowledged plus unsent). */
    int bytes()
    {
        return bytes;
    }

    /** @return sequence number just after the last queued byte. */
    int endSeq()
    {
        return headSeq + bytes;
    }

    /**
     * Copies bytes in, filling the tail buffer first, then new arena buffers.
     *
     * @return bytes accepted: less than {@code length} when the arena ran out of buffers or records.
     */
    int appendCopy(final DirectBuffer source, final int offset, final int length)
    {
        int done = 0;
        final int bufferSize = arena.bufferSize();
        while (done < length)
        {
            if (!tailAppendable || roomInTail(bufferSize) == 0)
            {
                if (!newCopyTail())
                {
                    break;
                }
            }
            rec.wrap(arena, tail);
            final int room = bufferSize - (rec.dataOffset() + rec.dataLength());
            final int n = Math.min(room, length - done);
            final long dst = arena.bufferAddress(rec.bufferIndex()) + rec.dataOffset() + rec.dataLength();
            copyView.wrap(dst, n);
            copyView.putBytes(0, source, offset + done, n);
            rec.dataLength(rec.dataLength() + n);
            bytes += n;
            done += n;
        }
        return done;
    }

    private int roomInTail(final int bufferSize)
    {
        rec.wrap(arena, tail);
        return bufferSize - (rec.dataOffset() + rec.dataLength());
    }

    private boolean newCopyTail()
    {
        final int buffer = arena.allocateBuffer();
        if (buffer == Arena.NONE)
        {
            return false;
        }
        final int record = pool.adopt(buffer);
        if (record == PacketRecord.NO_RECORD)
        {
            arena.releaseBuffer(buffer);
            return false;
        }
        pool.view(record).tcpSeq(endSeq());
        link(record);
        tailAppendable = true;
        return true;
    }

    /**
     * Takes ownership of one record (its {@code next} is overwritten) and queues its data bytes.
     * A record with no data is released at once.
     */
    void appendRecord(final int record)
    {
        rec.wrap(arena, record);
        final int length = rec.dataLength();
        if (length == 0)
        {
            pool.release(record);
            return;
        }
        rec.next(PacketRecord.NO_RECORD);
        link(record);
        bytes += length;
        tailAppendable = false;
    }

    private void link(final int record)
    {
        if (tail == PacketRecord.NO_RECORD)
        {
            head = record;
        }
        else
        {
            rec.wrap(arena, tail).next(record);
        }
        tail = record;
    }

    /**
     * SND.UNA advanced to {@code newUna}: releases fully acknowledged records and trims the head.
     *
     * @return bytes removed from the queue.
     */
    int acknowledge(final int newUna)
    {
        int remove = newUna - headSeq;
        if (remove <= 0)
        {
            return 0;
        }
        if (remove > bytes)
        {
            remove = bytes;
        }
        int left = remove;
        while (left > 0)
        {
            rec.wrap(arena, head);
            final int length = rec.dataLength();
            if (length <= left)
            {
                final int next = rec.next();
                left -= length;
                if (head == cursorRecord)
                {
                    cursorRecord = PacketRecord.NO_RECORD;
                }
                releaser.release(head);
                head = next;
                if (head == PacketRecord.NO_RECORD)
                {
                    tail = PacketRecord.NO_RECORD;
                    tailAppendable = false;
                }
            }
            else
            {
                // Partial: move the record's window forward; the bytes stay where they are.
                rec.dataOffset(rec.dataOffset() + left).dataLength(length - left).tcpSeq(rec.tcpSeq() + left);
                if (head == cursorRecord)
                {
                    cursorOffset -= left;
                    if (cursorOffset < 0)
                    {
                        cursorRecord = PacketRecord.NO_RECORD;
                    }
                }
                left = 0;
            }
        }
        headSeq += remove;
        bytes -= remove;
        return remove;
    }

    /**
     * Adds pieces for the bytes [{@code seq}, {@code seq + maxLength}) that are queued to {@code gather}.
     *
     * @param seq       first sequence number, within [SND.UNA, endSeq()].
     * @param maxLength most bytes wanted.
     * @param gather    receives (address, length) pieces; stops early when it is full.
     * @return bytes added.
     */
    int gather(final int seq, final int maxLength, final Gather gather)
    {
        int record;
        int offset;
        if (cursorRecord != PacketRecord.NO_RECORD && seq == cursorSeq)
        {
            record = cursorRecord;
            offset = cursorOffset;
        }
        else
        {
            offset = seq - headSeq;
            if (offset < 0 || offset > bytes)
            {
                return 0;
            }
            record = head;
            while (record != PacketRecord.NO_RECORD)
            {
                rec.wrap(arena, record);
                if (offset < rec.dataLength())
                {
                    break;
                }
                offset -= rec.dataLength();
                record = rec.next();
            }
        }
        int added = 0;
        while (record != PacketRecord.NO_RECORD && added < maxLength && gather.count() < gather.maxPieces())
        {
            rec.wrap(arena, record);
            final int available = rec.dataLength() - offset;
            if (available <= 0)
            {
                record = rec.next();
                offset = 0;
                continue;
            }
            final int n = Math.min(available, maxLength - added);
            gather.add(arena.bufferAddress(rec.bufferIndex()) + rec.dataOffset() + offset, n);
            added += n;
            offset += n;
            if (offset == rec.dataLength() && rec.next() != PacketRecord.NO_RECORD)
            {
                record = rec.next();
                offset = 0;
            }
            else if (offset == rec.dataLength())
            {
                break;
            }
        }
        cursorRecord = record;
        cursorOffset = offset;
        cursorSeq = seq + added;
        return added;
    }
}
