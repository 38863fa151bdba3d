package io.pktstore.stack.tcp;

import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.algo.RecordReleaser;
import org.agrona.collections.IntArrayList;

/**
 * Releases acknowledged send records one duty cycle late. A segment queued for transmission in this
 * cycle gathers its payload straight from a record's buffer, and the device copies it only when the
 * stack flushes TX at the END of the cycle; if an ACK later in the same cycle released that record and
 * an application immediately reused the freed buffer, the queued frame would go out with foreign bytes.
 * So releases collected during cycle N are carried out at the start of {@link TcpLayer#poll} in cycle
 * N+1, after cycle N's flush.
 * <p>
 * Single-threaded. The lists grow during warm-up only (no allocation in steady state).
 */
final class DeferredRecordRelease implements RecordReleaser
{
    private final PacketRecordPool pool;
    private IntArrayList current = new IntArrayList(1024, Integer.MIN_VALUE);
    private IntArrayList previous = new IntArrayList(1024, Integer.MIN_VALUE);

    DeferredRecordRelease(final PacketRecordPool pool)
    {
        this.pool = pool;
    }

    @Override
    public void release(final int record)
    {
        current.addInt(record);
    }

    /** Releases what the previous cycle collected; what this cycle collects waits for the next call. */
    int releasePrevious()
    {
        final IntArrayList due = previous;
        final int n = due.size();
        for (int i = 0; i < n; i++)
        {
            pool.release(due.getInt(i));
        }
        due.clear();
        previous = current;
        current = due;
        return n;
    }

    /** @return records waiting to be released. */
    int pending()
    {
        return current.size() + previous.size();
    }
}
