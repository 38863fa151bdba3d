package io.pktstore.kv.store;

import io.pktstore.kv.testing.Segments;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.CrashPoints;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.arena.sim.SimulatedPmRegion.Granularity;
import io.pktstore.arena.sim.SimulatedPmRegion.Model;
import io.pktstore.kv.format.Engine;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;
import org.agrona.collections.Int2IntHashMap;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash consistency of the store under the strict simulator (hardware semantics: a persist snapshots
 * lines, the barrier makes them durable, any dirty line may be evicted early with any version it had
 * since its last durable point; word granularity, so multi-word stores may tear). A random workload of
 * puts (new keys, overwrites, multi-segment values), deletes and group commits runs; a crash image is
 * taken at every persist and every barrier, recovered on a second region under the same model, and
 * checked against the invariants of the reliability bar:
 * <ol>
 *   <li>every acknowledged write is present with its exact value;</li>
 *   <li>no torn value: each key reads as a committed value, checksums verify (recovery re-verified);</li>
 *   <li>no hole: the state is exactly the last acknowledged batch's, or the next batch's whole;</li>
 *   <li>allocator: live records are exactly the nodes and their value records, every live buffer's
 *       reference count is the number of live records on it, the rest is free;</li>
 *   <li>the index is well formed: invariants hold, the count matches;</li>
 *   <li>recovery is idempotent: a crash during recovery (images at its persists and barriers) and a
 *       second recovery give the same state;</li>
 *   <li>the store works after recovery: a put, overwrite and delete commit and read back.</li>
 * </ol>
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class StoreCrashTest
{
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(1024, 192, 2048, 64);
    private static final int OPERATIONS = 1700;

    /** The acknowledged state, and the state the batch in flight would make. */
    private TreeMap<String, byte[]> acknowledged = new TreeMap<>();
    private TreeMap<String, byte[]> inFlight = new TreeMap<>();
    /** True while a commit runs: only then may the batch in flight show, and only whole. */
    private boolean committing;
    private long images;
    private long recoveriesDuringRecovery;
    private final long scratch = UnsafeApi.allocateMemory(4096);

    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyCrashImageRecoversTheAcknowledgedStateOrTheNextBatchWhole(final Engine engine)
    {
        final SplittableRandom rnd = new SplittableRandom(0xC4A5_0000L + engine.id());
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), Model.HARDWARE);
             SimulatedPmRegion restarted = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), Model.HARDWARE);
             SimulatedPmRegion restartedAgain = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), Model.HARDWARE))
        {
            final Arena arena = Arena.format(region, GEOMETRY);
            final KvStore store = KvStore.create(arena, engine, config());
            final Segments segments = new Segments(arena, store.pool);
            segments.mss = 700;
            try (CrashPoints crashes = CrashPoints.attach(region, new SplittableRandom(rnd.nextLong()), Granularity.WORD, 1,
                (image, point) -> check(image, restarted, restartedAgain, engine, point.number())))
            {
                for (int op = 0; op < OPERATIONS; op++)
                {
                    final String key = "k" + rnd.nextInt(40);
                    if (rnd.nextInt(100) < 70)
                    {
                        final byte[] value = new byte[rnd.nextInt(100) < 85 ? rnd.nextInt(0, 120) : rnd.nextInt(700, 2000)];
                        rnd.nextBytes(value);
                        final Segments.Request r = new Segments.Request();
                        if (!segments.request(store, key.getBytes(), value, r))
                        {
                            fail("test arena too small at operation " + op);
                        }
                        store.put(r.key, r.valueHead, r.valueLength);
                        inFlight.put(key, value);
                    }
                    else
                    {
                        final byte[] k = key.getBytes();
                        UnsafeApi.copyMemory(k, UnsafeApi.arrayBaseOffset(byte[].class), null, scratch, k.length);
                        store.delete(scratch, k.length);
                        inFlight.remove(key);
                    }
                    crashes.crashHere();   // between operations: nothing of the batch may show
                    if (rnd.nextInt(3) == 0)
                    {
                        committing = true;
                        store.commit();
                        committing = false;
                        acknowledged = new TreeMap<>(inFlight);
                        crashes.crashHere();
                    }
                }
            }
        }
        System.out.printf("StoreCrashTest %s: %d crash images checked, %d of them also crashed during recovery%n",
            engine, images, recoveriesDuringRecovery);
        assertTrue(images >= 10_000, "at least 10,000 images per engine, got " + images);
    }

    private static KvStoreConfig config()
    {
        return KvStoreConfig.defaults().withReserves(0, 0, 0, 0);
    }

    private void check(final byte[] image, final SimulatedPmRegion restarted, final SimulatedPmRegion restartedAgain,
                       final Engine engine, final long point)
    {
        images++;
        restarted.resetTo(image);
        final KvStore recovered;
        if (point % 97 == 0)
        {
            // Invariant 6: crash during recovery, recover again (from each image of recovery's own persists).
            recoveriesDuringRecovery++;
            try (CrashPoints duringRecovery = CrashPoints.attach(restarted, new SplittableRandom(point), Granularity.WORD, 1,
                (inner, innerPoint) ->
                {
                    restartedAgain.resetTo(inner);
                    assertState(KvStore.open(Arena.open(restartedAgain), config(), engine), "recovery of a crash during recovery");
                }))
            {
                recovered = KvStore.open(Arena.open(restarted), config(), engine);
            }
        }
        else
        {
            recovered = KvStore.open(Arena.open(restarted), config(), engine);
        }
        final TreeMap<String, byte[]> state = assertState(recovered, "crash point " + point);
        // Idempotent: recovering what this recovery left gives the same state.
        restartedAgain.resetTo(restarted.workingImage());
        final KvStore again = KvStore.open(Arena.open(restartedAgain), config(), engine);
        assertEquals(state.keySet(), snapshot(again).keySet(), "second recovery");
        // Invariant 7: the store works after recovery.
        worksAfterRecovery(recovered, state);
    }

    /** Asserts invariants 1-5 and returns the recovered state. */
    private TreeMap<String, byte[]> assertState(final KvStore store, final String where)
    {
        assertNull(store.checkInvariants(), where);
        assertTrue(store.recoveryReport().isClean() || store.recoveryReport().problems().isEmpty(),
            () -> where + ": recovery found damage in a crash image: " + store.recoveryReport().problems());
        assertEquals(0, store.damagedCount(), where);
        final TreeMap<String, byte[]> state = snapshot(store);
        if (!equal(state, acknowledged) && !(committing && equal(state, inFlight)))
        {
            fail(where + ": recovered " + state.keySet() + " is not the acknowledged " + acknowledged.keySet()
                + (committing ? " nor the batch being committed " + inFlight.keySet() : " (no commit was running)"));
        }
        assertAllocator(store, where);
        return state;
    }

    private TreeMap<String, byte[]> snapshot(final KvStore store)
    {
        final TreeMap<String, byte[]> state = new TreeMap<>();
        final int[] out = new int[64];
        final int n = store.scan(0, 0, true, 0, -1, out, out.length);
        assertEquals(store.count(), n);
        for (int i = 0; i < n; i++)
        {
            state.put(new String(StoreContractTest.keyOf(store, out[i])), Segments.value(store, out[i]));
        }
        return state;
    }

    private static boolean equal(final TreeMap<String, byte[]> a, final TreeMap<String, byte[]> b)
    {
        if (!a.keySet().equals(b.keySet()))
        {
            return false;
        }
        for (final Map.Entry<String, byte[]> e : a.entrySet())
        {
            if (!Arrays.equals(e.getValue(), b.get(e.getKey())))
            {
                return false;
            }
        }
        return true;
    }

    /** Invariant 4: live records are exactly nodes and value records; buffer refcounts count them. */
    private static void assertAllocator(final KvStore store, final String where)
    {
        final Arena arena = store.arena();
        final boolean[] expectedRecord = new boolean[GEOMETRY.recordCount()];
        final Int2IntHashMap references = new Int2IntHashMap(0);
        final int[] out = new int[64];
        final int n = store.scan(0, 0, true, 0, -1, out, out.length);
        final PacketRecord view = new PacketRecord();
        for (int i = 0; i < n; i++)
        {
            for (int r = out[i]; r != PacketRecord.NO_RECORD; r = store.nodes().next(r))
            {
                assertTrue(!expectedRecord[r], where + ": record " + r + " reachable twice");
                expectedRecord[r] = true;
                final int buffer = view.wrap(arena, r).bufferIndex();
                references.put(buffer, references.get(buffer) + 1);
            }
        }
        for (int r = 0; r < GEOMETRY.recordCount(); r++)
        {
            assertEquals(expectedRecord[r], arena.isRecordAllocated(r), where + ": record " + r + " allocation");
        }
        for (int b = 0; b < GEOMETRY.bufferCount(); b++)
        {
            assertEquals(references.get(b), arena.bufferRefCount(b), where + ": buffer " + b + " reference count");
        }
    }

    private void worksAfterRecovery(final KvStore store, final TreeMap<String, byte[]> state)
    {
        final Segments segments = new Segments(store.arena(), store.pool);
        final byte[] value = "after".getBytes();
        assertEquals(state.containsKey("k1") ? StoreStatus.REPLACED : StoreStatus.INSERTED,
            StoreContractTest.put(store, segments, "k1".getBytes(), value));
        final byte[] k = "k2".getBytes();
        UnsafeApi.copyMemory(k, UnsafeApi.arrayBaseOffset(byte[].class), null, scratch, k.length);
        assertEquals(state.containsKey("k2") ? StoreStatus.DELETED : StoreStatus.NOT_FOUND, store.delete(scratch, k.length));
        store.commit();
        final byte[] k1 = "k1".getBytes();
        UnsafeApi.copyMemory(k1, UnsafeApi.arrayBaseOffset(byte[].class), null, scratch, k1.length);
        assertArrayEquals(value, Segments.value(store, store.get(scratch, k1.length)));
        assertNull(store.checkInvariants());
    }
}
