package io.pktstore.kv.store;

import io.pktstore.kv.testing.Segments;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store's contract, run against both engines (subclasses pick one): model-based random operations
 * against a sorted map, scans with bounds, limits and resumption, binary keys, empty and 8 MiB values,
 * overwrite and delete, keys split across segments, recovery after a clean close and after a crash
 * (the durable image only).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
abstract class StoreContractTest
{
    /** A byte[] key ordered bytewise unsigned, shorter first on a common prefix (the store's order). */
    record Key(byte[] bytes) implements Comparable<Key>
    {
        @Override
        public int compareTo(final Key o)
        {
            return Arrays.compareUnsigned(bytes, o.bytes);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString()
        {
            return Arrays.toString(bytes);
        }
    }

    final List<AutoCloseable> closeables = new ArrayList<>();
    final long keyScratch = UnsafeApi.allocateMemory(4096);
    final long boundScratch = UnsafeApi.allocateMemory(4096);

    abstract Engine engine();

    /** @return the store's settings (the zero-copy store unless a subclass tests another mode). */
    KvStoreConfig config()
    {
        return KvStoreConfig.defaults().withReserves(0, 0, 0, 0);
    }

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    /** A fresh store in a simulated region of {@code buffers} 2 KiB buffers. */
    KvStore newStore(final int buffers)
    {
        final ArenaGeometry geometry = ArenaGeometry.of(buffers * 8, buffers, 2048, buffers / 4 + 16);
        final SimulatedPmRegion region = SimulatedPmRegion.create(geometry.requiredBytes());
        closeables.add(region);
        final Arena arena = Arena.format(region, geometry);
        closeables.add(arena);
        return KvStore.create(arena, engine(), config());
    }

    /** Recovers the durable image of {@code store}'s region into a new store (a crash now). */
    KvStore crashAndRecover(final KvStore store)
    {
        final SimulatedPmRegion region = SimulatedPmRegion.fromImage(((SimulatedPmRegion)store.arena().region()).durableImage());
        closeables.add(region);
        final Arena arena = Arena.open(region);
        closeables.add(arena);
        return KvStore.open(arena, config(), engine());
    }

    int lookup(final KvStore store, final byte[] key)
    {
        UnsafeApi.copyMemory(key, UnsafeApi.arrayBaseOffset(byte[].class), null, keyScratch, key.length);
        return store.get(keyScratch, key.length);
    }

    int delete(final KvStore store, final byte[] key)
    {
        UnsafeApi.copyMemory(key, UnsafeApi.arrayBaseOffset(byte[].class), null, keyScratch, key.length);
        return store.delete(keyScratch, key.length);
    }

    static int put(final KvStore store, final Segments segments, final byte[] key, final byte[] value)
    {
        final Segments.Request r = new Segments.Request();
        assertTrue(segments.request(store, key, value, r), "test arena out of space");
        return store.put(r.key, r.valueHead, r.valueLength);
    }

    /** Asserts the store holds exactly the model, by lookups and by a full scan in pages. */
    void assertHolds(final KvStore store, final TreeMap<Key, byte[]> model)
    {
        assertNull(store.checkInvariants());
        assertEquals(model.size(), store.count());
        for (final Map.Entry<Key, byte[]> e : model.entrySet())
        {
            final int node = lookup(store, e.getKey().bytes());
            assertTrue(node >= 0, () -> "key " + e.getKey() + " missing: " + StoreStatus.name(node));
            assertArrayEquals(e.getValue(), Segments.value(store, node), () -> "value of " + e.getKey());
        }
        final List<Key> scanned = scanAll(store, 7);
        assertEquals(new ArrayList<>(model.keySet()), scanned);
    }

    /** Scans everything in pages of {@code page}, resuming after the last key (exclusive). */
    List<Key> scanAll(final KvStore store, final int page)
    {
        final List<Key> keys = new ArrayList<>();
        final int[] out = new int[page];
        int n = store.scan(0, 0, true, 0, -1, out, page);
        while (n > 0)
        {
            for (int i = 0; i < n; i++)
            {
                keys.add(new Key(keyOf(store, out[i])));
            }
            final byte[] last = keys.get(keys.size() - 1).bytes();
            UnsafeApi.copyMemory(last, UnsafeApi.arrayBaseOffset(byte[].class), null, boundScratch, last.length);
            n = store.scan(boundScratch, last.length, false, 0, -1, out, page);
        }
        return keys;
    }

    static byte[] keyOf(final KvStore store, final int node)
    {
        final byte[] key = new byte[store.nodes().keyLength(node)];
        UnsafeApi.copyMemory(null, store.nodes().keyAddress(node), key, UnsafeApi.arrayBaseOffset(byte[].class), key.length);
        return key;
    }

    static byte[] randomKey(final SplittableRandom rnd, final int space)
    {
        // A small key space so overwrites and deletes hit; binary bytes, some keys prefixes of others.
        final int id = rnd.nextInt(space);
        final int length = 1 + (id * 7919) % 24;
        final byte[] key = new byte[length];
        final SplittableRandom keyRnd = new SplittableRandom(id);
        keyRnd.nextBytes(key);
        if (id % 5 == 0)
        {
            key[0] = 0;
        }
        if (id % 7 == 0)
        {
            key[0] = (byte)0xFF;
        }
        return key;
    }

    static byte[] randomValue(final SplittableRandom rnd)
    {
        final int kind = rnd.nextInt(100);
        final int length = kind < 10 ? 0 : kind < 80 ? rnd.nextInt(1, 64) : kind < 97 ? rnd.nextInt(64, 4000) : rnd.nextInt(4000, 20000);
        final byte[] value = new byte[length];
        rnd.nextBytes(value);
        return value;
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void randomOperationsMatchASortedMapModel()
    {
        final SplittableRandom rnd = new SplittableRandom(0x5EED_0001L ^ engine().id());
        final KvStore store = newStore(16384);
        final Segments segments = new Segments(store.arena(), store.pool);
        final TreeMap<Key, byte[]> model = new TreeMap<>();
        final int operations = 100_000;
        for (int op = 0; op < operations; op++)
        {
            final int kind = rnd.nextInt(100);
            final byte[] key = randomKey(rnd, 3000);
            if (kind < 55)
            {
                final byte[] value = randomValue(rnd);
                final int status = put(store, segments, key, value);
                final byte[] old = model.put(new Key(key), value);
                assertEquals(old == null ? StoreStatus.INSERTED : StoreStatus.REPLACED, status, "put status");
            }
            else if (kind < 70)
            {
                final int status = delete(store, key);
                final byte[] old = model.remove(new Key(key));
                assertEquals(old == null ? StoreStatus.NOT_FOUND : StoreStatus.DELETED, status, "delete status");
            }
            else if (kind < 95)
            {
                final int node = lookup(store, key);
                final byte[] expected = model.get(new Key(key));
                if (expected == null)
                {
                    assertEquals(StoreStatus.NOT_FOUND, node);
                }
                else
                {
                    assertTrue(node >= 0, "present key not found");
                    assertArrayEquals(expected, Segments.value(store, node));
                }
            }
            else
            {
                checkRandomScan(store, model, rnd);
            }
            if (rnd.nextInt(8) == 0)
            {
                store.commit();
            }
            if (op % 20_000 == 19_999)
            {
                store.commit();
                assertHolds(store, model);
            }
        }
        store.commit();
        assertHolds(store, model);
        // Recovery from the durable image holds the same.
        final KvStore recovered = crashAndRecover(store);
        assertTrue(recovered.recoveryReport().isClean(), () -> recovered.recoveryReport().problems().toString());
        assertHolds(recovered, model);
        assertEquals(model.size(), recovered.recoveryReport().keys());
    }

    private void checkRandomScan(final KvStore store, final TreeMap<Key, byte[]> model, final SplittableRandom rnd)
    {
        final byte[] a = randomKey(rnd, 3000);
        final byte[] b = randomKey(rnd, 3000);
        final Key lo = new Key(a).compareTo(new Key(b)) <= 0 ? new Key(a) : new Key(b);
        final Key hi = lo.bytes() == a ? new Key(b) : new Key(a);
        final boolean inclusive = rnd.nextBoolean();
        final boolean bounded = rnd.nextBoolean();
        final int limit = 1 + rnd.nextInt(20);
        final List<Key> expected = new ArrayList<>((bounded ? model.subMap(lo, inclusive, hi, false) : model.tailMap(lo, inclusive))
            .keySet());
        UnsafeApi.copyMemory(lo.bytes(), UnsafeApi.arrayBaseOffset(byte[].class), null, keyScratch, lo.bytes().length);
        UnsafeApi.copyMemory(hi.bytes(), UnsafeApi.arrayBaseOffset(byte[].class), null, boundScratch, hi.bytes().length);
        final int[] out = new int[limit];
        final int n = store.scan(keyScratch, lo.bytes().length, inclusive, boundScratch, bounded ? hi.bytes().length : -1,
            out, limit);
        assertEquals(Math.min(limit, expected.size()), n, "scan count");
        for (int i = 0; i < n; i++)
        {
            assertEquals(expected.get(i), new Key(keyOf(store, out[i])), "scan position " + i);
        }
    }

    @Test
    void emptyAndEightMebibyteValuesAndSplitKeysRoundTripAndSurviveRecovery()
    {
        final KvStore store = newStore(18_000);
        final Segments segments = new Segments(store.arena(), store.pool);
        final byte[] big = new byte[8 << 20];
        new SplittableRandom(8).nextBytes(big);
        final byte[] big2 = big.clone();
        big2[big2.length - 1] ^= 1;
        assertEquals(StoreStatus.INSERTED, put(store, segments, "empty".getBytes(), new byte[0]));
        assertEquals(StoreStatus.INSERTED, put(store, segments, "big".getBytes(), big));
        store.commit();
        assertEquals(0, store.valueLength(lookup(store, "empty".getBytes())));
        assertEquals(PacketRecord.NO_RECORD, store.valueHead(lookup(store, "empty".getBytes())));
        assertArrayEquals(big, Segments.value(store, lookup(store, "big".getBytes())));
        // Overwrite the 8 MiB value: the old chain goes back to the arena after the commit.
        final int freeBefore = store.arena().freeBufferCount();
        assertEquals(StoreStatus.REPLACED, put(store, segments, "big".getBytes(), big2));
        store.commit();
        assertEquals(freeBefore, store.arena().freeBufferCount(), 2, "the old value's buffers were released");
        assertArrayEquals(big2, Segments.value(store, lookup(store, "big".getBytes())));

        // A key straddling two segments is copied (once, counted) and found like any other.
        final byte[] key = new byte[1024];
        new SplittableRandom(9).nextBytes(key);
        final Segments.Request r = new Segments.Request();
        assertTrue(segments.request(store, key, 1000, key.length, "v".getBytes(), 1, r));
        assertEquals(PacketRecord.CHECKSUM_STORE_COPY, new PacketRecord().wrap(store.arena(), r.key).checksumState());
        final long copiesBefore = store.stats().keyCopies;
        assertEquals(StoreStatus.INSERTED, store.put(r.key, r.valueHead, r.valueLength));
        store.commit();
        if (config().writeMode() == KvStoreConfig.WriteMode.ZERO_COPY)
        {
            assertEquals(1, store.stats().keyCopies, "the split key is the only copy");
        }
        else
        {
            assertEquals(copiesBefore + 1 + 1, store.stats().keyCopies, "the copying store copies the key and the value");
        }
        assertArrayEquals("v".getBytes(), Segments.value(store, lookup(store, key)));

        final KvStore recovered = crashAndRecover(store);
        assertTrue(recovered.recoveryReport().isClean(), () -> recovered.recoveryReport().problems().toString());
        assertEquals(3, recovered.count());
        assertArrayEquals(big2, Segments.value(recovered, lookup(recovered, "big".getBytes())));
        assertArrayEquals(new byte[0], Segments.value(recovered, lookup(recovered, "empty".getBytes())));
        assertArrayEquals("v".getBytes(), Segments.value(recovered, lookup(recovered, key)));
    }

    @Test
    void refusalsChangeNothingAndReleaseTheRequest()
    {
        final KvStore store = newStore(256);
        final Segments segments = new Segments(store.arena(), store.pool);
        final int freeRecords = store.arena().freeRecordCount();
        final int freeBuffers = store.arena().freeBufferCount();
        final byte[] tooLong = new byte[1025];
        final Segments.Request r = new Segments.Request();
        segments.mss = 1200;
        assertTrue(segments.request(store, tooLong, 0, 1025, "x".getBytes(), 1, r));
        assertEquals(StoreStatus.BAD_KEY, store.put(r.key, r.valueHead, r.valueLength));
        store.commit();
        assertEquals(0, store.count());
        assertEquals(freeBuffers, store.arena().freeBufferCount(), "the refused request's buffers came back");
        assertEquals(freeRecords, store.arena().freeRecordCount(), "and its records");
        assertEquals(StoreStatus.NOT_FOUND, delete(store, "nothing".getBytes()));
        assertEquals(StoreStatus.NOT_FOUND, lookup(store, new byte[0]));
    }

    @Test
    void aGetInTheSameBatchSeesThePutAndAReplacedValueSurvivesForItsHolder()
    {
        final KvStore store = newStore(256);
        final Segments segments = new Segments(store.arena(), store.pool);
        put(store, segments, "k".getBytes(), "one".getBytes());
        assertArrayEquals("one".getBytes(), Segments.value(store, lookup(store, "k".getBytes())), "before any commit");
        store.commit();
        // A reader holds clones of the value's records (as a GET reply being sent does).
        final int node = lookup(store, "k".getBytes());
        final int clone = store.pool.cloneRecord(store.valueHead(node));
        put(store, segments, "k".getBytes(), "two".getBytes());
        delete(store, "k".getBytes());
        store.commit();
        final PacketRecord view = new PacketRecord().wrap(store.arena(), clone);
        final byte[] held = new byte[view.dataLength()];
        UnsafeApi.copyMemory(null, view.dataAddress(store.arena()), held, UnsafeApi.arrayBaseOffset(byte[].class), held.length);
        assertArrayEquals("one".getBytes(), held, "the held clone still reads the old value");
        store.pool.release(clone);
        assertEquals(StoreStatus.NOT_FOUND, lookup(store, "k".getBytes()));
    }
}
