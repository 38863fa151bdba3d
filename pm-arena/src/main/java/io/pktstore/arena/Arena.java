package io.pktstore.arena;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.agrona.UnsafeApi;

/**
 * A persistent-memory arena: a {@link PmRegion} laid out as a superblock, a table of 64-byte
 * records, a table of 64-byte index-overflow blocks and a pool of fixed-size payload buffers
 * (see {@link ArenaGeometry} for the drawing and {@code docs/pm-format.md} for the format).
 *
 * <h2>Durable truth and volatile allocation</h2>
 * Only the bytes the owner persists are durable; the free lists and buffer reference counts are
 * volatile (DESIGN rule 6), so allocation and free cost no persistence. After {@link #open} the
 * owner must run {@link #recover()}: walk its indexes from the {@link #root root slots}, mark what
 * is reachable, and {@link Recovery#finish() finish}; until then allocation throws
 * {@link IllegalStateException}. A freshly {@link #format formatted} arena is ready at once.
 *
 * <h2>Commit order (DESIGN rule 5)</h2>
 * Write the record/buffer bytes, {@link #persist} them, link them (one aligned 8-byte store, e.g.
 * {@link #setRoot} or a link word inside a persisted record), persist the link, {@link #barrier}.
 *
 * <h2>Threading and allocation</h2>
 * Single owner: one thread uses an arena. The allocation methods, address accessors,
 * {@link #persist} and {@link #barrier} allocate no objects and throw only on caller bugs (bad
 * index, double free) or while recovery is pending; a full arena is {@link #NONE}, not an exception,
 * except in the {@code ...OrThrow} variants meant for non-hot-path callers.
 */
public final class Arena implements AutoCloseable {
    /** Returned by the allocation methods when nothing is free; never a valid index. */
    public static final int NONE = -1;
    /** Number of index root slots in the superblock. */
    public static final int ROOT_SLOTS = Superblock.ROOT_SLOTS;
    /**
     * How much of a region {@link #format(PmRegion, ArenaGeometry)} inspects for existing data
     * before refusing: its first MiB (which holds the superblock and the start of the record table).
     */
    public static final long FORMAT_EMPTY_CHECK_BYTES = 1 << 20;

    private enum State { RECOVERY_NEEDED, RECOVERING, READY, CLOSED }

    private final PmRegion region;
    private final ArenaGeometry geometry;
    private final String name;
    private final long base;
    private final long recordBase;
    private final long overflowBase;
    private final long bufferBase;
    private final int bufferSize;
    private final SlotPool records;
    private final SlotPool buffers;
    private final SlotPool overflow;
    private final int[] bufferRefCounts;
    private final boolean wasCleanShutdown;
    private final long shutdownStateAtOpen;
    private final long recordMarksBase;
    private final LinkBatch linkBatch;
    private LinkBatch.Replay linkLogReplay = new LinkBatch.Replay(0, 0, false);
    private State state;
    /** The recovery whose finish() will make the arena ready; null when none is running. */
    private Recovery activeRecovery;

    private Arena(final PmRegion region, final ArenaGeometry geometry, final String name,
                  final boolean wasCleanShutdown, final long shutdownStateAtOpen, final State state) {
        this.region = region;
        this.geometry = geometry;
        this.name = name;
        this.base = region.address();
        this.recordBase = base + geometry.recordTableOffset();
        this.overflowBase = base + geometry.overflowTableOffset();
        this.bufferBase = base + geometry.bufferPoolOffset();
        this.bufferSize = geometry.bufferSize();
        this.records = new SlotPool("record", geometry.recordCount());
        this.buffers = new SlotPool("buffer", geometry.bufferCount());
        this.overflow = new SlotPool("overflow block", geometry.overflowBlockCount());
        this.bufferRefCounts = new int[geometry.bufferCount()];
        this.recordMarksBase = base + geometry.recordMarksOffset();
        this.linkBatch = new LinkBatch(region, geometry);
        this.wasCleanShutdown = wasCleanShutdown;
        this.shutdownStateAtOpen = shutdownStateAtOpen;
        this.state = state;
    }

    // ------------------------------------------------------------------------------------------
    // Creating and opening
    // ------------------------------------------------------------------------------------------

    /**
     * Formats {@code region} as a new, empty arena. Refuses a region that already holds data: any
     * non-zero byte in its first {@link #FORMAT_EMPTY_CHECK_BYTES} (use
     * {@link #formatOverwriting} to reformat on purpose). The arena owns the region from now on.
     *
     * @param region   an all-zero region at least {@code geometry.requiredBytes()} long
     * @param geometry the layout
     * @return the arena, ready to allocate (no recovery needed)
     * @throws InvalidGeometryException   if the geometry does not fit the region
     * @throws ArenaFileNotEmptyException if the region holds data (nothing is written)
     */
    public static Arena format(final PmRegion region, final ArenaGeometry geometry) {
        checkFits(region, geometry, "region");
        final long nonZero = firstNonZeroByte(region, Math.min(region.size(), FORMAT_EMPTY_CHECK_BYTES));
        if (nonZero >= 0) {
            throw new ArenaFileNotEmptyException("refusing to format a region that holds data (non-zero byte at offset "
                + nonZero + "); use Arena.formatOverwriting to reformat it explicitly");
        }
        return doFormat(region, geometry, "region");
    }

    /**
     * Formats {@code region} as a new, empty arena even if it holds data (an earlier arena's
     * contents become unreachable: the roots are zeroed). The explicit "force" of the format rules.
     *
     * @param region   the region, at least {@code geometry.requiredBytes()} long
     * @param geometry the layout
     * @return the arena, ready to allocate
     * @throws InvalidGeometryException if the geometry does not fit the region
     */
    public static Arena formatOverwriting(final PmRegion region, final ArenaGeometry geometry) {
        checkFits(region, geometry, "region");
        return doFormat(region, geometry, "region");
    }

    private static Arena doFormat(final PmRegion region, final ArenaGeometry geometry, final String name) {
        Superblock.format(region, geometry);
        return new Arena(region, geometry, name, true, Superblock.STATE_IN_USE, State.READY);
    }

    /**
     * Creates a new arena file of {@code size} bytes with buffers of {@code bufferSize} and the
     * geometry {@link ArenaGeometry#forFileSize} gives, mapped with the best persistence mode.
     *
     * @param file       path; must not exist or be empty
     * @param size       file size in bytes (may exceed 2 GiB)
     * @param bufferSize bytes per payload buffer (e.g. {@link ArenaGeometry#DEFAULT_BUFFER_SIZE})
     * @return the arena, ready to allocate
     * @throws ArenaFileNotEmptyException if the file exists and is not empty (it is left untouched)
     * @throws InvalidGeometryException   if size or buffer size are invalid (no file is created)
     */
    public static Arena create(final Path file, final long size, final int bufferSize) {
        return create(file, size, bufferSize, null);
    }

    /**
     * Like {@link #create(Path, long, int)} with a requested persistence mode (null = best).
     *
     * @param file       path; must not exist or be empty
     * @param size       file size in bytes
     * @param bufferSize bytes per payload buffer
     * @param requested  persistence mode, or null for the best the file system offers
     * @return the arena, ready to allocate
     */
    public static Arena create(final Path file, final long size, final int bufferSize, final PersistMode requested) {
        return create(file, size, bufferSize, ArenaGeometry.RECORDS_PER_BUFFER, requested);
    }

    /**
     * Like {@link #create(Path, long, int, PersistMode)} with a number of records per buffer (see
     * {@link ArenaGeometry#forFileSize(long, int, int)}).
     *
     * @param file             path; must not exist or be empty
     * @param size             file size in bytes
     * @param bufferSize       bytes per payload buffer
     * @param recordsPerBuffer records per buffer
     * @param requested        persistence mode, or null for the best the file system offers
     * @return the arena, ready to allocate
     */
    public static Arena create(final Path file, final long size, final int bufferSize, final int recordsPerBuffer,
                               final PersistMode requested) {
        final ArenaGeometry geometry = ArenaGeometry.forFileSize(size, bufferSize, recordsPerBuffer);
        checkHeapFor(geometry, file.toString());
        final boolean existed;
        try {
            existed = Files.exists(file);
            if (existed && Files.size(file) > 0) {
                throw new ArenaFileNotEmptyException("refusing to format " + file + ": it exists and holds "
                    + Files.size(file) + " bytes (formatting never overwrites a non-empty file)");
            }
        } catch (final IOException e) {
            throw new ArenaException("cannot inspect " + file + ": " + e, e);
        }
        MappedPmRegion region = null;
        try {
            region = MappedPmRegion.open(file, size, requested);
            return doFormat(region, geometry, file.toString());
        } catch (final RuntimeException | Error e) {
            if (region != null) {
                region.close();
            }
            if (!(e instanceof ArenaInUseException)) {
                undoCreate(file, existed, e); // never undo a file another owner holds
            }
            throw e;
        }
    }

    /**
     * Refuses a geometry whose volatile allocation state cannot fit this JVM's maximum heap, before
     * anything is created or allocated: otherwise a large arena (a terabyte file has about a billion
     * records) ends in an OutOfMemoryError half way through create or open.
     *
     * @throws ArenaException naming the heap needed and the heap available
     */
    static void checkHeapFor(final ArenaGeometry geometry, final String name) {
        checkHeapFor(geometry, name, Runtime.getRuntime().maxMemory());
    }

    static void checkHeapFor(final ArenaGeometry geometry, final String name, final long maxHeapBytes) {
        final long needed = geometry.volatileStateBytes();
        if (needed > maxHeapBytes) {
            throw new ArenaException(name + ": an arena of " + geometry.requiredBytes() + " bytes (" + geometry
                + ") needs " + (needed >> 20) + " MiB of Java heap for its free lists and reference counts, more than "
                + "this JVM's maximum of " + (maxHeapBytes >> 20) + " MiB: use a smaller arena or raise -Xmx");
        }
    }

    /** Removes a file {@link #create} made (or truncates one that was empty) after a failure. */
    private static void undoCreate(final Path file, final boolean existed, final Throwable failure) {
        try {
            if (existed) {
                try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(0);
                }
            } else {
                Files.deleteIfExists(file);
            }
        } catch (final IOException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Opens an existing arena file (never formats). The caller must then {@link #recover()}.
     *
     * @param file path of an arena file
     * @return the arena, awaiting recovery
     * @throws NotAnArenaException              if the file is empty or lacks the arena magic
     * @throws UnsupportedArenaVersionException if it is an arena of another format version
     * @throws TruncatedArenaException          if it is shorter than its superblock says
     * @throws CorruptSuperblockException       if the superblock checksum or contents are bad
     * @throws ArenaException                   if the file cannot be opened or mapped
     */
    public static Arena open(final Path file) {
        return open(file, null);
    }

    /**
     * Like {@link #open(Path)} with a requested persistence mode (null = best).
     *
     * @param file      path of an arena file
     * @param requested persistence mode, or null
     * @return the arena, awaiting recovery
     */
    public static Arena open(final Path file, final PersistMode requested) {
        final MappedPmRegion region = MappedPmRegion.openExisting(file, requested);
        try {
            return open(region, file.toString());
        } catch (final RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /**
     * Opens the arena in {@code region}, validating its superblock; writes nothing unless it is
     * valid, then marks it in use (so a crash from now on is seen as unclean). On success the arena
     * owns the region; on failure the caller still does. The caller must then {@link #recover()}.
     *
     * @param region a region holding an arena
     * @return the arena, awaiting recovery
     * @throws NotAnArenaException              if the region lacks the arena magic
     * @throws UnsupportedArenaVersionException if it holds another format version
     * @throws TruncatedArenaException          if it is shorter than its superblock says
     * @throws CorruptSuperblockException       if the superblock checksum or contents are bad
     */
    public static Arena open(final PmRegion region) {
        return open(region, "region");
    }

    private static Arena open(final PmRegion region, final String name) {
        final ArenaGeometry geometry = Superblock.validate(region, name);
        checkHeapFor(geometry, name);
        final long stateAtOpen = Superblock.shutdownState(region.address());
        final Arena arena = new Arena(region, geometry, name, stateAtOpen == Superblock.STATE_CLEAN, stateAtOpen,
            State.RECOVERY_NEEDED);
        Superblock.writeShutdownState(region, Superblock.STATE_IN_USE);
        // A batch whose commit word is durable but whose words may not all be: finish it before the
        // owner reads any index.
        arena.linkLogReplay = arena.linkBatch.replay();
        return arena;
    }

    private static void checkFits(final PmRegion region, final ArenaGeometry geometry, final String name) {
        Objects.requireNonNull(geometry, "geometry");
        if (geometry.requiredBytes() > region.size()) {
            throw new InvalidGeometryException(geometry + " needs " + geometry.requiredBytes() + " bytes but the "
                + name + " has " + region.size());
        }
        checkHeapFor(geometry, name);
    }

    private static long firstNonZeroByte(final PmRegion region, final long length) {
        final long address = region.address();
        for (long i = 0; i < length; i++) {
            if ((i & 7) == 0 && i + 8 <= length && UnsafeApi.getLong(address + i) == 0) {
                i += 7;
                continue;
            }
            if (UnsafeApi.getByte(address + i) != 0) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------
    // Recovery
    // ------------------------------------------------------------------------------------------

    /**
     * Starts rebuilding the volatile allocation state: every slot becomes unallocated and all buffer
     * reference counts 0 until the returned {@link Recovery} is {@link Recovery#finish() finished};
     * allocation is refused meanwhile. May be called again later (e.g. to re-check), which discards
     * the current allocation state the same way. Writes nothing to the region.
     *
     * @return the recovery to mark reachable slots on
     * @throws IllegalStateException if the arena is closed
     */
    public Recovery recover() {
        checkNotClosed();
        state = State.RECOVERING;
        activeRecovery = new Recovery(this, records, buffers, overflow, bufferRefCounts);
        return activeRecovery;
    }

    /** @return true while {@code recovery} is the one this arena is waiting for */
    boolean isActiveRecovery(final Recovery recovery) {
        return state == State.RECOVERING && activeRecovery == recovery;
    }

    void recoveryFinished(final Recovery recovery) {
        activeRecovery = null;
        state = State.READY;
    }

    /**
     * @return true if the arena had been closed cleanly before this open (false after a crash);
     *         true for a freshly formatted arena, which has nothing to recover
     */
    public boolean wasCleanShutdown() {
        return wasCleanShutdown;
    }

    /** @return true once allocation is possible (after format, or after recovery finished) */
    public boolean isReady() {
        return state == State.READY;
    }

    // ------------------------------------------------------------------------------------------
    // Allocation (hot path: no exceptions unless misused, no allocation)
    // ------------------------------------------------------------------------------------------

    /** @return a free record's index, or {@link #NONE} when all records are in use */
    public int allocateRecord() {
        checkReady();
        return records.allocate();
    }

    /**
     * @param index an allocated record
     * @throws IllegalStateException if it is not allocated
     */
    public void freeRecord(final int index) {
        checkReady();
        records.free(index);
    }

    /** @return a free buffer's index with reference count 1, or {@link #NONE} when none is free */
    public int allocateBuffer() {
        checkReady();
        final int index = buffers.allocate();
        if (index != NONE) {
            bufferRefCounts[index] = 1;
        }
        return index;
    }

    /**
     * Adds a reference to an allocated buffer (a clone now shares it).
     *
     * @param index an allocated buffer
     * @throws IllegalStateException if the buffer is free
     */
    public void retainBuffer(final int index) {
        checkReady();
        buffers.checkAllocated(index);
        bufferRefCounts[index]++;
    }

    /**
     * Drops a reference; the buffer is freed when the count reaches 0.
     *
     * @param index an allocated buffer
     * @return true if this was the last reference and the buffer is now free
     * @throws IllegalStateException if the buffer is free
     */
    public boolean releaseBuffer(final int index) {
        checkReady();
        buffers.checkAllocated(index);
        if (--bufferRefCounts[index] == 0) {
            buffers.free(index);
            return true;
        }
        return false;
    }

    /**
     * @param index a buffer index
     * @return its reference count; 0 when free
     */
    public int bufferRefCount(final int index) {
        buffers.checkIndex(index);
        return bufferRefCounts[index];
    }

    /** @return a free overflow block's index, or {@link #NONE} when none is free */
    public int allocateOverflow() {
        checkReady();
        return overflow.allocate();
    }

    /**
     * @param index an allocated overflow block
     * @throws IllegalStateException if it is not allocated
     */
    public void freeOverflow(final int index) {
        checkReady();
        overflow.free(index);
    }

    /**
     * @return a free record's index
     * @throws ArenaFullException if every record is in use
     */
    public int allocateRecordOrThrow() {
        final int index = allocateRecord();
        if (index == NONE) {
            throw new ArenaFullException("arena full: all " + geometry.recordCount() + " records are in use (" + name + ")");
        }
        return index;
    }

    /**
     * @return a free buffer's index with reference count 1
     * @throws ArenaFullException if every buffer is in use
     */
    public int allocateBufferOrThrow() {
        final int index = allocateBuffer();
        if (index == NONE) {
            throw new ArenaFullException("arena full: all " + geometry.bufferCount() + " payload buffers are in use ("
                + name + ")");
        }
        return index;
    }

    /**
     * @return a free overflow block's index
     * @throws ArenaFullException if every overflow block is in use
     */
    public int allocateOverflowOrThrow() {
        final int index = allocateOverflow();
        if (index == NONE) {
            throw new ArenaFullException("arena full: all " + geometry.overflowBlockCount()
                + " overflow blocks are in use (" + name + ")");
        }
        return index;
    }

    /** @return true if record {@code index} is allocated */
    public boolean isRecordAllocated(final int index) {
        records.checkIndex(index);
        return records.isAllocated(index);
    }

    /** @return true if buffer {@code index} is allocated */
    public boolean isBufferAllocated(final int index) {
        buffers.checkIndex(index);
        return buffers.isAllocated(index);
    }

    /** @return true if overflow block {@code index} is allocated */
    public boolean isOverflowAllocated(final int index) {
        overflow.checkIndex(index);
        return overflow.isAllocated(index);
    }

    /** @return number of free records */
    public int freeRecordCount() {
        return records.freeCount();
    }

    /** @return number of free buffers */
    public int freeBufferCount() {
        return buffers.freeCount();
    }

    /** @return number of free overflow blocks */
    public int freeOverflowCount() {
        return overflow.freeCount();
    }

    // ------------------------------------------------------------------------------------------
    // Addresses (index in range is checked; allocation state is not)
    // ------------------------------------------------------------------------------------------

    /** @return address of record {@code index} (64 bytes, 64-aligned) */
    public long recordAddress(final int index) {
        return base + recordOffset(index);
    }

    /** @return byte offset of record {@code index} from the start of the region */
    public long recordOffset(final int index) {
        return geometry.recordTableOffset()
            + ((long) Objects.checkIndex(index, geometry.recordCount()) << 6);
    }

    /** @return address of buffer {@code index} ({@link #bufferSize()} bytes, 64-aligned) */
    public long bufferAddress(final int index) {
        return base + bufferOffset(index);
    }

    /** @return byte offset of buffer {@code index} from the start of the region */
    public long bufferOffset(final int index) {
        return geometry.bufferPoolOffset() + (long) Objects.checkIndex(index, geometry.bufferCount()) * bufferSize;
    }

    /** @return bytes per payload buffer */
    public int bufferSize() {
        return bufferSize;
    }

    /** @return address of overflow block {@code index} (64 bytes, 64-aligned) */
    public long overflowAddress(final int index) {
        return base + overflowOffset(index);
    }

    /** @return byte offset of overflow block {@code index} from the start of the region */
    public long overflowOffset(final int index) {
        return geometry.overflowTableOffset()
            + ((long) Objects.checkIndex(index, geometry.overflowBlockCount()) << 6);
    }

    // ------------------------------------------------------------------------------------------
    // Link batches and record marks
    // ------------------------------------------------------------------------------------------

    /**
     * @return the arena's one {@link LinkBatch}: the way to change index link words, record marks
     *         and root slots so that several changes become durable together
     */
    public LinkBatch linkBatch() {
        return linkBatch;
    }

    /** @return what the link log replay at open applied (all zero for a formatted arena) */
    public LinkBatch.Replay linkLogReplay() {
        return linkLogReplay;
    }

    /**
     * @param record a record index
     * @return byte offset of the 8-byte record-marks word holding record {@code record}'s mark bit
     *         (stage changes to it through {@link #linkBatch()})
     */
    public long recordMarkWordOffset(final int record) {
        return geometry.recordMarksOffset() + ((long) (Objects.checkIndex(record, geometry.recordCount()) >>> 6) << 3);
    }

    /** @return the bit of record {@code record}'s mark within its marks word */
    public static long recordMarkBit(final int record) {
        return 1L << (record & 63);
    }

    /**
     * Reads a mark as it is in memory (not as a pending batch would change it).
     *
     * @param record a record index
     * @return true if record {@code record}'s mark bit is set
     */
    public boolean isRecordMarked(final int record) {
        return (UnsafeApi.getLongVolatile(null, base + recordMarkWordOffset(record)) & recordMarkBit(record)) != 0;
    }

    /**
     * @param wordIndex index of a record-marks word, 0..(recordCount + 63) / 64 - 1
     * @return that word as it is in memory: bit {@code i} is record {@code 64 * wordIndex + i}
     */
    public long recordMarksWord(final int wordIndex) {
        Objects.checkIndex(wordIndex, (geometry.recordCount() + 63) >>> 6);
        return UnsafeApi.getLongVolatile(null, recordMarksBase + ((long) wordIndex << 3));
    }

    // ------------------------------------------------------------------------------------------
    // Roots and persistence
    // ------------------------------------------------------------------------------------------

    /**
     * @param slot 0..{@link #ROOT_SLOTS}-1
     * @return the value last stored in the slot (0 after format)
     */
    public long root(final int slot) {
        return UnsafeApi.getLongVolatile(null, base + rootOffset(slot));
    }

    /**
     * Commit point: stores {@code value} in root {@code slot} (one aligned 8-byte store, never
     * torn), persists it and waits on the barrier, so it is durable when this returns.
     *
     * @param slot  0..{@link #ROOT_SLOTS}-1
     * @param value the new root (the caller's encoding, e.g. a record index or offset)
     */
    public void setRoot(final int slot, final long value) {
        checkNotClosed();
        final long offset = rootOffset(slot);
        UnsafeApi.putLongVolatile(null, base + offset, value);
        region.persist(offset, Long.BYTES);
        region.barrier();
    }

    /**
     * @param slot 0..{@link #ROOT_SLOTS}-1
     * @return byte offset of root {@code slot} from the start of the region
     */
    public long rootOffset(final int slot) {
        return Superblock.rootOffset(Objects.checkIndex(slot, ROOT_SLOTS));
    }

    /** Same as {@code region().persist(offset, length)}. */
    public void persist(final long offset, final long length) {
        region.persist(offset, length);
    }

    /** Persists the whole 64-byte record {@code index}. */
    public void persistRecord(final int index) {
        region.persist(recordOffset(index), ArenaGeometry.RECORD_SIZE);
    }

    /** Persists the whole 64-byte overflow block {@code index}. */
    public void persistOverflow(final int index) {
        region.persist(overflowOffset(index), ArenaGeometry.OVERFLOW_BLOCK_SIZE);
    }

    /**
     * Persists {@code length} bytes at {@code offsetInBuffer} within buffer {@code index}.
     *
     * @throws IndexOutOfBoundsException if the range leaves the buffer
     */
    public void persistBuffer(final int index, final int offsetInBuffer, final int length) {
        Objects.checkFromIndexSize(offsetInBuffer, length, bufferSize);
        region.persist(bufferOffset(index) + offsetInBuffer, length);
    }

    /** Same as {@code region().barrier()}: every earlier persist is durable when it returns. */
    public void barrier() {
        region.barrier();
    }

    /** @return how this arena's region makes stores durable */
    public PersistMode mode() {
        return region.mode();
    }

    /** @return the region this arena lives in */
    public PmRegion region() {
        return region;
    }

    /** @return the arena's layout */
    public ArenaGeometry geometry() {
        return geometry;
    }

    /**
     * Closes the arena: barrier, mark the shutdown clean (persisted), unmap. If recovery never
     * finished, the shutdown state found at open is kept, so an unclean crash is not hidden by a
     * clean-looking close. Idempotent.
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        final State before = state;
        state = State.CLOSED;
        try {
            region.barrier();
            if (before == State.READY) {
                // Every applied word is durable now: nothing is left for a replay to finish.
                linkBatch.retire();
            }
            Superblock.writeShutdownState(region, before == State.READY ? Superblock.STATE_CLEAN : shutdownStateAtOpen);
        } finally {
            region.close();
        }
    }

    private void checkReady() {
        if (state != State.READY) {
            throw new IllegalStateException(state == State.CLOSED ? "arena " + name + " is closed"
                : "arena " + name + " needs recovery: call recover(), mark what is reachable, then finish()");
        }
    }

    private void checkNotClosed() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("arena " + name + " is closed");
        }
    }

    /** @return the arena's name in messages: its file path, or "region" */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Arena{" + name + ", " + region.mode() + ", " + geometry + '}';
    }
}
