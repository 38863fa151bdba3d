package io.pktstore.arena.sim;

import java.util.Objects;
import java.util.random.RandomGenerator;

import io.pktstore.arena.PersistMode;
import io.pktstore.arena.PmRegion;
import org.agrona.UnsafeApi;

/**
 * Crash simulator: a {@link PmRegion} with two images. The <em>working</em> image is off-heap
 * memory at {@link #address()}, where flyweights store as they would into a mapped file (stores are
 * not intercepted). The <em>durable</em> image (on the heap) is what survives a crash for certain;
 * only {@link #persist} and {@link #barrier} change it, as the {@link Model} says.
 * {@link #crashImage} builds, from a seeded generator, one memory image a crash at this moment could
 * leave; recovery then runs on a region made with {@link #fromImage(byte[], Model)} or reset in
 * place with {@link #resetTo}.
 *
 * <h2>The hardware model ({@link Model#HARDWARE}, the one crash tests should use)</h2>
 * <pre>
 *   store ........ working image only; the line is now dirty (seen at the next event)
 *   persist(r) ... CLWB: snapshots each covered 64-byte line as it is now; stores after this call
 *                  are not part of the snapshot (they stay volatile unless persisted again)
 *   barrier() .... SFENCE: every snapshot taken since the last barrier becomes durable
 *   any time ..... the cache may evict a dirty line, so a crash image may hold ANY version of a
 *                  line seen since its last durable point, not only its latest one
 * </pre>
 * A crash image gives each dirty line its durable content or one of its known versions, at
 * {@link Granularity#LINE line} granularity (one choice per line) or {@link Granularity#WORD word}
 * granularity (each aligned 8-byte word independently: only 8-byte atomicity is promised, so a
 * multi-word record may be torn). Aligned 8-byte words are never torn.
 *
 * <h2>Which versions are known</h2>
 * Stores are not intercepted, so versions are <em>sampled at events</em>: every {@link #persist},
 * every {@link #barrier}, every {@link #crashImage} (which includes the hooks' images), every
 * explicit {@link #observe()}, and the queries ({@link #hasUnpersisted}, {@link #knownVersionCount},
 * {@link #unpersistedLineCount}). The known versions of a line are exactly its contents at the events
 * since its last durable point (the barrier that made its persisted snapshot durable, or its
 * creation / {@link #resetTo reset}), where they differed from the content seen at the event
 * before. A content that existed only between two events (written and overwritten with no event
 * in between) is not known. That is sound enough for commit protocols: every step of one is a
 * persist or a barrier (an event), so every state that a later step relies on, or that a bug could
 * leave behind, exists at some event. Code that builds a state with plain stores and undoes it
 * before its next persist or barrier can make {@link #observe()} calls to expose it.
 *
 * <p>A line that goes back to its durable content is not clean: written A (durable), B (seen at an
 * event), then A again, a crash image may still hold B until a persist and a barrier of the line
 * retire it (the cache may have evicted B in between).
 *
 * <h2>Hooks: taking crash images at every persist and barrier</h2>
 * {@link #onPersist} runs at each persist call after sampling and before the persist takes effect:
 * an image taken there is a crash <em>just before</em> this persist (under HARDWARE the same set of
 * images as a crash just after it, since a persist promises nothing until a barrier).
 * {@link #onBarrier} runs at each barrier after sampling and before anything becomes durable: a
 * crash <em>during</em> the barrier, where each pending snapshot may or may not have reached PM. A
 * hook never runs while a hook of this region is running (no recursion), so hooks may themselves
 * persist, barrier or take images. {@link CrashPoints} wires both hooks to a checker.
 *
 * <h2>Legacy models</h2>
 * {@link Model#AT_PERSIST} (durable at persist) and {@link Model#AT_BARRIER} (persisted lines
 * durable at the barrier with their content then) only ever offer a dirty line's durable or latest
 * content. They miss a missing barrier (AT_PERSIST), a store between persist and barrier
 * (AT_BARRIER) and intermediate versions (both), but cost nothing per event. {@link #create(long)}
 * and {@link #fromImage(byte[])} keep AT_PERSIST, because many tests use this class only as fast
 * memory; crash tests should ask for {@link Model#HARDWARE}.
 *
 * <h2>Cost</h2>
 * Under HARDWARE every event compares the whole working image with the durable image (memory
 * bandwidth: roughly 40 us per MiB) and a crash image copies the durable image once plus the dirty
 * lines, so keep simulated regions as small as the test allows (a 1 MiB region gives about 10^4
 * images per second, a 16 MiB one a few hundred); {@link #crashImage(byte[], RandomGenerator,
 * Granularity)} and {@link #resetTo} reuse buffers and regions so that images allocate nothing.
 * Bookkeeping is about 32 bytes per 64-byte line plus 64 bytes per known version.
 *
 * <p>Single owner, like every region. Size is limited to what a Java array holds (under 2 GiB).
 */
public final class SimulatedPmRegion implements PmRegion {
    /** Cache line size: the unit of write-back. */
    public static final int LINE_SIZE = 64;

    /** Byte offset of element 0 in a {@code byte[]}, for Unsafe access. */
    static final long ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    /** How finely a crash image mixes the durable content and the known versions of a line. */
    public enum Granularity {
        /** Each unpersisted 64-byte line takes one candidate content whole. */
        LINE,
        /** Each aligned 8-byte word of an unpersisted line takes a candidate independently. */
        WORD
    }

    /** When persisted content becomes durable, and which contents a crash image may hold. */
    public enum Model {
        /**
         * Real PM hardware, the strict model for crash tests: persist snapshots lines (CLWB), the
         * next barrier makes the snapshots durable (SFENCE), any dirty line may be evicted early,
         * and a crash image may hold any version of a line seen at an event since its last
         * durable point. See the class documentation.
         */
        HARDWARE,
        /**
         * Legacy: persist copies the covered lines into the durable image at once (barrier does
         * nothing); a crash image offers only a dirty line's durable or latest content.
         */
        AT_PERSIST,
        /**
         * Legacy, as {@code msync} group commit: the barrier copies every line persisted since the
         * last barrier with its content at barrier time; a crash image offers only a dirty line's
         * durable or latest content.
         */
        AT_BARRIER
    }

    /**
     * The original name of the legacy models, kept for callers written against it; each value is
     * the {@link Model} of the same name.
     */
    public enum Durability {
        /** {@link Model#AT_PERSIST}. */
        AT_PERSIST,
        /** {@link Model#AT_BARRIER}. */
        AT_BARRIER;

        Model model() {
            return this == AT_PERSIST ? Model.AT_PERSIST : Model.AT_BARRIER;
        }
    }

    private final long size;
    private final byte[] durable;
    private final Model model;
    /** What malloc returned: freed on close. */
    private final long allocation;
    private final LineTracker tracker;
    private long address;
    private Runnable persistHook;
    private Runnable barrierHook;
    private boolean inHook;
    private long persistCalls;
    private long barrierCalls;

    private SimulatedPmRegion(final byte[] durable, final byte[] working, final Model model) {
        this.size = durable.length;
        this.durable = durable;
        this.model = Objects.requireNonNull(model, "model");
        // Line-aligned, so that offsets and addresses share cache-line boundaries as in a mapping.
        this.allocation = UnsafeApi.allocateMemory(size + LINE_SIZE);
        this.address = (allocation + LINE_SIZE - 1) & -LINE_SIZE;
        UnsafeApi.copyMemory(working, ARRAY_BASE, null, address, size);
        this.tracker = model == Model.HARDWARE
            ? new HardwareTracker(address, durable)
            : new LegacyTracker(address, durable, model == Model.AT_BARRIER);
    }

    /**
     * A region under the legacy {@link Model#AT_PERSIST} model: for tests that need memory, not
     * crash images. Crash tests use {@link #create(long, Model)} with {@link Model#HARDWARE}.
     *
     * @param size bytes: a positive multiple of {@link #LINE_SIZE}, below 2 GiB
     * @return an all-zero region whose durable image is all zero too
     * @throws IllegalArgumentException if the size is not allowed
     */
    public static SimulatedPmRegion create(final long size) {
        return create(size, Model.AT_PERSIST);
    }

    /**
     * @param size  bytes: a positive multiple of {@link #LINE_SIZE}, below 2 GiB
     * @param model when persisted content becomes durable and what crash images may hold
     * @return an all-zero region whose durable image is all zero too
     * @throws IllegalArgumentException if the size is not allowed
     */
    public static SimulatedPmRegion create(final long size, final Model model) {
        checkSize(size);
        final byte[] zero = new byte[(int) size];
        return new SimulatedPmRegion(zero, zero, model);
    }

    /**
     * @param size       bytes: a positive multiple of {@link #LINE_SIZE}, below 2 GiB
     * @param durability a legacy model
     * @return {@code create(size, durability's Model)}
     */
    public static SimulatedPmRegion create(final long size, final Durability durability) {
        return create(size, durability.model());
    }

    /**
     * A legacy {@link Model#AT_PERSIST} region starting as {@code image}. Recovery under test
     * should use {@link #fromImage(byte[], Model)} with the crashed region's {@link #model()}.
     *
     * @param image the bytes (copied); length a positive multiple of {@link #LINE_SIZE}
     * @return the region
     */
    public static SimulatedPmRegion fromImage(final byte[] image) {
        return fromImage(image, Model.AT_PERSIST);
    }

    /**
     * A region that starts as {@code image} in both working and durable form, every line clean:
     * what a machine sees after restarting from that image. Recovery code run on it is simulated
     * under {@code model}, so crash images taken during recovery (through hooks on this region)
     * simulate a crash during recovery.
     *
     * @param image the bytes (copied); length a positive multiple of {@link #LINE_SIZE}
     * @param model the model recovery runs under (normally the crashed region's)
     * @return the region
     */
    public static SimulatedPmRegion fromImage(final byte[] image, final Model model) {
        checkSize(image.length);
        return new SimulatedPmRegion(image.clone(), image, model);
    }

    /**
     * @param image      the bytes (copied)
     * @param durability a legacy model
     * @return {@code fromImage(image, durability's Model)}
     */
    public static SimulatedPmRegion fromImage(final byte[] image, final Durability durability) {
        return fromImage(image, durability.model());
    }

    /** @return the model this region simulates */
    public Model model() {
        return model;
    }

    /**
     * @return the legacy name of the model: {@link Durability#AT_BARRIER} for
     *         {@link Model#HARDWARE} too, where persisted content also becomes durable at the barrier
     */
    public Durability durability() {
        return model == Model.AT_PERSIST ? Durability.AT_PERSIST : Durability.AT_BARRIER;
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
     * An event: samples the working image, runs the {@link #onPersist persist hook}, then applies
     * the persist as the model says (HARDWARE: snapshots the covered lines for the next barrier;
     * AT_PERSIST: copies them to the durable image; AT_BARRIER: marks them for the next barrier).
     * A zero-length persist only counts the call.
     */
    @Override
    public void persist(final long offset, final long length) {
        checkRange(offset, length);
        checkOpen();
        persistCalls++;
        if (length == 0) {
            return;
        }
        tracker.observe();
        runHook(persistHook);
        tracker.persist((int) (offset / LINE_SIZE), (int) ((offset + length - 1) / LINE_SIZE));
    }

    /**
     * An event: samples the working image, runs the {@link #onBarrier barrier hook}, then makes
     * durable what the model says (HARDWARE: every snapshot taken since the last barrier;
     * AT_BARRIER: every line persisted since, as it is now; AT_PERSIST: nothing more).
     */
    @Override
    public void barrier() {
        checkOpen();
        barrierCalls++;
        tracker.observe();
        runHook(barrierHook);
        tracker.barrier();
    }

    private void runHook(final Runnable hook) {
        if (hook == null || inHook) {
            return;
        }
        inHook = true;
        try {
            hook.run();
        } finally {
            inHook = false;
        }
    }

    /**
     * An explicit event: samples the working image so that every line's current content becomes a
     * known version (HARDWARE). For code that creates a state with plain stores and undoes it before
     * its next persist or barrier. No-op under the legacy models.
     */
    public void observe() {
        checkOpen();
        tracker.observe();
    }

    /**
     * Runs {@code hook} at every {@link #persist} call (non-empty range), after sampling and before
     * the persist takes effect: an image taken in it is a crash just before that persist.
     *
     * @param hook the action, or null to remove it
     */
    public void onPersist(final Runnable hook) {
        this.persistHook = hook;
    }

    /**
     * Runs {@code hook} at every {@link #barrier()}, after sampling and before it makes anything
     * durable: the moment a crash "during the barrier" may leave any subset of the pending
     * snapshots (HARDWARE) or pending lines (AT_BARRIER).
     *
     * @param hook the action, or null to remove it
     */
    public void onBarrier(final Runnable hook) {
        this.barrierHook = hook;
    }

    /**
     * Makes the region restart from {@code image}, in place: working and durable image become
     * {@code image}, every line is clean, nothing is pending. Much cheaper than a new region per
     * crash image. Hooks and call counters are kept.
     *
     * @param image the bytes (copied); length = {@link #size()}
     * @throws IllegalArgumentException if the length differs
     */
    public void resetTo(final byte[] image) {
        checkOpen();
        checkImageLength(image, "image");
        System.arraycopy(image, 0, durable, 0, durable.length);
        UnsafeApi.copyMemory(image, ARRAY_BASE, null, address, size);
        tracker.reset();
    }

    /**
     * An event: samples, then tells whether a crash now could lose a store in the range.
     *
     * @param offset first byte
     * @param length bytes
     * @return true if a crash image may give any line overlapping the range other than its
     *         working content (HARDWARE: the line has a known version since its last durable point,
     *         even if its content equals the durable one; legacy: working differs from durable)
     */
    public boolean hasUnpersisted(final long offset, final long length) {
        checkRange(offset, length);
        checkOpen();
        if (length == 0) {
            return false;
        }
        tracker.observe();
        for (long line = offset / LINE_SIZE, last = (offset + length - 1) / LINE_SIZE; line <= last; line++) {
            if (tracker.isUnpersisted((int) line)) {
                return true;
            }
        }
        return false;
    }

    /** @return the number of lines {@link #hasUnpersisted} would report (an event) */
    public int unpersistedLineCount() {
        checkOpen();
        tracker.observe();
        int count = 0;
        for (int line = 0, lines = (int) (size / LINE_SIZE); line < lines; line++) {
            if (tracker.isUnpersisted(line)) {
                count++;
            }
        }
        return count;
    }

    /** @return offsets of the lines {@link #hasUnpersisted} would report, ascending (an event) */
    public long[] unpersistedLineOffsets() {
        final long[] offsets = new long[unpersistedLineCount()];
        int n = 0;
        for (int line = 0; n < offsets.length; line++) {
            if (tracker.isUnpersisted(line)) {
                offsets[n++] = (long) line * LINE_SIZE;
            }
        }
        return offsets;
    }

    /**
     * An event: samples, then counts the contents besides the durable one that a crash image may
     * give the line holding {@code offset}.
     *
     * @param offset any byte of the line
     * @return 0 for a line a crash cannot change; HARDWARE: its known versions (they may repeat,
     *         e.g. B and A for A, B, A); legacy: 1 for an unpersisted line
     */
    public int knownVersionCount(final long offset) {
        checkRange(offset, 1);
        checkOpen();
        tracker.observe();
        return tracker.knownVersionCount((int) (offset / LINE_SIZE));
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
     * A crash image at line granularity, in a new array.
     *
     * @param rnd seeded generator (e.g. {@code new SplittableRandom(seed)})
     * @return the image
     */
    public byte[] crashImage(final RandomGenerator rnd) {
        return crashImage(rnd, Granularity.LINE);
    }

    /**
     * A crash image in a new array: see {@link #crashImage(byte[], RandomGenerator, Granularity)}.
     *
     * @param rnd         seeded generator
     * @param granularity whole lines or individual 8-byte words
     * @return the image
     */
    public byte[] crashImage(final RandomGenerator rnd, final Granularity granularity) {
        return crashImage(new byte[(int) size], rnd, granularity);
    }

    /**
     * An event: samples, then fills {@code into} with one image a crash now could leave: the durable
     * image, and for each unpersisted line a uniformly chosen candidate among its durable content
     * and its known versions (legacy models: durable or working content, 1/2 each), whole or per
     * aligned 8-byte word. Deterministic for a given generator state and history of events.
     *
     * @param into        receives the image (every byte is overwritten); length = {@link #size()}
     * @param rnd         seeded generator
     * @param granularity whole lines or individual 8-byte words
     * @return {@code into}
     * @throws IllegalArgumentException if the length differs
     */
    public byte[] crashImage(final byte[] into, final RandomGenerator rnd, final Granularity granularity) {
        Objects.requireNonNull(rnd, "rnd");
        Objects.requireNonNull(granularity, "granularity");
        checkImageLength(into, "image buffer");
        checkOpen();
        tracker.observe();
        tracker.crashImage(into, rnd, granularity);
        return into;
    }

    /**
     * Another crash image at the same moment as the previous {@link #crashImage}, without sampling
     * again: for {@link CrashPoints}, which takes several images per crash point and whose check
     * does not store into this region. Saves one pass over the region per image.
     */
    void crashImageAtSameEvent(final byte[] into, final RandomGenerator rnd, final Granularity granularity) {
        checkOpen();
        tracker.crashImage(into, rnd, granularity);
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
            UnsafeApi.freeMemory(allocation);
            address = 0;
        }
    }

    @Override
    public String toString() {
        return "SimulatedPmRegion{" + size + " bytes, " + model + '}';
    }

    private void checkImageLength(final byte[] image, final String what) {
        if (image.length != size) {
            throw new IllegalArgumentException(what + " has " + image.length + " bytes, the region " + size);
        }
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
