package io.pktstore.kv.store;

import io.pktstore.kv.testing.Segments;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write path keeps the received bytes where they arrived and computes no checksum over them:
 * the stored value's records are the range clones over the very buffers the frames arrived in,
 * nothing in them but {@code next} changes, and a byte flipped in a frame after the stack established
 * its checksum goes through PUT and GET unnoticed (no second checksum ran), to be caught by recovery,
 * which re-verifies the TCP checksum. And the request path allocates nothing once warm.
 */
class ZeroCopyAndAllocationTest
{
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

    private KvStore store(final Engine engine, final int buffers)
    {
        final ArenaGeometry geometry = ArenaGeometry.of(buffers * 8, buffers, 2048, buffers / 4);
        final SimulatedPmRegion region = SimulatedPmRegion.create(geometry.requiredBytes());
        closeables.add(region);
        final Arena arena = Arena.format(region, geometry);
        closeables.add(arena);
        return KvStore.create(arena, engine, KvStoreConfig.defaults().withReserves(0, 0, 0, 0));
    }

    private int key(final byte[] key)
    {
        UnsafeApi.copyMemory(key, UnsafeApi.arrayBaseOffset(byte[].class), null, scratch, key.length);
        return key.length;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theStoredValueIsTheReceivedFramesAndNoChecksumIsComputedOnTheWritePath(final Engine engine)
    {
        final KvStore store = store(engine, 512);
        final Segments segments = new Segments(store.arena(), store.pool);
        final byte[] value = new byte[10_000];
        new SplittableRandom(3).nextBytes(value);
        final Segments.Request r = new Segments.Request();
        segments.request(store, "zero-copy".getBytes(), value, r);
        // What the value records hold before the store sees them (their whole 64-byte lines).
        final List<byte[]> before = new ArrayList<>();
        for (int rec = r.valueHead; rec != PacketRecord.NO_RECORD; rec = store.nodes().next(rec))
        {
            before.add(line(store, rec));
        }
        // Flip a value byte inside the second frame after its checksum was established.
        final int second = store.nodes().next(r.valueHead);
        final long flipped = store.nodes().dataAddress(second) + 100;
        UnsafeApi.putByte(flipped, (byte)(UnsafeApi.getByte(flipped) ^ 0x20));
        value[store.nodes().dataLength(r.valueHead) + 100] ^= 0x20;

        assertEquals(StoreStatus.INSERTED, store.put(r.key, r.valueHead, r.valueLength), "no checksum ran to refuse it");
        store.commit();
        final int node = store.get(scratch, key("zero-copy".getBytes()));
        assertTrue(node >= 0);
        assertEquals(r.key, node, "the key's own record became the index node");
        int i = 0;
        for (int rec = store.valueHead(node); rec != PacketRecord.NO_RECORD; rec = store.nodes().next(rec), i++)
        {
            final PacketRecord view = new PacketRecord().wrap(store.arena(), rec);
            assertEquals(r.buffers[i], view.bufferIndex(), "value record " + i + " lies in the buffer its frame arrived in");
            assertEquals(store.arena().bufferAddress(r.buffers[i]) + view.dataOffset(), store.nodes().dataAddress(rec));
            assertArrayEquals(before.get(i), line(store, rec), "the store changed nothing in value record " + i);
        }
        assertEquals(r.bufferCount, i);
        assertArrayEquals(value, Segments.value(store, node), "GET serves the bytes as they lie in the frames");
        assertEquals(0, store.stats().keyCopies);

        // Recovery's re-verification of the TCP checksum catches the flip.
        store.arena().close();
        final SimulatedPmRegion image = SimulatedPmRegion.fromImage(((SimulatedPmRegion)store.arena().region()).durableImage());
        closeables.add(image);
        final Arena reopened = Arena.open(image);
        closeables.add(reopened);
        final KvStore recovered = KvStore.open(reopened, KvStoreConfig.defaults(), engine);
        assertEquals(1, recovered.recoveryReport().damagedKeys(), recovered.recoveryReport().problems().toString());
        assertEquals(StoreStatus.DAMAGED, recovered.get(scratch, key("zero-copy".getBytes())));
    }

    private static byte[] line(final KvStore store, final int record)
    {
        final byte[] line = new byte[64];
        UnsafeApi.copyMemory(null, store.nodes().recordAddress(record), line, UnsafeApi.arrayBaseOffset(byte[].class), 64);
        return line;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theRequestPathAllocatesNothingOnceWarm(final Engine engine)
    {
        final KvStore store = store(engine, 8192);
        final Segments segments = new Segments(store.arena(), store.pool);
        final Segments.Request r = new Segments.Request();
        final byte[][] keys = new byte[2000][];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = String.format("alloc:%06d", i * 31).getBytes();
        }
        final byte[] value = new byte[1500];
        final int[] scanOut = new int[16];
        final SplittableRandom rnd = new SplittableRandom(1);
        final Runnable work = () ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final byte[] k = keys[rnd.nextInt(keys.length)];
                final int op = rnd.nextInt(10);
                if (op < 5)
                {
                    segments.request(store, k, value, r);
                    store.put(r.key, r.valueHead, r.valueLength);
                }
                else if (op < 7)
                {
                    store.delete(scratch, key(k));
                }
                else if (op < 9)
                {
                    store.get(scratch, key(k));
                }
                else
                {
                    store.scan(scratch, key(k), true, 0, -1, scanOut, scanOut.length);
                }
                if (rnd.nextInt(4) == 0)
                {
                    store.commit();
                }
            }
            store.commit();
        };
        work.run();   // warm-up: JIT, list capacities
        work.run();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        work.run();
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertNotEquals(0, store.count());
        assertTrue(allocated < 4096, "20,000 operations with their commits allocated " + allocated + " bytes");
    }
}
