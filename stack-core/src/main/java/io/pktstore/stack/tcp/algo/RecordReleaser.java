package io.pktstore.stack.tcp.algo;

/**
 * Gives a packet record back (frees the record and releases its buffer reference), e.g.
 * {@code PacketRecordPool::release}. Called by {@link OutOfOrderQueue} for segments it discards
 * because they carry nothing new.
 */
@FunctionalInterface
public interface RecordReleaser
{
    /**
     * @param record index of the record to release; the caller of this method no longer uses it.
     */
    void release(int record);
}
