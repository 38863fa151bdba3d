package io.pktstore.arena.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.Recovery;
import io.pktstore.arena.sim.SimulatedPmRegion.Granularity;
import io.pktstore.arena.sim.SimulatedPmRegion.Model;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real arena under the strict model, the way the store will be crash-tested: a persistent
 * stack of records committed with the arena's protocol (write, persist, barrier, one 8-byte root
 * store, persist, barrier), crash images at every persist and barrier at word granularity,
 * recovery of each image on one reused {@link Model#HARDWARE} region, and, for some images, crash
 * images taken during that recovery (Arena.open writes the shutdown state) recovered once more.
 * Every recovered stack must be the acknowledged one, or the one whose root store was in flight.
 *
 * <pre>
 *   record: 0 sequence number | 8 next (record + 1, 0 = end) | 16 check = f(sequence, next)
 * </pre>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ArenaUnderHardwareModelTest {
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(64, 8, 256, 0);
    private static final long SIZE = (GEOMETRY.requiredBytes() + 63) / 64 * 64;

    private static long check(final long seq, final long next) {
        return (seq * 0x9E3779B97F4A7C15L) ^ next;
    }

    /** A stack entry: record index and sequence number. */
    private record Entry(int record, long seq) {
    }

    @Test
    void everyCrashImageAndEveryImageTakenDuringRecoveryRecoversAnAcknowledgedStack() {
        final List<Entry> acked = new ArrayList<>();    // head first
        final List<List<Entry>> inFlight = new ArrayList<>(List.of(List.of()));
        final long[] nestedImages = {0};
        final SplittableRandom rnd = new SplittableRandom(0xA11CEL);
        try (SimulatedPmRegion region = SimulatedPmRegion.create(SIZE, Model.HARDWARE);
             SimulatedPmRegion restarted = SimulatedPmRegion.create(SIZE, Model.HARDWARE);
             SimulatedPmRegion restartedTwice = SimulatedPmRegion.create(SIZE, Model.HARDWARE)) {
            final Arena arena = Arena.format(region, GEOMETRY);
            final List<List<Entry>> outerStack = new ArrayList<>(List.of(List.of()));
            final CrashPoints.Check recoverTwice = (image, point) -> {
                assertEquals(outerStack.get(0), recoverAndWalk(restartedTwice, image),
                    "a crash during recovery at " + point + " lost what the crashed image held");
                nestedImages[0]++;
            };
            final CrashPoints crashes = CrashPoints.attach(region, new SplittableRandom(7), Granularity.WORD, 2,
                (image, point) -> {
                    final List<Entry> found = recoverAndWalk(restarted, image);
                    assertTrue(found.equals(acked) || found.equals(inFlight.get(0)),
                        "at " + point + " recovered " + found + ", acknowledged " + acked);
                    if (point.number() % 8 == 0) {
                        // Recover the same image again, taking crash images during that recovery.
                        outerStack.set(0, found);
                        try (CrashPoints during = CrashPoints.attach(restarted, new SplittableRandom(point.number()),
                            Granularity.WORD, 2, recoverTwice)) {
                            assertEquals(found, recoverAndWalk(restarted, image));
                        }
                    }
                });
            long seq = 0;
            for (int op = 0; op < 300; op++) {
                if (acked.isEmpty() || rnd.nextInt(100) < 60) {
                    final int r = arena.allocateRecord();
                    if (r == Arena.NONE) {
                        continue;
                    }
                    final long rec = arena.recordAddress(r);
                    final long next = acked.isEmpty() ? 0 : acked.get(0).record() + 1L;
                    UnsafeApi.putLong(rec, ++seq);
                    UnsafeApi.putLong(rec + 8, next);
                    UnsafeApi.putLong(rec + 16, check(seq, next));
                    arena.persistRecord(r);
                    arena.barrier();
                    final List<Entry> after = new ArrayList<>(acked);
                    after.add(0, new Entry(r, seq));
                    inFlight.set(0, after);
                    arena.setRoot(0, r + 1L);
                    acked.add(0, new Entry(r, seq));
                } else {
                    final Entry head = acked.get(0);
                    inFlight.set(0, new ArrayList<>(acked.subList(1, acked.size())));
                    arena.setRoot(0, acked.size() > 1 ? acked.get(1).record() + 1L : 0);
                    acked.remove(0);
                    arena.freeRecord(head.record());
                }
                inFlight.set(0, List.of());
                assertFalse(region.hasUnpersisted(0, SIZE), "a commit left something a crash could lose");
            }
            crashes.close();
            assertTrue(crashes.images() >= 1500, "only " + crashes.images() + " images");
            assertTrue(nestedImages[0] >= 200, "only " + nestedImages[0] + " images during recovery");
        }
    }

    /**
     * Restarts {@code region} from {@code image}, opens and recovers the arena in it and returns
     * the stack from root 0 (validated record by record).
     */
    private static List<Entry> recoverAndWalk(final SimulatedPmRegion region, final byte[] image) {
        region.resetTo(image);
        final Arena arena = Arena.open(region); // not closed: it would close the reused region
        assertFalse(arena.wasCleanShutdown());
        final List<Entry> found = new ArrayList<>();
        for (long link = arena.root(0); link != 0; ) {
            assertTrue(link >= 1 && link <= GEOMETRY.recordCount() && found.size() < GEOMETRY.recordCount(),
                "bad or cyclic link " + link);
            final int r = (int) (link - 1);
            final long rec = arena.recordAddress(r);
            final long seq = UnsafeApi.getLong(rec);
            final long next = UnsafeApi.getLong(rec + 8);
            assertEquals(check(seq, next), UnsafeApi.getLong(rec + 16), "record " + r + " is torn or unpersisted");
            found.add(new Entry(r, seq));
            link = next;
        }
        final Recovery recovery = arena.recover();
        found.forEach(e -> recovery.markRecord(e.record()));
        assertEquals(found.size(), recovery.finish().liveRecords());
        return found;
    }
}
