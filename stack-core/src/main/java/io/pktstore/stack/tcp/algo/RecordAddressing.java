package io.pktstore.stack.tcp.algo;

/**
 * Where a packet record lives: the address of record {@code index}'s 64 bytes in the arena's record
 * table. Matches {@code Arena.recordAddress(int)}, so {@code arena::recordAddress} (created once,
 * at construction) is the production implementation; tests may use a plain off-heap block.
 */
@FunctionalInterface
public interface RecordAddressing
{
    /**
     * @param record record index.
     * @return address of the record's first byte; 64 bytes are readable and writable.
     */
    long recordAddress(int record);
}
