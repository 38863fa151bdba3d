package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import io.pktstore.arena.sim.SimulatedPmRegion;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The arena under the crash simulator, used the way the KV uses it: a persistent stack of records
 * (each pointing at a payload buffer, sometimes shared by a clone) linked from root 0, written in
 * the order write, persist, link, persist. Crash images are taken at random points, including in
 * the middle of an operation; recovery on a fresh instance must find exactly the acknowledged
 * list, rebuild free lists and refcounts that are disjoint from and complementary to what is
 * reachable, be idempotent (again on the same arena, and on an image taken after recovery), and
 * leave an arena that works normally. Crash images are also taken at the start of every barrier
 * (SimulatedPmRegion.onBarrier), where a commit's root may or may not be durable yet; with
 * Durability.AT_BARRIER this catches a missing barrier between "persist the record" and "link it"
 * (verified by deleting that barrier: the test fails).
 *
 * <pre>
 *  test record (64 B):  0 buffer index (i32) | 4 payload length (i32) | 8 next: record+1, 0 = end (i64)
 *                       16 payload CRC32 (i64) | 24 sequence number (i64) | 32..63 unused
 * </pre>
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ArenaCrashRecoveryTest {
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(128, 64, 256, 8);
    private static final int BUFFER_OFFSET = 0;
    private static final int LENGTH_OFFSET = 4;
    private static final int NEXT_OFFSET = 8;
    private static final int CRC_OFFSET = 16;
    private static final int SEQ_OFFSET = 24;
    private static final int HEAD_ROOT = 0;

    /** One acknowledged list element. */
    private record Entry(int record, int buffer, long seq) {
    }

    @ParameterizedTest
    @EnumSource(SimulatedPmRegion.Model.class)
    void crashImagesAtRandomPointsRecoverExactlyTheAcknowledgedList(final SimulatedPmRegion.Model durability) {
        final SplittableRandom rnd = new SplittableRandom(0xC0FFEEL);
        final SplittableRandom crashRnd = new SplittableRandom(0xBADL);
        final List<Entry> acked = new ArrayList<>(); // head first
        // While a commit's barrier runs, its root store may or may not be durable yet: a crash
        // image then holds either the acknowledged list or this one (null outside commits).
        final List<List<Entry>> inFlight = new ArrayList<>(1);
        inFlight.add(null);
        final int[] barrierImages = {0};
        int images = 0;
        long seq = 0;
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), durability);
             Arena arena = Arena.format(region, GEOMETRY)) {
            region.onBarrier(() -> {
                if (rnd.nextInt(4) == 0) {
                    final byte[] image = region.crashImage(crashRnd,
                        rnd.nextBoolean() ? SimulatedPmRegion.Granularity.LINE : SimulatedPmRegion.Granularity.WORD);
                    recoverAndCheck(image, acked, inFlight.get(0), crashRnd, false);
                    barrierImages[0]++;
                }
            });
            for (int op = 0; op < 4000; op++) {
                final boolean push = acked.isEmpty() || rnd.nextInt(100) < 55;
                if (push) {
                    final int r = arena.allocateRecord();
                    if (r == Arena.NONE) {
                        continue;
                    }
                    final boolean clone = !acked.isEmpty() && rnd.nextInt(5) == 0;
                    final int b = clone ? acked.get(0).buffer() : arena.allocateBuffer();
                    if (b == Arena.NONE) {
                        arena.freeRecord(r);
                        continue;
                    }
                    final long rec = arena.recordAddress(r);
                    int length;
                    if (clone) {
                        arena.retainBuffer(b);
                        length = UnsafeApi.getInt(arena.recordAddress(acked.get(0).record()) + LENGTH_OFFSET);
                    } else {
                        length = 1 + rnd.nextInt(arena.bufferSize());
                        final long buf = arena.bufferAddress(b);
                        for (int i = 0; i < length; i++) {
                            UnsafeApi.putByte(buf + i, (byte) rnd.nextInt());
                        }
                        images += maybeCrash(rnd, crashRnd, region, acked); // payload written, not persisted
                        arena.persistBuffer(b, 0, length);
                    }
                    UnsafeApi.putInt(rec + BUFFER_OFFSET, b);
                    UnsafeApi.putInt(rec + LENGTH_OFFSET, length);
                    UnsafeApi.putLong(rec + NEXT_OFFSET, acked.isEmpty() ? 0 : acked.get(0).record() + 1L);
                    UnsafeApi.putLong(rec + CRC_OFFSET, crc(arena.bufferAddress(b), length));
                    UnsafeApi.putLong(rec + SEQ_OFFSET, ++seq);
                    images += maybeCrash(rnd, crashRnd, region, acked); // record written, not persisted
                    arena.persistRecord(r);
                    arena.barrier();
                    images += maybeCrash(rnd, crashRnd, region, acked); // persisted, not linked
                    final List<Entry> after = new ArrayList<>(acked);
                    after.add(0, new Entry(r, b, seq));
                    inFlight.set(0, after);
                    arena.setRoot(HEAD_ROOT, r + 1L);                  // commit point
                    inFlight.set(0, null);
                    acked.add(0, new Entry(r, b, seq));
                } else {
                    final Entry head = acked.get(0);
                    final long next = UnsafeApi.getLong(arena.recordAddress(head.record()) + NEXT_OFFSET);
                    inFlight.set(0, new ArrayList<>(acked.subList(1, acked.size())));
                    arena.setRoot(HEAD_ROOT, next);                     // commit point
                    inFlight.set(0, null);
                    acked.remove(0);
                    arena.freeRecord(head.record());
                    arena.releaseBuffer(head.buffer());
                }
                assertFalse(region.hasUnpersisted(0, region.size()), "a commit left unpersisted lines");
                images += maybeCrash(rnd, crashRnd, region, acked);
            }
            region.onBarrier(null); // close's barriers may legitimately leave a clean-looking image
        }
        assertTrue(images >= 2500, "only " + images + " crash images checked");
        assertTrue(barrierImages[0] >= 800, "only " + barrierImages[0] + " crash images inside barriers");
    }

    private static int maybeCrash(final SplittableRandom rnd, final SplittableRandom crashRnd,
                                  final SimulatedPmRegion region, final List<Entry> acked) {
        if (rnd.nextInt(3) != 0) {
            return 0;
        }
        final SimulatedPmRegion.Granularity g = rnd.nextBoolean()
            ? SimulatedPmRegion.Granularity.LINE : SimulatedPmRegion.Granularity.WORD;
        final byte[] image = region.crashImage(crashRnd, g);
        recoverAndCheck(image, acked, null, crashRnd, rnd.nextInt(4) == 0);
        return 1;
    }

    /** Recovers {@code image} on a fresh region and checks it against the acknowledged list. */
    private static void recoverAndCheck(final byte[] image, final List<Entry> acked, final List<Entry> inFlight,
                                        final SplittableRandom crashRnd, final boolean deepChecks) {
        try (SimulatedPmRegion region = SimulatedPmRegion.fromImage(image, SimulatedPmRegion.Model.HARDWARE);
             Arena arena = Arena.open(region)) {
            assertFalse(arena.wasCleanShutdown(), "a crash image must not look cleanly shut down");
            final List<Entry> found = walk(arena);
            if (!found.equals(acked)) {
                assertEquals(inFlight, found, "recovered list is neither the acknowledged one nor the one being committed");
            }
            final RecoveryReport first = markAndFinish(arena, found);
            checkAllocatorAgainst(arena, found, first);

            // Idempotent: a second recovery of the same arena gives the same state.
            final RecoveryReport second = markAndFinish(arena, walk(arena));
            assertEquals(first, second);
            if (!deepChecks) {
                return;
            }
            // A crash after (or during) recovery: recovery wrote nothing but the in-use flag, so a
            // crash image now recovers to the same list and report.
            final byte[] again = region.crashImage(crashRnd);
            try (SimulatedPmRegion r2 = SimulatedPmRegion.fromImage(again); Arena a2 = Arena.open(r2)) {
                final List<Entry> found2 = walk(a2);
                assertEquals(found, found2);
                assertEquals(first, markAndFinish(a2, found2));
            }
            // Works normally after recovery: allocate everything that is free, without collision.
            final Set<Integer> reachable = new HashSet<>();
            found.forEach(e -> reachable.add(e.record()));
            int allocated = 0;
            for (int r = arena.allocateRecord(); r != Arena.NONE; r = arena.allocateRecord()) {
                assertFalse(reachable.contains(r), "recovery handed out reachable record " + r);
                allocated++;
            }
            assertEquals(first.reclaimedRecords(), allocated);
        }
    }

    private static RecoveryReport markAndFinish(final Arena arena, final List<Entry> found) {
        final Recovery recovery = arena.recover();
        for (final Entry e : found) {
            recovery.markRecord(e.record());
            recovery.markBuffer(e.buffer());
        }
        return recovery.finish();
    }

    private static void checkAllocatorAgainst(final Arena arena, final List<Entry> found, final RecoveryReport report) {
        final Map<Integer, Integer> refs = new HashMap<>();
        final Set<Integer> records = new HashSet<>();
        for (final Entry e : found) {
            records.add(e.record());
            refs.merge(e.buffer(), 1, Integer::sum);
        }
        assertEquals(records.size(), report.liveRecords());
        assertEquals(refs.size(), report.liveBuffers());
        assertEquals(found.size(), report.bufferReferences());
        assertEquals(GEOMETRY.recordCount() - records.size(), report.reclaimedRecords());
        assertEquals(GEOMETRY.bufferCount() - refs.size(), report.reclaimedBuffers());
        assertEquals(GEOMETRY.overflowBlockCount(), report.reclaimedOverflow());
        assertEquals(0, report.duplicateMarks());
        assertEquals(report.reclaimedRecords(), arena.freeRecordCount());
        for (int r = 0; r < GEOMETRY.recordCount(); r++) {
            assertEquals(records.contains(r), arena.isRecordAllocated(r), "record " + r);
        }
        for (int b = 0; b < GEOMETRY.bufferCount(); b++) {
            assertEquals(refs.getOrDefault(b, 0).intValue(), arena.bufferRefCount(b), "refcount of buffer " + b);
            assertEquals(refs.containsKey(b), arena.isBufferAllocated(b));
        }
    }

    /** Walks the list from the head root, validating every field before use. */
    private static List<Entry> walk(final Arena arena) {
        final List<Entry> found = new ArrayList<>();
        long link = arena.root(HEAD_ROOT);
        while (link != 0) {
            if (link < 1 || link > GEOMETRY.recordCount() || found.size() > GEOMETRY.recordCount()) {
                fail("bad or cyclic link " + link);
            }
            final int r = (int) (link - 1);
            final long rec = arena.recordAddress(r);
            final int b = UnsafeApi.getInt(rec + BUFFER_OFFSET);
            final int length = UnsafeApi.getInt(rec + LENGTH_OFFSET);
            if (b < 0 || b >= GEOMETRY.bufferCount() || length < 1 || length > GEOMETRY.bufferSize()) {
                fail("record " + r + " has impossible buffer " + b + " / length " + length);
            }
            assertEquals(UnsafeApi.getLong(rec + CRC_OFFSET), crc(arena.bufferAddress(b), length),
                "payload of record " + r + " does not match its checksum (torn or unpersisted payload)");
            found.add(new Entry(r, b, UnsafeApi.getLong(rec + SEQ_OFFSET)));
            link = UnsafeApi.getLong(rec + NEXT_OFFSET);
        }
        return found;
    }

    private static long crc(final long address, final int length) {
        final CRC32 crc = new CRC32();
        for (int i = 0; i < length; i++) {
            crc.update(UnsafeApi.getByte(address + i));
        }
        return crc.getValue();
    }

    @Test
    void recoveryRefusesUseBeforeFinishAndAfterFinish() {
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes())) {
            Arena.format(region, GEOMETRY).close();
            final byte[] image = region.durableImage();
            try (SimulatedPmRegion r2 = SimulatedPmRegion.fromImage(image); Arena arena = Arena.open(r2)) {
                assertTrue(arena.wasCleanShutdown());
                assertFalse(arena.isReady());
                final Recovery recovery = arena.recover();
                recovery.markRecord(5);
                recovery.markRecord(5);
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, arena::allocateBuffer);
                org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                    () -> recovery.markBuffer(GEOMETRY.bufferCount()));
                final RecoveryReport report = recovery.finish();
                assertEquals(1, report.duplicateMarks());
                assertEquals(1, report.liveRecords());
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, recovery::finish);
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> recovery.markRecord(1));
                assertEquals(0, arena.allocateRecord());

                // A superseded recovery can neither mark nor finish: only the latest one counts.
                final Recovery stale = arena.recover();
                final Recovery current = arena.recover();
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> stale.markRecord(7));
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, stale::finish);
                current.markRecord(9);
                assertEquals(1, current.finish().liveRecords());
                assertTrue(arena.isRecordAllocated(9));
                assertFalse(arena.isRecordAllocated(5), "the first recovery's marks are gone");
            }
        }
    }
}
