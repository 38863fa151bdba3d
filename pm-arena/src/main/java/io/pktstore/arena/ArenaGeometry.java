package io.pktstore.arena;

/**
 * How an arena file is divided: how many 64-byte records, how many payload buffers of which size,
 * how many 64-byte index-overflow blocks, and how many entries each half of the link log holds.
 * Immutable; validated on construction, so an instance always describes a layout that can exist.
 * The layout (format version 2, see {@code docs/pm-format.md}):
 *
 * <pre>
 *  0            4096
 *  +------------+--------------+--------------+---------------+---------------+----------------+
 *  | superblock | link log     | record marks | record table  | overflow table| buffer pool    |
 *  | (1 page)   | 64 + 2 x     | 1 bit per    | recordCount x | overflowCount | bufferCount x  |
 *  |            | logCapacity  | record       | 64 B          | x 64 B        |   bufferSize   |
 *  |            | x 16 B       |              |               |               |                |
 *  +------------+--------------+--------------+---------------+---------------+----------------+
 *               ^ linkLog      ^ recordMarks  ^ recordTable   ^ overflowTable ^ bufferPool
 *               Offset()       Offset()       Offset()        Offset()        Offset()
 *                            (every region starts on a 4096-byte page)
 * </pre>
 *
 * <p>The link log is the redo log of {@link LinkBatch} (a batch of 8-byte link stores that becomes
 * durable all together); the record marks are one durable bit per record that the layer above sets
 * and clears through such batches (the KV marks which records are index nodes).
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
    /**
     * Records per buffer that {@link #forFileSize(long, int)} provides: clones share a buffer
     * (sk_buff style), and a segment of pipelined small requests is stored as many clones of one
     * buffer (a key record and a value record per request).
     */
    public static final int RECORDS_PER_BUFFER = 8;
    /** Most records per buffer {@link #forFileSize(long, int, int)} accepts. */
    public static final int MAX_RECORDS_PER_BUFFER = 64;
    /** Entries in each half of the link log unless a geometry says otherwise (32 KiB per half). */
    public static final int DEFAULT_LOG_CAPACITY = 2048;
    /** Largest link log half, in entries. */
    public static final int MAX_LOG_CAPACITY = 1 << 20;
    /** Bytes of one link log entry: the word's offset (u64) and its new value (u64). */
    public static final int LOG_ENTRY_SIZE = 16;
    /** Bytes before the first log entry: one line holding the commit word. */
    public static final int LOG_HEADER_SIZE = 64;
    /** Buffers per overflow block that {@link #forFileSize} provides (one block per two buffers). */
    public static final int BUFFERS_PER_OVERFLOW_BLOCK = 2;

    private final int recordCount;
    private final int bufferCount;
    private final int bufferSize;
    private final int overflowBlockCount;
    private final int logCapacity;
    private final long linkLogOffset;
    private final long recordMarksOffset;
    private final long recordTableOffset;
    private final long overflowTableOffset;
    private final long bufferPoolOffset;
    private final long requiredBytes;

    private ArenaGeometry(final int recordCount, final int bufferCount, final int bufferSize,
                          final int overflowBlockCount, final int logCapacity) {
        this.recordCount = recordCount;
        this.bufferCount = bufferCount;
        this.bufferSize = bufferSize;
        this.overflowBlockCount = overflowBlockCount;
        this.logCapacity = logCapacity;
        this.linkLogOffset = SUPERBLOCK_SIZE;
        this.recordMarksOffset = linkLogOffset + alignUp(LOG_HEADER_SIZE + 2L * logCapacity * LOG_ENTRY_SIZE);
        this.recordTableOffset = recordMarksOffset + alignUp(((recordCount + 63L) >>> 6) * Long.BYTES);
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
        return of(recordCount, bufferCount, bufferSize, overflowBlockCount, DEFAULT_LOG_CAPACITY);
    }

    /**
     * Geometry with explicit counts and link log size.
     *
     * @param recordCount        number of 64-byte records, 1..{@link #MAX_COUNT}
     * @param bufferCount        number of payload buffers, 1..{@link #MAX_COUNT}
     * @param bufferSize         bytes per buffer: a multiple of 64 in
     *                           {@link #MIN_BUFFER_SIZE}..{@link #MAX_BUFFER_SIZE}
     * @param overflowBlockCount number of 64-byte overflow blocks, 0..{@link #MAX_COUNT}
     * @param logCapacity        entries per half of the link log, 1..{@link #MAX_LOG_CAPACITY}
     * @return the validated geometry
     * @throws InvalidGeometryException naming the argument that is out of range
     */
    public static ArenaGeometry of(final int recordCount, final int bufferCount, final int bufferSize,
                                   final int overflowBlockCount, final int logCapacity) {
        checkCount("recordCount", recordCount, 1);
        checkCount("bufferCount", bufferCount, 1);
        checkCount("overflowBlockCount", overflowBlockCount, 0);
        checkBufferSize(bufferSize);
        if (logCapacity < 1 || logCapacity > MAX_LOG_CAPACITY) {
            throw new InvalidGeometryException("logCapacity " + logCapacity + " is out of range 1.." + MAX_LOG_CAPACITY);
        }
        return new ArenaGeometry(recordCount, bufferCount, bufferSize, overflowBlockCount, logCapacity);
    }

    /**
     * The largest geometry that fits a file of {@code bytes} with {@link #RECORDS_PER_BUFFER}
     * records per buffer (see {@link #forFileSize(long, int, int)}).
     *
     * @param bytes      file size in bytes
     * @param bufferSize bytes per buffer (see {@link #of})
     * @return the geometry; its {@link #requiredBytes()} is at most {@code bytes}
     * @throws InvalidGeometryException if the buffer size is invalid or the file cannot hold even
     *                                  one buffer with its records
     */
    public static ArenaGeometry forFileSize(final long bytes, final int bufferSize) {
        return forFileSize(bytes, bufferSize, RECORDS_PER_BUFFER);
    }

    /**
     * The largest geometry that fits a file of {@code bytes}: as many buffers as fit, with
     * {@code recordsPerBuffer} records per buffer, one overflow block per
     * {@link #BUFFERS_PER_OVERFLOW_BLOCK} buffers and a link log of {@link #DEFAULT_LOG_CAPACITY}
     * entries per half.
     *
     * @param bytes            file size in bytes
     * @param bufferSize       bytes per buffer (see {@link #of})
     * @param recordsPerBuffer records per buffer, 1..{@link #MAX_RECORDS_PER_BUFFER}
     * @return the geometry; its {@link #requiredBytes()} is at most {@code bytes}
     * @throws InvalidGeometryException if an argument is invalid or the file cannot hold even one
     *                                  buffer with its records
     */
    public static ArenaGeometry forFileSize(final long bytes, final int bufferSize, final int recordsPerBuffer) {
        checkBufferSize(bufferSize);
        if (recordsPerBuffer < 1 || recordsPerBuffer > MAX_RECORDS_PER_BUFFER) {
            throw new InvalidGeometryException("recordsPerBuffer " + recordsPerBuffer + " is out of range 1.."
                + MAX_RECORDS_PER_BUFFER);
        }
        final long minimum = fromBufferCount(1, bufferSize, recordsPerBuffer).requiredBytes();
        if (bytes < minimum) {
            throw new InvalidGeometryException("file size " + bytes + " bytes is too small for an arena with "
                + bufferSize + "-byte buffers (at least " + minimum + " bytes needed)");
        }
        // Cost of one buffer with its share of records, record marks and overflow blocks; the fixed
        // parts (superblock, link log) and the page padding of the regions are subtracted or stepped
        // down from the estimate.
        final double perBuffer = bufferSize + recordsPerBuffer * (RECORD_SIZE + 1.0 / 8)
            + (double) OVERFLOW_BLOCK_SIZE / BUFFERS_PER_OVERFLOW_BLOCK;
        final long fixed = fromBufferCount(1, bufferSize, recordsPerBuffer).linkLogOffset
            + alignUp(LOG_HEADER_SIZE + 2L * DEFAULT_LOG_CAPACITY * LOG_ENTRY_SIZE);
        long buffers = (long) ((bytes - fixed) / perBuffer);
        buffers = Math.min(buffers, MAX_COUNT / recordsPerBuffer);
        while (buffers > 1) {
            final ArenaGeometry g = fromBufferCount((int) buffers, bufferSize, recordsPerBuffer);
            if (g.requiredBytes() <= bytes) {
                return g;
            }
            final long excess = g.requiredBytes() - bytes;
            buffers -= Math.max(1, (long) Math.ceil(excess / perBuffer));
        }
        return fromBufferCount(1, bufferSize, recordsPerBuffer);
    }

    private static ArenaGeometry fromBufferCount(final int buffers, final int bufferSize, final int recordsPerBuffer) {
        return of(buffers * recordsPerBuffer, buffers, bufferSize,
            Math.max(1, buffers / BUFFERS_PER_OVERFLOW_BLOCK), DEFAULT_LOG_CAPACITY);
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

    /** @return entries in each half of the link log */
    public int logCapacity() {
        return logCapacity;
    }

    /** @return byte offset of the link log (its commit word) from the start of the arena */
    public long linkLogOffset() {
        return linkLogOffset;
    }

    /** @return byte offset of the record marks bitmap from the start of the arena */
    public long recordMarksOffset() {
        return recordMarksOffset;
    }

    /** @return bytes of the record marks bitmap (whole 8-byte words, one bit per record) */
    public long recordMarksBytes() {
        return ((recordCount + 63L) >>> 6) * Long.BYTES;
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
            && g.bufferSize == bufferSize && g.overflowBlockCount == overflowBlockCount
            && g.logCapacity == logCapacity;
    }

    @Override
    public int hashCode() {
        return (((recordCount * 31 + bufferCount) * 31 + bufferSize) * 31 + overflowBlockCount) * 31 + logCapacity;
    }

    @Override
    public String toString() {
        return "ArenaGeometry{records=" + recordCount + ", buffers=" + bufferCount + " x " + bufferSize
            + " B, overflowBlocks=" + overflowBlockCount + ", logCapacity=" + logCapacity + ", requiredBytes="
            + requiredBytes + '}';
    }
}
