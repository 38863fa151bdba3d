package io.pktstore.arena.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.arena.PersistMode;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The crash simulator against a byte-array model of "what was stored" and "what was persisted":
 * over 10,000 random crash images, every persisted line is always present, every unpersisted line
 * is either its old durable or its new content (both outcomes occur), and at word granularity no
 * aligned 8-byte word is ever torn.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatedPmRegionTest {
    private static final int SIZE = 64 * 1024;
    private static final int LINES = SIZE / 64;

    /** A region plus the model of its two images, driven by random stores and persists. */
    private static final class Modelled implements AutoCloseable {
        final SimulatedPmRegion region = SimulatedPmRegion.create(SIZE);
        final byte[] working = new byte[SIZE];
        final byte[] durable = new byte[SIZE];

        @Override
        public void close() {
            region.close();
        }

        void storeLong(final int offset, final long value) {
            UnsafeApi.putLong(region.address() + offset, value);
            for (int i = 0; i < 8; i++) {
                working[offset + i] = (byte) (value >>> (8 * i));
            }
        }

        void storeBytes(final int offset, final byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) {
                UnsafeApi.putByte(region.address() + offset + i, bytes[i]);
            }
            System.arraycopy(bytes, 0, working, offset, bytes.length);
        }

        void persist(final int offset, final int length) {
            region.persist(offset, length);
            if (length > 0) {
                final int first = offset & -64;
                final int end = (offset + length + 63) & -64;
                System.arraycopy(working, first, durable, first, end - first);
            }
        }

        boolean lineDirty(final int line) {
            return !Arrays.equals(working, line * 64, line * 64 + 64, durable, line * 64, line * 64 + 64);
        }

        void randomWork(final SplittableRandom rnd, final int ops) {
            for (int i = 0; i < ops; i++) {
                switch (rnd.nextInt(4)) {
                    case 0, 1 -> storeLong(rnd.nextInt(SIZE / 8) * 8, rnd.nextLong());
                    case 2 -> {
                        final byte[] b = new byte[1 + rnd.nextInt(300)];
                        rnd.nextBytes(b);
                        storeBytes(rnd.nextInt(SIZE - b.length), b);
                    }
                    default -> {
                        final int len = rnd.nextInt(400);
                        persist(rnd.nextInt(SIZE - len), len);
                    }
                }
            }
        }
    }

    @Test
    void tenThousandCrashImagesLoseExactlyTheUnpersistedLines() {
        final SplittableRandom rnd = new SplittableRandom(20261123L);
        final SplittableRandom crashRnd = new SplittableRandom(99L);
        long images = 0;
        long dirtyLinesSeen = 0;
        long dirtyLinesKept = 0;
        try (Modelled m = new Modelled()) {
            for (int round = 0; round < 100; round++) {
                m.randomWork(rnd, 60);
                assertArrayEquals(m.durable, m.region.durableImage(), "durable image changes only on persist");
                assertArrayEquals(m.working, m.region.workingImage());
                int dirty = 0;
                for (int line = 0; line < LINES; line++) {
                    if (m.lineDirty(line)) {
                        dirty++;
                    }
                }
                assertEquals(dirty, m.region.unpersistedLineCount());
                assertTrue(dirty > 0, "workload left nothing dirty: test would prove nothing");
                for (int k = 0; k < 100; k++, images++) {
                    final byte[] image = m.region.crashImage(crashRnd);
                    for (int line = 0; line < LINES; line++) {
                        final int from = line * 64;
                        final boolean isWorking = Arrays.equals(image, from, from + 64, m.working, from, from + 64);
                        final boolean isDurable = Arrays.equals(image, from, from + 64, m.durable, from, from + 64);
                        if (!m.lineDirty(line)) {
                            assertTrue(isWorking, "persisted line " + line + " lost in image " + images);
                        } else {
                            dirtyLinesSeen++;
                            if (isWorking) {
                                dirtyLinesKept++;
                            } else if (!isDurable) {
                                fail("unpersisted line " + line + " is neither old nor new in image " + images);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(images >= 10_000);
        // Each unpersisted line survives with probability 1/2: both outcomes must really happen.
        final double keptShare = (double) dirtyLinesKept / dirtyLinesSeen;
        assertTrue(keptShare > 0.45 && keptShare < 0.55, "kept share " + keptShare);
    }

    @Test
    void wordGranularityNeverTearsAnAlignedWordButDoesSplitLines() {
        final SplittableRandom rnd = new SplittableRandom(5L);
        final SplittableRandom crashRnd = new SplittableRandom(6L);
        boolean splitLineSeen = false;
        try (Modelled m = new Modelled()) {
            for (int round = 0; round < 20; round++) {
                m.randomWork(rnd, 80);
                for (int k = 0; k < 50; k++) {
                    final byte[] image = m.region.crashImage(crashRnd, SimulatedPmRegion.Granularity.WORD);
                    for (int line = 0; line < LINES; line++) {
                        int newWords = 0;
                        int changedWords = 0;
                        for (int w = line * 64; w < line * 64 + 64; w += 8) {
                            final boolean isNew = Arrays.equals(image, w, w + 8, m.working, w, w + 8);
                            final boolean isOld = Arrays.equals(image, w, w + 8, m.durable, w, w + 8);
                            assertTrue(isNew || isOld, "torn 8-byte word at " + w);
                            if (!m.lineDirty(line)) {
                                assertTrue(isNew, "persisted word lost at " + w);
                            }
                            if (!Arrays.equals(m.working, w, w + 8, m.durable, w, w + 8)) {
                                changedWords++;
                                if (isNew) {
                                    newWords++;
                                }
                            }
                        }
                        splitLineSeen |= newWords > 0 && newWords < changedWords;
                    }
                }
            }
        }
        assertTrue(splitLineSeen, "word granularity never produced a partially written line");
    }

    @Test
    void persistCoversWholeLinesAndNothingElse() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096)) {
            assertEquals(PersistMode.SIMULATED, r.mode());
            UnsafeApi.putLong(r.address() + 120, 1L);   // line 1
            UnsafeApi.putLong(r.address() + 128, 2L);   // line 2
            UnsafeApi.putLong(r.address() + 1000, 3L);  // line 15
            assertEquals(3, r.unpersistedLineCount());
            assertArrayEquals(new long[] {64, 128, 960}, r.unpersistedLineOffsets());
            assertTrue(r.hasUnpersisted(64, 1));
            assertFalse(r.hasUnpersisted(0, 64));
            assertFalse(r.hasUnpersisted(192, 700));
            r.persist(127, 1); // one byte of line 1: the whole line is written back, line 2 is not
            assertFalse(r.hasUnpersisted(64, 64));
            assertTrue(r.hasUnpersisted(128, 8));
            assertEquals(2, r.unpersistedLineCount());
            r.persist(100, 1000); // lines 1..17
            assertEquals(0, r.unpersistedLineCount());
            assertFalse(r.hasUnpersisted(0, 4096));
            final byte[] durable = r.durableImage();
            assertEquals(1L, UnsafeApi.getLong(durable, UnsafeApi.arrayBaseOffset(byte[].class) + 120));
            // Writing the same value again is not "unpersisted": both images agree.
            UnsafeApi.putLong(r.address() + 120, 1L);
            assertEquals(0, r.unpersistedLineCount());
            assertThrows(IndexOutOfBoundsException.class, () -> r.persist(4090, 7));
            assertThrows(IndexOutOfBoundsException.class, () -> r.hasUnpersisted(-1, 2));
            assertEquals(2, r.persistCalls());
        }
    }

    @Test
    void atBarrierDurabilityHoldsPersistedLinesUntilTheBarrierWithTheirLatestContent() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(1 << 16, SimulatedPmRegion.Durability.AT_BARRIER)) {
            final long base = UnsafeApi.arrayBaseOffset(byte[].class);
            UnsafeApi.putLong(r.address() + 64, 11L);
            UnsafeApi.putLong(r.address() + 40_000, 12L);
            r.persist(64, 8);
            r.persist(40_000, 8);
            assertEquals(2, r.unpersistedLineCount(), "persisted but not barriered is not durable");
            assertEquals(0L, UnsafeApi.getLong(r.durableImage(), base + 64));
            UnsafeApi.putLong(r.address() + 72, 13L); // same line, after persist, before barrier
            r.barrier();
            assertEquals(0, r.unpersistedLineCount());
            final byte[] durable = r.durableImage();
            assertEquals(11L, UnsafeApi.getLong(durable, base + 64));
            assertEquals(13L, UnsafeApi.getLong(durable, base + 72), "the barrier writes the line as it is then");
            assertEquals(12L, UnsafeApi.getLong(durable, base + 40_000));
            UnsafeApi.putLong(r.address() + 128, 14L); // never persisted: the barrier must not take it
            r.barrier();
            assertTrue(r.hasUnpersisted(128, 8));
            assertEquals(SimulatedPmRegion.Durability.AT_BARRIER, r.durability());
        }
    }

    @Test
    void fromImageStartsFullyPersistedAndDurableImageOutlivesClose() {
        final byte[] image = new byte[8192];
        new SplittableRandom(3).nextBytes(image);
        final SimulatedPmRegion r = SimulatedPmRegion.fromImage(image);
        assertEquals(0, r.unpersistedLineCount());
        assertArrayEquals(image, r.workingImage());
        assertEquals(image[77], UnsafeApi.getByte(r.address() + 77));
        UnsafeApi.putByte(r.address() + 77, (byte) (image[77] + 1));
        image[0] = (byte) (image[0] + 1); // the region copied the image: this must not leak in
        assertEquals(1, r.unpersistedLineCount());
        r.close();
        assertTrue(r.isClosed());
        assertEquals((byte) (image[0] - 1), r.durableImage()[0]);
        assertThrows(IllegalStateException.class, r::address);
        assertThrows(IllegalArgumentException.class, () -> SimulatedPmRegion.create(100));
        assertThrows(IllegalArgumentException.class, () -> SimulatedPmRegion.fromImage(new byte[0]));
    }
}
