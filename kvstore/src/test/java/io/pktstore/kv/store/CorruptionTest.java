package io.pktstore.kv.store;

import io.pktstore.kv.testing.Segments;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage to the durable image, found at recovery: a flipped byte in a stored value, in a value
 * record's fields, in a key record's fields, in a link word, and a lost record mark. Each is detected
 * and reported; the damaged key answers {@link StoreStatus#DAMAGED} (never data), every other key reads
 * right, the index's invariants hold, nothing throws; and a second recovery of the repaired image
 * finds the same damage again and nothing new.
 */
class CorruptionTest
{
    private static final int KEYS = 300;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final long scratch = UnsafeApi.allocateMemory(4096);

    @AfterEach
    void close() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    /** A store of {@link #KEYS} keys, some with multi-segment values; returns the model. */
    private KvStore build(final Engine engine, final TreeMap<String, byte[]> model)
    {
        final ArenaGeometry geometry = ArenaGeometry.of(8192, 2048, 2048, 256);
        final SimulatedPmRegion region = SimulatedPmRegion.create(geometry.requiredBytes());
        closeables.add(region);
        final Arena arena = Arena.format(region, geometry);
        closeables.add(arena);
        final KvStore store = KvStore.create(arena, engine, KvStoreConfig.defaults().withReserves(0, 0, 0, 0));
        final Segments segments = new Segments(arena, store.pool);
        final SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < KEYS; i++)
        {
            final String key = String.format("key:%05d", i * 7);
            final byte[] value = new byte[i % 10 == 0 ? 3000 : 1 + rnd.nextInt(200)];
            rnd.nextBytes(value);
            model.put(key, value);
            StoreContractTest.put(store, segments, key.getBytes(StandardCharsets.US_ASCII), value);
            if (i % 16 == 0)
            {
                store.commit();
            }
        }
        store.commit();
        return store;
    }

    private int node(final KvStore store, final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        UnsafeApi.copyMemory(k, UnsafeApi.arrayBaseOffset(byte[].class), null, scratch, k.length);
        return store.get(scratch, k.length);
    }

    private KvStore recover(final byte[] image, final Engine engine)
    {
        final SimulatedPmRegion region = SimulatedPmRegion.fromImage(image);
        closeables.add(region);
        final Arena arena = Arena.open(region);
        closeables.add(arena);
        return KvStore.open(arena, KvStoreConfig.defaults().withReserves(0, 0, 0, 0), engine);
    }

    /** Asserts every key but {@code damaged} reads its value and the damaged ones answer DAMAGED. */
    private void assertServes(final KvStore store, final TreeMap<String, byte[]> model, final List<String> damaged)
    {
        assertNull(store.checkInvariants());
        for (final var e : model.entrySet())
        {
            final int n = node(store, e.getKey());
            if (damaged.contains(e.getKey()))
            {
                assertEquals(StoreStatus.DAMAGED, n, "damaged key " + e.getKey());
            }
            else
            {
                assertTrue(n >= 0, () -> e.getKey() + ": " + StoreStatus.name(n));
                assertArrayEquals(e.getValue(), Segments.value(store, n), e.getKey());
            }
        }
    }

    private static long offsetOf(final KvStore store, final long address)
    {
        return address - store.arena().region().address();
    }

    private static void flip(final byte[] image, final long offset, final int mask)
    {
        image[(int)offset] ^= (byte)mask;
    }

    private static String printable(final String key)
    {
        return '"' + key + '"';
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFlippedValueByteMakesThatKeyAnswerAnError(final Engine engine)
    {
        final TreeMap<String, byte[]> model = new TreeMap<>();
        final KvStore store = build(engine, model);
        final String victim = "key:00140";   // i = 20: a 3000-byte value over three segments
        final int valueRecord = store.nodes().next(store.valueHead(node(store, victim)));
        final byte[] image = ((SimulatedPmRegion)store.arena().region()).durableImage();
        flip(image, offsetOf(store, store.nodes().dataAddress(valueRecord)) + 17, 0x04);
        final KvStore recovered = recover(image, engine);
        final RecoveryReport report = recovered.recoveryReport();
        assertEquals(1, report.damagedKeys(), report.problems().toString());
        assertEquals(List.of(printable(victim)), report.damagedKeyNames());
        assertTrue(report.problems().stream().anyMatch(p -> p.contains("checksum does not verify")), report.problems().toString());
        assertEquals(KEYS, report.keys(), "the damaged key stays in the index");
        assertServes(recovered, model, List.of(victim));
        // Overwriting the damaged key heals it.
        StoreContractTest.put(recovered, new Segments(recovered.arena(), recovered.pool), victim.getBytes(), "new".getBytes());
        recovered.commit();
        model.put(victim, "new".getBytes());
        assertServes(recovered, model, List.of());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFlippedValueRecordFieldMakesThatKeyAnswerAnErrorAgainAfterEveryRestart(final Engine engine)
    {
        final TreeMap<String, byte[]> model = new TreeMap<>();
        final KvStore store = build(engine, model);
        final String victim = "key:00350";
        final int valueRecord = store.valueHead(node(store, victim));
        final byte[] image = ((SimulatedPmRegion)store.arena().region()).durableImage();
        flip(image, offsetOf(store, store.nodes().recordAddress(valueRecord)) + PacketRecord.TCP_SEQ_OFFSET, 0x01);
        final KvStore recovered = recover(image, engine);
        assertEquals(1, recovered.recoveryReport().damagedKeys(), recovered.recoveryReport().problems().toString());
        assertServes(recovered, model, List.of(victim));
        recovered.close();
        recovered.arena().close();
        final KvStore again = recover(((SimulatedPmRegion)recovered.arena().region()).durableImage(), engine);
        assertEquals(1, again.recoveryReport().damagedKeys(), "found again, nothing new");
        assertFalse(again.recoveryReport().indexRebuilt());
        assertServes(again, model, List.of(victim));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFlippedKeyRecordFieldQuarantinesTheNodeAndItsGapAnswersAnErrorAcrossRestarts(final Engine engine)
    {
        final TreeMap<String, byte[]> model = new TreeMap<>();
        final KvStore store = build(engine, model);
        final String victim = "key:00700";
        final int victimNode = node(store, victim);
        final byte[] image = ((SimulatedPmRegion)store.arena().region()).durableImage();
        flip(image, offsetOf(store, store.nodes().recordAddress(victimNode)) + PacketRecord.DATA_OFFSET_OFFSET, 0x02);
        final KvStore recovered = recover(image, engine);
        final RecoveryReport report = recovered.recoveryReport();
        assertEquals(1, report.quarantined());
        assertEquals(1, report.newlyQuarantined());
        assertTrue(report.indexRebuilt());
        assertEquals(KEYS - 1, report.keys());
        assertTrue(report.problems().stream().anyMatch(p -> p.contains("\"key:00693\"") && p.contains("\"key:00707\"")),
            report.problems().toString());
        model.remove(victim);
        assertServes(recovered, model, List.of());
        assertEquals(StoreStatus.DAMAGED, node(recovered, victim), "the lost key answers an error, not 'not found'");
        assertEquals(StoreStatus.DAMAGED, node(recovered, "key:00699"), "so does any key in its gap");
        assertEquals(StoreStatus.NOT_FOUND, node(recovered, "key:00708"), "outside the gap: not found");
        recovered.close();
        recovered.arena().close();
        final KvStore again = recover(((SimulatedPmRegion)recovered.arena().region()).durableImage(), engine);
        assertEquals(1, again.recoveryReport().quarantined());
        assertEquals(0, again.recoveryReport().newlyQuarantined());
        assertFalse(again.recoveryReport().indexRebuilt(), again.recoveryReport().problems().toString());
        assertEquals(StoreStatus.DAMAGED, node(again, victim));
        assertServes(again, model, List.of());
        // Writing the key again makes it a normal key.
        StoreContractTest.put(again, new Segments(again.arena(), again.pool), victim.getBytes(), "back".getBytes());
        again.commit();
        assertArrayEquals("back".getBytes(), Segments.value(again, node(again, victim)));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFlippedLinkWordIsRepairedFromTheRecordMarksAndEveryKeyReadsRight(final Engine engine) throws Exception
    {
        for (final int bit : new int[] {0x01, 0x10, 0x80})
        {
            final TreeMap<String, byte[]> model = new TreeMap<>();
            final KvStore store = build(engine, model);
            // A node in the middle that has a link in word 0 (skip-list next, red-black left child).
            int holder = PacketRecord.NO_RECORD;
            for (int i = 100; i < KEYS && holder == PacketRecord.NO_RECORD; i++)
            {
                final int n = node(store, String.format("key:%05d", i * 7));
                if ((UnsafeApi.getLong(store.nodes().recordAddress(n) + NodeLayout.WORD0) & NodeLayout.LINK_MASK) != 0)
                {
                    holder = n;
                }
            }
            final byte[] image = ((SimulatedPmRegion)store.arena().region()).durableImage();
            flip(image, offsetOf(store, store.nodes().recordAddress(holder)) + NodeLayout.WORD0, bit);
            final KvStore recovered = recover(image, engine);
            final RecoveryReport report = recovered.recoveryReport();
            assertTrue(report.indexRebuilt(), "bit " + bit + ": " + report.problems());
            assertEquals(KEYS, report.keys(), "bit " + bit + ": every key is back: " + report.problems());
            assertEquals(0, report.damagedKeys());
            assertServes(recovered, model, List.of());
            recovered.close();
            recovered.arena().close();
            final KvStore again = recover(((SimulatedPmRegion)recovered.arena().region()).durableImage(), engine);
            assertTrue(again.recoveryReport().isClean(), "the repair is durable: " + again.recoveryReport().problems());
            assertServes(again, model, List.of());
            close();
            closeables.clear();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aLostRecordMarkIsReportedAndRestored(final Engine engine)
    {
        final TreeMap<String, byte[]> model = new TreeMap<>();
        final KvStore store = build(engine, model);
        final int victim = node(store, "key:01050");
        final byte[] image = ((SimulatedPmRegion)store.arena().region()).durableImage();
        flip(image, store.arena().recordMarkWordOffset(victim) + ((victim & 63) >>> 3), 1 << (victim & 7));
        final KvStore recovered = recover(image, engine);
        assertTrue(recovered.recoveryReport().problems().stream().anyMatch(p -> p.contains("no record mark")),
            recovered.recoveryReport().problems().toString());
        assertServes(recovered, model, List.of());
        assertTrue(recovered.arena().isRecordMarked(node(recovered, "key:01050")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aStaleRecordMarkIsCleared(final Engine engine)
    {
        final TreeMap<String, byte[]> model = new TreeMap<>();
        final KvStore store = build(engine, model);
        // A free record never used as a node.
        int free = store.arena().geometry().recordCount() - 1;
        final byte[] image = ((SimulatedPmRegion)store.arena().region()).durableImage();
        flip(image, store.arena().recordMarkWordOffset(free) + ((free & 63) >>> 3), 1 << (free & 7));
        final KvStore recovered = recover(image, engine);
        assertEquals(1, recovered.recoveryReport().staleMarksCleared(), recovered.recoveryReport().problems().toString());
        assertFalse(recovered.arena().isRecordMarked(free));
        assertServes(recovered, model, List.of());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void scrubWhileServingFindsAFlippedValueByteAndAFlippedRecordField(final Engine engine)
    {
        final TreeMap<String, byte[]> model = new TreeMap<>();
        final KvStore store = build(engine, model);
        final Scrubber scrubber = new Scrubber(store);
        scrubber.runPass();
        assertEquals(KEYS, scrubber.passNodes());
        assertEquals(0, scrubber.damagedFound(), "an intact store scrubs clean");
        assertNull(scrubber.indexProblem());

        final String valueVictim = "key:00210";
        final String fieldVictim = "key:01400";
        final long valueByte = store.nodes().dataAddress(store.valueHead(node(store, valueVictim))) + 2;
        UnsafeApi.putByte(valueByte, (byte)(UnsafeApi.getByte(valueByte) ^ 0x40));
        final long field = store.nodes().recordAddress(store.valueHead(node(store, fieldVictim))) + PacketRecord.DATA_LENGTH_OFFSET;
        UnsafeApi.putByte(field, (byte)(UnsafeApi.getByte(field) ^ 0x01));
        // Incremental: small steps across "duty cycles", with writes in between that the walk must not trip on.
        scrubber.start();
        int steps = 0;
        final Segments segments = new Segments(store.arena(), store.pool);
        while (scrubber.running())
        {
            scrubber.step(16);
            if (steps++ == 5)
            {
                StoreContractTest.put(store, segments, "key:00001".getBytes(), "inserted during the pass".getBytes());
                store.commit();
                model.put("key:00001", "inserted during the pass".getBytes());
            }
        }
        assertTrue(steps > 10, "the pass was incremental");
        assertEquals(2, scrubber.damagedFound());
        assertEquals(2, store.damagedCount());
        assertServes(store, model, List.of(valueVictim, fieldVictim));
        // Recovery finds the same two and nothing else. The flipped value byte sits in the segment that
        // also carried the key, and a segment's checksum covers both: the key can no longer be trusted
        // either, so that node is quarantined (its gap answers an error) rather than kept.
        final KvStore recovered = recover(((SimulatedPmRegion)store.arena().region()).workingImage(), engine);
        assertEquals(1, recovered.recoveryReport().damagedKeys(), recovered.recoveryReport().problems().toString());
        assertEquals(1, recovered.recoveryReport().newlyQuarantined(), recovered.recoveryReport().problems().toString());
        assertServes(recovered, model, List.of(valueVictim, fieldVictim));
    }
}
