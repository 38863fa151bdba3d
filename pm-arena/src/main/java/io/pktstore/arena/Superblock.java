package io.pktstore.arena;

import java.util.zip.CRC32C;

import org.agrona.UnsafeApi;

/**
 * Flyweight over the superblock at offset 0 of an arena (the authoritative description is
 * {@code docs/pm-format.md}). All fields little-endian (the native order of the machines we run
 * on; the magic check rejects a foreign-endian file as "not an arena").
 *
 * <pre>
 *  line 0: identity and geometry, covered by the checksum; written once at format
 *   0                   8         12        16                  24        28
 *  +-------------------+---------+---------+-------------------+---------+---------+
 *  | magic "PKSARENA"  | version | sb size | arena size (u64)  | records | buffers |
 *  +-------------------+---------+---------+-------------------+---------+---------+
 *   28        32        36        40        44                           60        64
 *  +---------+---------+---------+---------+-----------------------------+---------+
 *  | buffers | buf size| overflow| log cap | reserved, zero              | crc32c  |
 *  +---------+---------+---------+---------+-----------------------------+---------+
 *  line 1: shutdown state (one aligned u64, never torn), rest reserved
 *   64                  72                                                         128
 *  +-------------------+-----------------------------------------------------------+
 *  | shutdown state    | reserved, zero                                            |
 *  +-------------------+-----------------------------------------------------------+
 *  lines 2-3: index root slots, ROOT_SLOTS aligned u64 (the KV's commit points)
 *   128                                                                            256
 *  +-------------------+-------------------+-----  ...  -----+---------------------+
 *  | root 0            | root 1            |                 | root 15             |
 *  +-------------------+-------------------+-----  ...  -----+---------------------+
 *  256 .. 4096: reserved, zero
 * </pre>
 *
 * <p>The checksum covers only line 0, which never changes after format: the shutdown state and
 * the roots are single aligned 8-byte stores that the owner updates often, and covering them would
 * make every root update a two-store (tearable) operation.
 */
final class Superblock {
    /** "PKSARENA" as a little-endian u64. */
    static final long MAGIC = 0x414E455241534B50L;
    /** The format version this code writes and reads. */
    static final int FORMAT_VERSION = 2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int SUPERBLOCK_SIZE_OFFSET = 12;
    static final int ARENA_SIZE_OFFSET = 16;
    static final int RECORD_COUNT_OFFSET = 24;
    static final int BUFFER_COUNT_OFFSET = 28;
    static final int BUFFER_SIZE_OFFSET = 32;
    static final int OVERFLOW_COUNT_OFFSET = 36;
    static final int LOG_CAPACITY_OFFSET = 40;
    static final int CHECKSUM_OFFSET = 60;
    /** Bytes [0, CHECKSUMMED_LENGTH) are covered by the checksum stored right after them. */
    static final int CHECKSUMMED_LENGTH = CHECKSUM_OFFSET;
    static final int SHUTDOWN_STATE_OFFSET = 64;
    static final int ROOTS_OFFSET = 128;
    /** Number of root slots. */
    static final int ROOT_SLOTS = 16;

    /** Shutdown state after a clean close: "CLEANSHT". */
    static final long STATE_CLEAN = 0x5448534E41454C43L;
    /** Shutdown state while the arena is open (a crash leaves this): "INUSE!!!". */
    static final long STATE_IN_USE = 0x2121214553554E49L;

    private Superblock() {
    }

    /**
     * Writes a fresh superblock (zeroing the whole superblock page, roots included) for
     * {@code geometry}, an empty link log and clear record marks, and persists them. The magic is
     * written last, after a barrier made everything else durable, so a crash during format leaves a
     * file that is not an arena rather than one that looks valid with stale roots, log or marks; on
     * a region that already held an arena the old magic is removed durably first. The shutdown state
     * is {@link #STATE_IN_USE}.
     */
    static void format(final PmRegion region, final ArenaGeometry geometry) {
        final long base = region.address();
        if (UnsafeApi.getLong(base + MAGIC_OFFSET) != 0) {
            UnsafeApi.putLongVolatile(null, base + MAGIC_OFFSET, 0L);
            region.persist(MAGIC_OFFSET, Long.BYTES);
            region.barrier();
        }
        UnsafeApi.setMemory(base, ArenaGeometry.SUPERBLOCK_SIZE, (byte) 0);
        UnsafeApi.setMemory(base + geometry.linkLogOffset(), ArenaGeometry.LOG_HEADER_SIZE, (byte) 0);
        UnsafeApi.setMemory(base + geometry.recordMarksOffset(), geometry.recordMarksBytes(), (byte) 0);
        UnsafeApi.putLong(base + MAGIC_OFFSET, MAGIC);
        UnsafeApi.putInt(base + VERSION_OFFSET, FORMAT_VERSION);
        UnsafeApi.putInt(base + SUPERBLOCK_SIZE_OFFSET, ArenaGeometry.SUPERBLOCK_SIZE);
        UnsafeApi.putLong(base + ARENA_SIZE_OFFSET, region.size());
        UnsafeApi.putInt(base + RECORD_COUNT_OFFSET, geometry.recordCount());
        UnsafeApi.putInt(base + BUFFER_COUNT_OFFSET, geometry.bufferCount());
        UnsafeApi.putInt(base + BUFFER_SIZE_OFFSET, geometry.bufferSize());
        UnsafeApi.putInt(base + OVERFLOW_COUNT_OFFSET, geometry.overflowBlockCount());
        UnsafeApi.putInt(base + LOG_CAPACITY_OFFSET, geometry.logCapacity());
        UnsafeApi.putInt(base + CHECKSUM_OFFSET, checksum(base));
        UnsafeApi.putLong(base + SHUTDOWN_STATE_OFFSET, STATE_IN_USE);
        // Everything but the magic first (the checksum was computed with it in place).
        UnsafeApi.putLong(base + MAGIC_OFFSET, 0L);
        region.persist(0, ArenaGeometry.SUPERBLOCK_SIZE);
        region.persist(geometry.linkLogOffset(), ArenaGeometry.LOG_HEADER_SIZE);
        region.persist(geometry.recordMarksOffset(), geometry.recordMarksBytes());
        region.barrier();
        UnsafeApi.putLongVolatile(null, base + MAGIC_OFFSET, MAGIC);
        region.persist(MAGIC_OFFSET, Long.BYTES);
        region.barrier();
    }

    /**
     * Validates the superblock of {@code region} without writing anything: magic, then version
     * (a future version may checksum differently), then checksum, then geometry and size.
     *
     * @param region the region to check
     * @param name   what to call it in messages (file path or "region")
     * @return the geometry it describes
     */
    static ArenaGeometry validate(final PmRegion region, final String name) {
        final long size = region.size();
        final long base = region.address();
        if (size < Long.BYTES || UnsafeApi.getLong(base + MAGIC_OFFSET) != MAGIC) {
            throw new NotAnArenaException(name + " is not a pktstore arena (no arena magic at offset 0)");
        }
        if (size < ArenaGeometry.SUPERBLOCK_SIZE) {
            throw new TruncatedArenaException(name + " is truncated: " + size + " bytes, shorter than the "
                + ArenaGeometry.SUPERBLOCK_SIZE + "-byte superblock");
        }
        final int version = UnsafeApi.getInt(base + VERSION_OFFSET);
        if (version != FORMAT_VERSION) {
            throw new UnsupportedArenaVersionException(name + " has arena format version " + version
                + "; this build reads version " + FORMAT_VERSION);
        }
        final int stored = UnsafeApi.getInt(base + CHECKSUM_OFFSET);
        final int computed = checksum(base);
        if (stored != computed) {
            throw new CorruptSuperblockException(name + " has a corrupt superblock: checksum " + hex(stored)
                + " stored, " + hex(computed) + " computed");
        }
        final int sbSize = UnsafeApi.getInt(base + SUPERBLOCK_SIZE_OFFSET);
        if (sbSize != ArenaGeometry.SUPERBLOCK_SIZE) {
            throw new CorruptSuperblockException(name + " has superblock size " + sbSize + ", expected "
                + ArenaGeometry.SUPERBLOCK_SIZE);
        }
        final ArenaGeometry geometry;
        try {
            geometry = ArenaGeometry.of(
                UnsafeApi.getInt(base + RECORD_COUNT_OFFSET),
                UnsafeApi.getInt(base + BUFFER_COUNT_OFFSET),
                UnsafeApi.getInt(base + BUFFER_SIZE_OFFSET),
                UnsafeApi.getInt(base + OVERFLOW_COUNT_OFFSET),
                UnsafeApi.getInt(base + LOG_CAPACITY_OFFSET));
        } catch (final InvalidGeometryException e) {
            throw new CorruptSuperblockException(name + " has a superblock with impossible geometry: " + e.getMessage());
        }
        final long arenaSize = UnsafeApi.getLong(base + ARENA_SIZE_OFFSET);
        if (arenaSize < geometry.requiredBytes()) {
            throw new CorruptSuperblockException(name + " has a superblock whose arena size " + arenaSize
                + " is smaller than its geometry needs (" + geometry.requiredBytes() + ")");
        }
        if (size < arenaSize) {
            throw new TruncatedArenaException(name + " is truncated: " + size + " bytes, but its superblock says "
                + arenaSize);
        }
        final long state = UnsafeApi.getLong(base + SHUTDOWN_STATE_OFFSET);
        if (state != STATE_CLEAN && state != STATE_IN_USE) {
            throw new CorruptSuperblockException(name + " has an unknown shutdown state " + Long.toHexString(state));
        }
        return geometry;
    }

    static long shutdownState(final long base) {
        return UnsafeApi.getLongVolatile(null, base + SHUTDOWN_STATE_OFFSET);
    }

    /** Stores the shutdown state, persists its line and waits for it to be durable. */
    static void writeShutdownState(final PmRegion region, final long state) {
        UnsafeApi.putLongVolatile(null, region.address() + SHUTDOWN_STATE_OFFSET, state);
        region.persist(SHUTDOWN_STATE_OFFSET, Long.BYTES);
        region.barrier();
    }

    static long rootOffset(final int slot) {
        return ROOTS_OFFSET + (long) slot * Long.BYTES;
    }

    private static int checksum(final long base) {
        final CRC32C crc = new CRC32C();
        final byte[] bytes = new byte[CHECKSUMMED_LENGTH];
        UnsafeApi.copyMemory(null, base, bytes, UnsafeApi.arrayBaseOffset(byte[].class), CHECKSUMMED_LENGTH);
        crc.update(bytes, 0, CHECKSUMMED_LENGTH);
        return (int) crc.getValue();
    }

    private static String hex(final int v) {
        return "0x" + Integer.toHexString(v);
    }
}
