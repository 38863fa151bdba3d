package io.pktstore.arena;

/**
 * How a {@link PmRegion} makes stores durable. Chosen when the region is opened and reported, so
 * callers and benchmarks know what a {@code persist} costs and what it survives.
 */
public enum PersistMode {
    /**
     * A file on a DAX file system mapped with {@code MAP_SHARED_VALIDATE | MAP_SYNC}: stores reach
     * persistent memory directly, and persist is CPU cache-line write-back plus a fence. Survives a
     * power cut.
     */
    DAX_MAP_SYNC,

    /**
     * A file on tmpfs (e.g. {@code /dev/shm}): persist is the same cache-line write-back plus fence
     * as DAX. The data survives a process crash, not a power cut. The default without real PM.
     */
    TMPFS_WRITEBACK,

    /**
     * A file on a block file system: persist only records the dirty pages; {@link PmRegion#barrier()}
     * {@code msync}s them all at once (group commit). Survives a power cut once the barrier returns.
     */
    BLOCK_MSYNC,

    /**
     * The crash simulator ({@code io.pktstore.arena.sim.SimulatedPmRegion}): a durable image that
     * changes only on persist, from which tests build crash images.
     */
    SIMULATED
}
