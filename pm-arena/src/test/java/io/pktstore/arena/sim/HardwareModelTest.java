package io.pktstore.arena.sim;

import static io.pktstore.arena.sim.CrashExplorer.store;
import static io.pktstore.arena.sim.CrashExplorer.word;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.arena.sim.SimulatedPmRegion.Granularity;
import io.pktstore.arena.sim.SimulatedPmRegion.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Model#HARDWARE} semantics, case by case (persist snapshots, the barrier makes the snapshot
 * durable, early eviction, intermediate versions, word tearing), the hooks, in-place reset and
 * reusable image buffers, and a randomized comparison with a naive reference model built from
 * plain lists.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HardwareModelTest {
    private static final int LINE = SimulatedPmRegion.LINE_SIZE;

    /** The set of values the word at {@code offset} takes over {@code n} crash images. */
    private static Set<Long> wordOutcomes(final SimulatedPmRegion region, final int offset, final Granularity g,
                                          final long seed, final int n) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final byte[] image = new byte[(int) region.size()];
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            seen.add(word(region.crashImage(image, rnd, g), offset));
        }
        return seen;
    }

    @Test
    void persistSnapshotsTheLineAndOnlyTheBarrierMakesTheSnapshotDurable() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            store(r, LINE, 11);
            r.persist(LINE, 8);
            store(r, LINE + 8, 22);                         // after the persist: not in the snapshot
            assertEquals(0, word(r.durableImage(), LINE), "persist alone makes nothing durable");
            assertEquals(Set.of(0L, 11L), wordOutcomes(r, LINE, Granularity.LINE, 1, 200),
                "before the barrier the snapshot may or may not have reached PM");
            r.barrier();
            final byte[] durable = r.durableImage();
            assertEquals(11, word(durable, LINE));
            assertEquals(0, word(durable, LINE + 8), "the store after the persist is not durable");
            assertTrue(r.hasUnpersisted(LINE + 8, 8));
            assertEquals(Set.of(11L), wordOutcomes(r, LINE, Granularity.WORD, 2, 200), "durable is durable");
            assertEquals(Set.of(0L, 22L), wordOutcomes(r, LINE + 8, Granularity.WORD, 3, 200));
            r.persist(LINE + 8, 8);
            r.barrier();
            assertFalse(r.hasUnpersisted(0, 4096));
            assertEquals(22, word(r.durableImage(), LINE + 8));
        }
    }

    @Test
    void aDirtyLineMayBeEvictedEarlyWithoutAnyPersist() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            store(r, 3 * LINE, 5);
            assertEquals(Set.of(0L, 5L), wordOutcomes(r, 3 * LINE, Granularity.LINE, 4, 100));
            assertEquals(1, r.unpersistedLineCount());
            assertArrayEquals(new long[] {3 * LINE}, r.unpersistedLineOffsets());
            r.barrier();
            assertEquals(Set.of(0L, 5L), wordOutcomes(r, 3 * LINE, Granularity.LINE, 5, 100),
                "a barrier without a persist makes nothing durable");
        }
    }

    @Test
    void everyVersionSeenAtAnEventStaysPossibleUntilItIsRetired() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            store(r, LINE, 1);
            r.observe();
            store(r, LINE, 2);
            r.persist(2 * LINE, 8);                          // any event samples every line
            store(r, LINE, 3);
            store(r, LINE, 4);                               // 3 existed between events only: unknown
            assertEquals(3, r.knownVersionCount(LINE), "1, 2 and 4");
            assertEquals(Set.of(0L, 1L, 2L, 4L), wordOutcomes(r, LINE, Granularity.LINE, 6, 400));

            r.persist(LINE, 8);                              // snapshot 4
            store(r, LINE, 5);
            r.barrier();                                     // 4 durable; 5 was seen after the snapshot
            assertEquals(4, word(r.durableImage(), LINE));
            assertEquals(Set.of(4L, 5L), wordOutcomes(r, LINE, Granularity.LINE, 7, 200),
                "versions before the snapshot are retired, later ones stay possible");
            store(r, LINE, 4);                               // back to the durable value
            assertEquals(2, r.knownVersionCount(LINE), "5 and 4: not clean");
            assertEquals(Set.of(4L, 5L), wordOutcomes(r, LINE, Granularity.LINE, 8, 200));
        }
    }

    @Test
    void wordGranularityMixesWordsOfDifferentVersionsButNeverTearsAWord() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            for (int w = 0; w < 8; w++) {
                store(r, w * 8, 0x1111_1111_1111_1111L);
            }
            r.observe();
            for (int w = 0; w < 8; w++) {
                store(r, w * 8, 0x2222_2222_2222_2222L);
            }
            final SplittableRandom rnd = new SplittableRandom(9);
            final Set<Long> allowed = Set.of(0L, 0x1111_1111_1111_1111L, 0x2222_2222_2222_2222L);
            boolean mixedThree = false;
            boolean wholeLineFromOneVersion = true;
            for (int i = 0; i < 300; i++) {
                final byte[] word = r.crashImage(rnd, Granularity.WORD);
                final byte[] line = r.crashImage(rnd, Granularity.LINE);
                final Set<Long> inWordImage = new HashSet<>();
                final Set<Long> inLineImage = new HashSet<>();
                for (int w = 0; w < 8; w++) {
                    assertTrue(allowed.contains(word(word, w * 8)), "torn word " + Long.toHexString(word(word, w * 8)));
                    inWordImage.add(word(word, w * 8));
                    inLineImage.add(word(line, w * 8));
                }
                mixedThree |= inWordImage.size() == 3;
                wholeLineFromOneVersion &= inLineImage.size() == 1;
            }
            assertTrue(mixedThree, "word granularity never mixed durable, first and second version in one line");
            assertTrue(wholeLineFromOneVersion, "line granularity mixed versions");
        }
    }

    @Test
    void hooksRunBeforeTheirEventTakesEffectAndNeverRecurse() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.AT_PERSIST)) {
            final List<String> log = new ArrayList<>();
            r.onPersist(() -> {
                log.add("persist durable=" + word(r.durableImage(), 0));
                r.persist(LINE, 8);                          // nested calls apply but run no hook
                r.barrier();
            });
            r.onBarrier(() -> log.add("barrier"));
            store(r, 0, 9);
            r.persist(0, 8);
            r.persist(0, 0);                                 // empty: no event
            r.barrier();
            assertEquals(List.of("persist durable=0", "barrier"), log);
            assertEquals(9, word(r.durableImage(), 0), "and then the persist took effect");
            assertEquals(3, r.persistCalls());
            assertEquals(2, r.barrierCalls());
            r.onPersist(null);
            r.onBarrier(null);
            r.persist(0, 8);
            r.barrier();
            assertEquals(2, log.size());
        }
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            final List<Set<Long>> atBarrier = new ArrayList<>();
            r.onBarrier(() -> atBarrier.add(wordOutcomes(r, 0, Granularity.LINE, 10, 100)));
            store(r, 0, 9);
            r.persist(0, 8);
            r.barrier();
            assertEquals(List.of(Set.of(0L, 9L)), atBarrier, "during the barrier the snapshot may be lost");
            assertEquals(9, word(r.durableImage(), 0));
        }
    }

    @Test
    void crashPointsTakeImagesAtEveryPersistBarrierAndExplicitPoint() {
        try (SimulatedPmRegion r = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            final List<CrashPoints.Point> points = new ArrayList<>();
            final byte[][] buffers = new byte[1][];
            try (CrashPoints crashes = CrashPoints.attach(r, new SplittableRandom(1), Granularity.WORD, 2,
                (image, point) -> {
                    points.add(point);
                    buffers[0] = image;
                })) {
                store(r, 0, 1);
                r.persist(0, 8);
                crashes.crashHere();
                r.barrier();
                assertEquals(3, crashes.points());
                assertEquals(6, crashes.images());
            }
            r.persist(0, 8);
            assertEquals(List.of(new CrashPoints.Point(CrashPoints.Kind.PERSIST, 0, 0),
                new CrashPoints.Point(CrashPoints.Kind.PERSIST, 0, 1),
                new CrashPoints.Point(CrashPoints.Kind.EXPLICIT, 1, 0),
                new CrashPoints.Point(CrashPoints.Kind.EXPLICIT, 1, 1),
                new CrashPoints.Point(CrashPoints.Kind.BARRIER, 2, 0),
                new CrashPoints.Point(CrashPoints.Kind.BARRIER, 2, 1)), points, "closing detached the hooks");
            assertEquals(4096, buffers[0].length);
        }
    }

    @Test
    void resetToRestartsInPlaceAndImagesReuseTheCallersBuffer() {
        final byte[] start = new byte[8192];
        new SplittableRandom(12).nextBytes(start);
        try (SimulatedPmRegion r = SimulatedPmRegion.fromImage(start, Model.HARDWARE)) {
            assertEquals(Model.HARDWARE, r.model());
            assertEquals(SimulatedPmRegion.Durability.AT_BARRIER, r.durability());
            assertEquals(0, r.unpersistedLineCount());
            store(r, 0, 1);
            r.persist(0, 8);
            store(r, 4096, 2);
            r.observe();
            assertEquals(2, r.unpersistedLineCount());
            final byte[] buffer = new byte[8192];
            final byte[] image = r.crashImage(buffer, new SplittableRandom(1), Granularity.WORD);
            assertSame(buffer, image);
            final byte[] other = start.clone();
            other[100] ^= 1;
            r.resetTo(other);
            assertEquals(0, r.unpersistedLineCount(), "reset: every line clean, nothing pending");
            assertArrayEquals(other, r.durableImage());
            assertArrayEquals(other, r.workingImage());
            r.barrier();                                     // the pending snapshot was dropped by the reset
            assertArrayEquals(other, r.durableImage());
            assertArrayEquals(other, r.crashImage(buffer, new SplittableRandom(2), Granularity.WORD));
            assertThrows(IllegalArgumentException.class, () -> r.resetTo(new byte[64]));
            assertThrows(IllegalArgumentException.class,
                () -> r.crashImage(new byte[64], new SplittableRandom(1), Granularity.LINE));
        }
    }

    @Test
    void imagesAreReproducibleFromTheSeed() {
        final byte[][] images = new byte[2][];
        for (int run = 0; run < 2; run++) {
            try (SimulatedPmRegion r = SimulatedPmRegion.create(1 << 16, Model.HARDWARE)) {
                final SplittableRandom work = new SplittableRandom(77);
                for (int i = 0; i < 500; i++) {
                    store(r, work.nextInt(1 << 13) * 8, work.nextLong());
                    if (i % 7 == 0) {
                        r.persist(work.nextInt(1 << 16), 1);
                    }
                    if (i % 13 == 0) {
                        r.barrier();
                    }
                }
                images[run] = r.crashImage(new SplittableRandom(5), Granularity.WORD);
            }
        }
        assertArrayEquals(images[0], images[1]);
    }

    // ------------------------------------------------------------------------------------------
    // Randomized comparison with a naive reference: per line a list of byte[] versions.
    // ------------------------------------------------------------------------------------------

    /** The hardware model written the obvious way, one line at a time. */
    private static final class Reference {
        final byte[][] durable;
        final List<List<byte[]>> versions = new ArrayList<>();
        final int[] pending;

        Reference(final int lines) {
            durable = new byte[lines][LINE];
            pending = new int[lines];
            Arrays.fill(pending, -1);
            for (int i = 0; i < lines; i++) {
                versions.add(new ArrayList<>());
            }
        }

        void observe(final SimulatedPmRegion r) {
            final byte[] working = r.workingImage();
            for (int line = 0; line < durable.length; line++) {
                final List<byte[]> v = versions.get(line);
                final byte[] lastSeen = v.isEmpty() ? durable[line] : v.get(v.size() - 1);
                final byte[] now = Arrays.copyOfRange(working, line * LINE, line * LINE + LINE);
                if (!Arrays.equals(lastSeen, now)) {
                    v.add(now);
                }
            }
        }

        void persist(final int first, final int last) {
            for (int line = first; line <= last; line++) {
                if (!versions.get(line).isEmpty()) {
                    pending[line] = versions.get(line).size() - 1;
                }
            }
        }

        void barrier() {
            for (int line = 0; line < durable.length; line++) {
                if (pending[line] >= 0) {
                    final List<byte[]> v = versions.get(line);
                    durable[line] = v.get(pending[line]);
                    v.subList(0, pending[line] + 1).clear();
                    pending[line] = -1;
                }
            }
        }
    }

    @Test
    void randomWorkloadsMatchTheNaiveReferenceModel() {
        final int size = 16 * 1024;
        final int lines = size / LINE;
        final SplittableRandom rnd = new SplittableRandom(20261124L);
        final SplittableRandom crashRnd = new SplittableRandom(4242L);
        final byte[] image = new byte[size];
        long intermediatePicks = 0;
        long durablePicks = 0;
        long images = 0;
        try (SimulatedPmRegion r = SimulatedPmRegion.create(size, Model.HARDWARE)) {
            Reference ref = new Reference(lines);
            for (int op = 0; op < 3000; op++) {
                final int kind = rnd.nextInt(100);
                if (kind < 50) {
                    // Stores go mostly to a few hot lines, so they collect several versions.
                    final int line = rnd.nextInt(4) == 0 ? rnd.nextInt(lines) : rnd.nextInt(8);
                    store(r, line * LINE + rnd.nextInt(8) * 8, rnd.nextInt(3) == 0 ? 0 : rnd.nextLong());
                } else if (kind < 70) {
                    final int offset = rnd.nextInt(size);
                    final int length = 1 + rnd.nextInt(Math.min(size - offset, 300));
                    ref.observe(r);
                    ref.persist(offset / LINE, (offset + length - 1) / LINE);
                    r.persist(offset, length);
                } else if (kind < 85) {
                    ref.observe(r);
                    ref.barrier();
                    r.barrier();
                } else if (kind < 95) {
                    ref.observe(r);
                    r.observe();
                } else if (kind < 96) {
                    final byte[] restart = r.crashImage(image, crashRnd, Granularity.LINE).clone();
                    r.resetTo(restart);
                    ref = new Reference(lines);
                    for (int line = 0; line < lines; line++) {
                        ref.durable[line] = Arrays.copyOfRange(restart, line * LINE, line * LINE + LINE);
                    }
                } else {
                    ref.observe(r);
                    for (int k = 0; k < 4; k++, images++) {
                        final Granularity g = k % 2 == 0 ? Granularity.LINE : Granularity.WORD;
                        r.crashImage(image, crashRnd, g);
                        for (int line = 0; line < lines; line++) {
                            final List<byte[]> v = ref.versions.get(line);
                            assertEquals(v.size(), r.knownVersionCount(line * LINE), "versions of line " + line);
                            assertEquals(!v.isEmpty(), r.hasUnpersisted(line * LINE, LINE));
                            final byte[] latest = v.isEmpty() ? ref.durable[line] : v.get(v.size() - 1);
                            for (int w = 0; w < LINE; w += g == Granularity.WORD ? 8 : LINE) {
                                final int span = g == Granularity.WORD ? 8 : LINE;
                                final int at = line * LINE + w;
                                final boolean isDurable = Arrays.equals(image, at, at + span, ref.durable[line], w, w + span);
                                boolean isKnown = isDurable;
                                for (final byte[] version : v) {
                                    isKnown |= Arrays.equals(image, at, at + span, version, w, w + span);
                                }
                                assertTrue(isKnown, g + " image " + images + ": line " + line + " word " + w / 8
                                    + " is neither durable nor a known version");
                                if (!v.isEmpty()) {
                                    durablePicks += isDurable ? 1 : 0;
                                    intermediatePicks += !isDurable
                                        && !Arrays.equals(image, at, at + span, latest, w, w + span) ? 1 : 0;
                                }
                            }
                        }
                    }
                }
                final byte[] durable = r.durableImage();
                for (int line = 0; line < lines; line += 17) {
                    assertArrayEquals(ref.durable[line], Arrays.copyOfRange(durable, line * LINE, line * LINE + LINE),
                        "durable line " + line + " after op " + op);
                }
            }
        }
        assertTrue(images >= 400, "only " + images + " images");
        assertTrue(intermediatePicks > 0, "no image ever held an intermediate version");
        assertTrue(durablePicks > 0, "no image ever held the durable content of a dirty line");
    }
}
