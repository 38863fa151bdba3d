package io.pktstore.arena.sim;

import java.util.Objects;
import java.util.random.RandomGenerator;

import io.pktstore.arena.PersistMode;
import io.pktstore.arena.PmRegion;
import org.agrona.UnsafeApi;

/**
 * Crash simulator: a {@link PmRegion} with two images. The <em>working</em> image is off-heap
 * memory at {@link #address()}, where flyweights store as they would into a mapped file. The
 * <em>durable</em> image (on the heap) changes only when {@link #persist} copies the 64-byte lines
 * it covers into it, exactly as a cache-line write-back would.
 *
 * <p>A crash at any moment leaves the durable image plus any subset of the lines that were written
 * but not persisted (the CPU may have evicted them on its own). {@link #crashImage} builds one such
 * image from a seeded generator; recovery then runs on a fresh region made with
 * {@link #fromImage}. Aligned 8-byte stores are never torn: the default granularity takes or leaves
 * whole lines; {@link Granularity#WORD} takes or leaves each aligned 8-byte word independently (a
 * stricter model: only 8-byte atomicity is promised across a line).
 *
 * <p>Unpersisted lines are found by comparing the two images line by line, so no store needs to be
 * tracked. A line written back to the value it already had in the durable image is therefore not
 * "unpersisted", which matches reality (either image content is the same).
 *
 * <p>With {@link Durability#AT_BARRIER} persisted lines reach the durable image only at the next
 * barrier, as with {@code msync} group commit; until then they count as unpersisted.
 *
 * <p>Single owner, like every region. Size is limited to what a Java array holds (under 2 GiB).
 */
public final class SimulatedPmRegion implements PmRegion {
    /** Cache line size: the unit of write-back. */
    public static final int LINE_SIZE = 64;

    /** How finely a crash image mixes working and durable content. */
    public enum Granularity {
        /** Each unpersisted 64-byte line is taken whole or not at all. */
        LINE,
        /** Each aligned 8-byte word of an unpersisted line is taken or not independently. */
        WORD
    }

    private static final long ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    /** When a persisted range reaches the durable image. */
    public enum Durability {
        /**
         * At {@code persist}, as with cache-line write-back (DAX, tmpfs): the default.
         */
        AT_PERSIST,
        /**
         * At the next {@code barrier}, as with {@code msync} group commit (BLOCK_MSYNC): the lines
         * persisted since the last barrier are copied, with their content at barrier time. Catches
         * callers that persist but forget the barrier before relying on durability.
         */
        AT_BARRIER
    }

    private final long size;
    private final byte[] durable;
    private final Durability durability;
    /** AT_BARRIER only: one bit per line persisted since the last barrier. */
    private final long[] pendingLines;
    private int pendingLow = Integer.MAX_VALUE;
    private int pendingHigh = -1;
    private long address;
    private Runnable barrierHook;
    private boolean inBarrierHook;
    private long persistCalls;
    private long barrierCalls;

    private SimulatedPmRegion(final byte[] durable, final byte[] working, final Durability durability) {
        this.size = durable.length;
        this.durable = durable;
        this.durability = Objects.requireNonNull(durability, "durability");
        this.pendingLines = durability == Durability.AT_BARRIER ? new long[(int) ((size / LINE_SIZE + 63) >>> 6)] : null;
        this.address = UnsafeApi.allocateMemory(size);
        UnsafeApi.copyMemory(working, ARRAY_BASE, null, address, size);
    }

    /**
     * @param size bytes: a positive multiple of {@link #LINE_SIZE}, below 2 GiB
     * @return an all-zero region whose durable image is all zero too
     * @throws IllegalArgumentException if the size is not allowed
     */
    public static SimulatedPmRegion create(final long size) {
        return create(size, Durability.AT_PERSIST);
    }

    /**
     * @param size       bytes: a positive multiple of {@link #LINE_SIZE}, below 2 GiB
     * @param durability when persisted lines reach the durable image
     * @return an all-zero region whose durable image is all zero too
     */
    public static SimulatedPmRegion create(final long size, final Durability durability) {
        checkSize(size);
        final byte[] zero = new byte[(int) size];
        return new SimulatedPmRegion(zero, zero, durability);
    }

    /**
     * A region that starts as {@code image} in both working and durable form: what a machine sees
     * after restarting from that image.
     *
     * @param image the bytes (copied); length a positive multiple of {@link #LINE_SIZE}
     * @return the region
     */
    public static SimulatedPmRegion fromImage(final byte[] image) {
        return fromImage(image, Durability.AT_PERSIST);
    }

    /**
     * @param image      the bytes (copied); length a positive multiple of {@link #LINE_SIZE}
     * @param durability when persisted lines reach the durable image
     * @return a region starting as {@code image} in both working and durable form
     */
    public static SimulatedPmRegion fromImage(final byte[] image, final Durability durability) {
        checkSize(image.length);
        return new SimulatedPmRegion(image.clone(), image, durability);
    }

    /** @return when persisted lines reach the durable image */
    public Durability durability() {
        return durability;
    }

    private static void checkSize(final long size) {
        if (size <= 0 || size % LINE_SIZE != 0 || size > Integer.MAX_VALUE - LINE_SIZE) {
            throw new IllegalArgumentException("simulated region size " + size
                + " must be a positive multiple of " + LINE_SIZE + " below 2 GiB");
        }
    }

    @Override
    public long address() {
        checkOpen();
        return address;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public PersistMode mode() {
        return PersistMode.SIMULATED;
    }

    /**
     * {@link Durability#AT_PERSIST}: copies every line overlapping the range from the working image
     * to the durable image. {@link Durability#AT_BARRIER}: marks those lines for the next barrier.
     */
    @Override
    public void persist(final long offset, final long length) {
        checkRange(offset, length);
        checkOpen();
        persistCalls++;
        if (length == 0) {
            return;
        }
        final long first = offset & -LINE_SIZE;
        final long end = (offset + length + LINE_SIZE - 1) & -LINE_SIZE;
        if (pendingLines == null) {
            UnsafeApi.copyMemory(null, address + first, durable, ARRAY_BASE + first, end - first);
            return;
        }
        final int firstLine = (int) (first / LINE_SIZE);
        final int lastLine = (int) (end / LINE_SIZE) - 1;
        for (int line = firstLine; line <= lastLine; line++) {
            pendingLines[line >>> 6] |= 1L << line;
        }
        pendingLow = Math.min(pendingLow, firstLine >>> 6);
        pendingHigh = Math.max(pendingHigh, lastLine >>> 6);
    }

    /**
     * {@link Durability#AT_BARRIER}: copies every line persisted since the last barrier, with its
     * content now, into the durable image. Otherwise persist was already durable and this only
     * counts the call.
     */
    @Override
    public void barrier() {
        checkOpen();
        barrierCalls++;
        if (barrierHook != null && !inBarrierHook) {
            inBarrierHook = true;
            try {
                barrierHook.run();
            } finally {
                inBarrierHook = false;
            }
        }
        if (pendingLines == null) {
            return;
        }
        for (int w = pendingLow; w <= pendingHigh; w++) {
            long bits = pendingLines[w];
            while (bits != 0) {
                final long line = ((long) w << 6) + Long.numberOfTrailingZeros(bits);
                final long offset = line * LINE_SIZE;
                UnsafeApi.copyMemory(null, address + offset, durable, ARRAY_BASE + offset, LINE_SIZE);
                bits &= bits - 1;
            }
            pendingLines[w] = 0;
        }
        pendingLow = Integer.MAX_VALUE;
        pendingHigh = -1;
    }

    /**
     * @param offset first byte
     * @param length bytes
     * @return true if any line overlapping the range differs between working and durable image,
     *         i.e. a crash now could lose a store made in that range
     */
    public boolean hasUnpersisted(final long offset, final long length) {
        checkRange(offset, length);
        checkOpen();
        if (length == 0) {
            return false;
        }
        final long first = offset & -LINE_SIZE;
        final long end = (offset + length + LINE_SIZE - 1) & -LINE_SIZE;
        for (long line = first; line < end; line += LINE_SIZE) {
            if (lineDiffers(line)) {
                return true;
            }
        }
        return false;
    }

    /** @return the number of lines whose working content differs from the durable image */
    public int unpersistedLineCount() {
        checkOpen();
        int count = 0;
        for (long line = 0; line < size; line += LINE_SIZE) {
            if (lineDiffers(line)) {
                count++;
            }
        }
        return count;
    }

    /**
     * @return offsets of the lines whose working content differs from the durable image, ascending
     */
    public long[] unpersistedLineOffsets() {
        final long[] offsets = new long[unpersistedLineCount()];
        int n = 0;
        for (long line = 0; line < size && n < offsets.length; line += LINE_SIZE) {
            if (lineDiffers(line)) {
                offsets[n++] = line;
            }
        }
        return offsets;
    }

    /** @return a copy of the durable image (still available after {@link #close()}) */
    public byte[] durableImage() {
        return durable.clone();
    }

    /** @return a copy of the working image (what a crash with every line written back would leave) */
    public byte[] workingImage() {
        checkOpen();
        final byte[] copy = new byte[(int) size];
        UnsafeApi.copyMemory(null, address, copy, ARRAY_BASE, size);
        return copy;
    }

    /**
     * A crash image at line granularity: the durable image plus each unpersisted line with
     * probability 1/2.
     *
     * @param rnd seeded generator (e.g. {@code new SplittableRandom(seed)})
     * @return the image
     */
    public byte[] crashImage(final RandomGenerator rnd) {
        return crashImage(rnd, Granularity.LINE);
    }

    /**
     * A crash image: the durable image plus, for each unpersisted line, a random choice (probability
     * 1/2 each) of its working content, per line or per aligned 8-byte word.
     *
     * @param rnd         seeded generator
     * @param granularity whole lines or individual 8-byte words
     * @return the image
     */
    public byte[] crashImage(final RandomGenerator rnd, final Granularity granularity) {
        Objects.requireNonNull(rnd, "rnd");
        checkOpen();
        final byte[] image = durable.clone();
        for (long line = 0; line < size; line += LINE_SIZE) {
            if (!lineDiffers(line)) {
                continue;
            }
            if (granularity == Granularity.LINE) {
                if (rnd.nextBoolean()) {
                    UnsafeApi.copyMemory(null, address + line, image, ARRAY_BASE + line, LINE_SIZE);
                }
            } else {
                for (long word = line; word < line + LINE_SIZE; word += Long.BYTES) {
                    if (rnd.nextBoolean()) {
                        UnsafeApi.putLong(image, ARRAY_BASE + word, UnsafeApi.getLong(address + word));
                    }
                }
            }
        }
        return image;
    }

    /**
     * Runs {@code hook} at the start of every {@link #barrier()}, before it makes anything durable:
     * the moment a crash "during the barrier" would leave any subset of the pending lines. Tests use
     * it to take {@link #crashImage crash images} at every barrier of the code under test.
     *
     * @param hook the action, or null to remove it
     */
    public void onBarrier(final Runnable hook) {
        this.barrierHook = hook;
    }

    /** @return how many times {@link #persist} was called */
    public long persistCalls() {
        return persistCalls;
    }

    /** @return how many times {@link #barrier} was called */
    public long barrierCalls() {
        return barrierCalls;
    }

    /** @return true once closed */
    public boolean isClosed() {
        return address == 0;
    }

    /** Frees the working memory; the durable image stays readable. Idempotent. */
    @Override
    public void close() {
        if (address != 0) {
            UnsafeApi.freeMemory(address);
            address = 0;
        }
    }

    private boolean lineDiffers(final long line) {
        for (int i = 0; i < LINE_SIZE; i += Long.BYTES) {
            if (UnsafeApi.getLong(address + line + i) != UnsafeApi.getLong(durable, ARRAY_BASE + line + i)) {
                return true;
            }
        }
        return false;
    }

    private void checkRange(final long offset, final long length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", +" + length + ") outside simulated region of "
                + size + " bytes");
        }
    }

    private void checkOpen() {
        if (address == 0) {
            throw new IllegalStateException("simulated region is closed");
        }
    }
}
