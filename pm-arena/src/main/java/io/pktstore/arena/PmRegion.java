package io.pktstore.arena;

/**
 * A contiguous range of memory whose contents can be made durable. Stores go straight to memory at
 * {@link #address()} (through flyweights); durability happens only where the owner asks for it with
 * {@link #persist(long, long)} followed by {@link #barrier()}.
 *
 * <p>Single owner: one thread uses a region at a time (DESIGN rule 1). Persist and barrier allocate
 * nothing and are meant for the hot path.
 *
 * <p>Ordering contract: when {@code barrier()} returns, every range passed to {@code persist}
 * before it is durable. In {@link PersistMode#DAX_MAP_SYNC}, {@link PersistMode#TMPFS_WRITEBACK} and
 * {@link PersistMode#SIMULATED} persist is already durable when it returns; in
 * {@link PersistMode#BLOCK_MSYNC} persist only records the range and the barrier writes all recorded
 * ranges back in one batch. Code must therefore always call the barrier before it relies on
 * durability (e.g. before acknowledging a write).
 */
public interface PmRegion extends AutoCloseable {

    /**
     * @return the address of the first byte of the region (valid until {@link #close()})
     */
    long address();

    /**
     * @return the region's size in bytes
     */
    long size();

    /**
     * @return how this region makes stores durable
     */
    PersistMode mode();

    /**
     * Asks for {@code [offset, offset + length)} to become durable. Whole 64-byte cache lines are
     * written back, so neighbouring bytes on the same lines become durable too.
     *
     * @param offset byte offset from {@link #address()}
     * @param length number of bytes; 0 is a no-op
     * @throws IndexOutOfBoundsException if the range is not inside the region
     * @throws ArenaException            if an earlier write-back failed: a region that lost data
     *                                   refuses to persist anything more (see
     *                                   {@link MappedPmRegion#isPoisoned()})
     */
    void persist(long offset, long length);

    /**
     * Returns once every range passed to {@link #persist(long, long)} before this call is durable.
     *
     * @throws ArenaException if the underlying write-back failed (durability can then not be
     *                        promised); such a region stays failed: every later persist and
     *                        barrier throws too, so nothing written after the loss is acknowledged
     */
    void barrier();

    /**
     * Unmaps / releases the region. Does not persist anything by itself. Idempotent.
     */
    @Override
    void close();
}
