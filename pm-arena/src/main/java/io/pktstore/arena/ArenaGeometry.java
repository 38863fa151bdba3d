package io.pktstore.arena;

/**
 * How an arena file is divided: how many 64-byte records, how many payload buffers of which size,
 * and how many 64-byte index-overflow blocks. Immutable; validated on construction, so an instance
 * always describes a layout that can exist. The layout (see {@code docs/pm-format.md}):
 *
 * <pre>
 *  offset 0                 SUPERBLOCK_SIZE (4096)
 *  +------------------------+------------------------+---------------------+----------------------+
 *  | superblock (1 page)    | record table           | overflow table      | buffer pool          |
 *  |                        | recordCount x 64 B     | overflowCount x 64 B| bufferCount x        |
 *  |                        | padded to 4096         | padded to 4096      |   bufferSize         |
 *  +------------------------+------------------------+---------------------+----------------------+
 *                           ^ recordTableOffset()    ^ overflowTableOffset() ^ bufferPoolOffset()
 *                                                                       (all 4096-aligned)
 * </pre>
 *
 * <p>Every record, overflow block and buffer therefore starts on a 64-byte (cache-line) boundary;
 * the buffer pool starts on a page boundary, and buffers whose size is a power of two are naturally
 * aligned to their size (up to 4096).
 */
public final class ArenaGeometry {
    /** Size of the superblock region, in bytes: one page. */
    public static final int SUPERBLOCK_SIZE = 4096;
    /** Size of a record and of an overflow block, in bytes: one cache line. */
    public static final int RECORD_SIZE = 64;
    /** Size of an overflow block, in bytes (same as a record, allocated the same way). */
    public static final int OVERFLOW_BLOCK_SIZE = 64;
    /** Alignment of every region start (record table, overflow table, buffer pool). */
    public static final int REGION_ALIGNMENT = 4096;
    /** Default payload buffer size: holds a whole 1500-byte-MTU frame with headroom. */
    public static final int DEFAULT_BUFFER_SIZE = 2048;
    /** Smallest allowed buffer size. */
    public static final int MIN_BUFFER_SIZE = 64;
    /** Largest allowed buffer size (1 MiB). */
    public static final int MAX_BUFFER_SIZE = 1 << 20;
    /**
     * Largest count of any slot kind. Kept well below {@code Integer.MAX_VALUE} so an index always
     * fits an int with room for {@link Arena#NONE} and so the volatile free lists stay sane.
     */
    public static final int MAX_COUNT = 1 << 30;
    /** Records per buffer that {@link #forFileSize} provides: clones share a buffer (sk_buff style). */
    public static final int RECORDS_PER_BUFFER = 2;
    /** Buffers per overflow block that {@link #forFileSize} provides (one block per two buffers). */
    public static final int BUFFERS_PER_OVERFLOW_BLOCK = 2;

    private final int recordCount;
    private final int bufferCount;
    private final int bufferSize;
    private final int overflowBlockCount;
    private final long recordTableOffset;
    private final long overflowTableOffset;
    private final long bufferPoolOffset;
    private final long requiredBytes;

    private ArenaGeometry(final int recordCount, final int bufferCount, final int bufferSize,
                          final int overflowBlockCount) {
        this.recordCount = recordCount;
        this.bufferCount = bufferCount;
        this.bufferSize = bufferSize;
        this.overflowBlockCount = overflowBlockCount;
        this.recordTableOffset = SUPERBLOCK_SIZE;
        this.overflowTableOffset = recordTableOffset + alignUp((long) recordCount * RECORD_SIZE);
        this.bufferPoolOffset = overflowTableOffset + alignUp((long) overflowBlockCount * OVERFLOW_BLOCK_SIZE);
        this.requiredBytes = bufferPoolOffset + (long) bufferCount * bufferSize;
    }

    /**
     * Geometry with explicit counts.
     *
     * @param recordCount        number of 64-byte records, 1..{@link #MAX_COUNT}
     * @param bufferCount        number of payload buffers, 1..{@link #MAX_COUNT}
     * @param bufferSize         bytes per buffer: a multiple of 64 in
     *                           {@link #MIN_BUFFER_SIZE}..{@link #MAX_BUFFER_SIZE}
     * @param overflowBlockCount number of 64-byte overflow blocks, 0..{@link #MAX_COUNT}
     * @return the validated geometry
     * @throws InvalidGeometryException naming the argument that is out of range
     */
    public static ArenaGeometry of(final int recordCount, final int bufferCount, final int bufferSize,
                                   final int overflowBlockCount) {
        checkCount("recordCount", recordCount, 1);
        checkCount("bufferCount", bufferCount, 1);
        checkCount("overflowBlockCount", overflowBlockCount, 0);
        checkBufferSize(bufferSize);
        return new ArenaGeometry(recordCount, bufferCount, bufferSize, overflowBlockCount);
    }

    /**
     * The largest geometry that fits a file of {@code bytes}: as many buffers as fit, with
     * {@link #RECORDS_PER_BUFFER} records per buffer and one overflow block per
     * {@link #BUFFERS_PER_OVERFLOW_BLOCK} buffers.
     *
     * @param bytes      file size in bytes
     * @param bufferSize bytes per buffer (see {@link #of})
     * @return the geometry; its {@link #requiredBytes()} is at most {@code bytes}
     * @throws InvalidGeometryException if the buffer size is invalid or the file cannot hold even
     *                                  one buffer with its records
     */
    public static ArenaGeometry forFileSize(final long bytes, final int bufferSize) {
        checkBufferSize(bufferSize);
        final long minimum = of(RECORDS_PER_BUFFER, 1, bufferSize, 0).requiredBytes();
        if (bytes < minimum) {
            throw new InvalidGeometryException("file size " + bytes + " bytes is too small for an arena with "
                + bufferSize + "-byte buffers (at least " + minimum + " bytes needed)");
        }
        // Cost of one buffer with its share of records and overflow blocks; the page padding of the
        // three regions is at most 3 pages, so start from an estimate that ignores it and step down.
        final double perBuffer = bufferSize + RECORDS_PER_BUFFER * (double) RECORD_SIZE
            + (double) OVERFLOW_BLOCK_SIZE / BUFFERS_PER_OVERFLOW_BLOCK;
        long buffers = (long) ((bytes - SUPERBLOCK_SIZE) / perBuffer);
        buffers = Math.min(buffers, MAX_COUNT / RECORDS_PER_BUFFER);
        while (buffers > 1) {
            final ArenaGeometry g = fromBufferCount((int) buffers, bufferSize);
            if (g.requiredBytes() <= bytes) {
                return g;
            }
            final long excess = g.requiredBytes() - bytes;
            buffers -= Math.max(1, (long) Math.ceil(excess / perBuffer));
        }
        return fromBufferCount(1, bufferSize);
    }

    private static ArenaGeometry fromBufferCount(final int buffers, final int bufferSize) {
        return of(buffers * RECORDS_PER_BUFFER, buffers, bufferSize,
            Math.max(1, buffers / BUFFERS_PER_OVERFLOW_BLOCK));
    }

    private static void checkCount(final String name, final long value, final int min) {
        if (value < min || value > MAX_COUNT) {
            throw new InvalidGeometryException(name + " " + value + " is out of range " + min + ".." + MAX_COUNT);
        }
    }

    private static void checkBufferSize(final int bufferSize) {
        if (bufferSize < MIN_BUFFER_SIZE || bufferSize > MAX_BUFFER_SIZE || bufferSize % RECORD_SIZE != 0) {
            throw new InvalidGeometryException("bufferSize " + bufferSize + " must be a multiple of "
                + RECORD_SIZE + " in " + MIN_BUFFER_SIZE + ".." + MAX_BUFFER_SIZE);
        }
    }

    private static long alignUp(final long bytes) {
        return (bytes + REGION_ALIGNMENT - 1) & -REGION_ALIGNMENT;
    }

    /** @return number of 64-byte records */
    public int recordCount() {
        return recordCount;
    }

    /** @return number of payload buffers */
    public int bufferCount() {
        return bufferCount;
    }

    /** @return bytes per payload buffer */
    public int bufferSize() {
        return bufferSize;
    }

    /** @return number of 64-byte overflow blocks */
    public int overflowBlockCount() {
        return overflowBlockCount;
    }

    /** @return byte offset of record 0 from the start of the arena */
    public long recordTableOffset() {
        return recordTableOffset;
    }

    /** @return byte offset of overflow block 0 from the start of the arena */
    public long overflowTableOffset() {
        return overflowTableOffset;
    }

    /** @return byte offset of buffer 0 from the start of the arena */
    public long bufferPoolOffset() {
        return bufferPoolOffset;
    }

    /** @return bytes the arena occupies: the file must be at least this long */
    public long requiredBytes() {
        return requiredBytes;
    }

    /**
     * Java heap the arena's volatile allocation state takes (DESIGN rule 6: free lists and reference
     * counts live on the heap, not in the file): per slot an int free-stack entry and an allocated
     * bit, per buffer also an int reference count.
     *
     * @return bytes of heap an {@link Arena} with this geometry allocates at format or open
     */
    public long volatileStateBytes() {
        final long slots = (long) recordCount + bufferCount + overflowBlockCount;
        final long bitmapWords = (recordCount + 63L) / 64 + (bufferCount + 63L) / 64 + (overflowBlockCount + 63L) / 64;
        return slots * Integer.BYTES + bitmapWords * Long.BYTES + (long) bufferCount * Integer.BYTES;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof ArenaGeometry g && g.recordCount == recordCount && g.bufferCount == bufferCount
            && g.bufferSize == bufferSize && g.overflowBlockCount == overflowBlockCount;
    }

    @Override
    public int hashCode() {
        return ((recordCount * 31 + bufferCount) * 31 + bufferSize) * 31 + overflowBlockCount;
    }

    @Override
    public String toString() {
        return "ArenaGeometry{records=" + recordCount + ", buffers=" + bufferCount + " x " + bufferSize
            + " B, overflowBlocks=" + overflowBlockCount + ", requiredBytes=" + requiredBytes + '}';
    }
}
