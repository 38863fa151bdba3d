package io.pktstore.kv.server;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.CrashPoints;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.arena.sim.SimulatedPmRegion.Granularity;
import io.pktstore.arena.sim.SimulatedPmRegion.Model;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.kv.testing.NodePair;
import io.pktstore.kv.testing.Segments;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash consistency stack to stack: a client stack sends pipelined RESP SETs (values of 0 to 3000
 * bytes, so some span segments) and DELs over an in-memory link to a node whose arena is on the strict
 * crash simulator (hardware model, word granularity). A crash image is taken at every persist and every
 * barrier of the node (its TCP receive path, its store, its group commits) and at random points, and
 * recovered on a second simulated region. Each recovered state must be the state after some prefix of
 * the requests the client sent that contains every request the client received a reply for: nothing
 * acknowledged is lost, nothing unacknowledged half-exists, batches are whole; and the recovered store
 * is sound (recovery found no damage, the index's invariants hold).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class StackCrashTest
{
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(2048, 256, 2048, 64, 1024);
    private static final int KEYS = 12;

    /** A request: the key, and the value it sets (null: a DEL). */
    private record Op(String key, byte[] value)
    {
    }

    private final List<Op> sent = new ArrayList<>();
    private int acknowledged;
    private TreeMap<String, byte[]> acknowledgedState = new TreeMap<>();
    private long images;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyCrashImageIsAPrefixOfTheRequestsThatHoldsEveryAcknowledgedOne(final Engine engine)
    {
        final SplittableRandom rnd = new SplittableRandom(0x5_7ACCL + engine.id());
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), Model.HARDWARE);
             SimulatedPmRegion restarted = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), Model.HARDWARE);
             NodePair pair = new NodePair(region, GEOMETRY, engine))
        {
            pair.connect();
            try (CrashPoints crashes = CrashPoints.attach(region, new SplittableRandom(rnd.nextLong()), Granularity.WORD, 1,
                (image, point) -> check(image, restarted, engine, point.number())))
            {
                int replies = 0;
                for (int round = 0; round < 900; round++)
                {
                    final int pipelined = 1 + rnd.nextInt(4);
                    final StringBuilder batch = new StringBuilder();
                    for (int i = 0; i < pipelined; i++)
                    {
                        final String key = "key" + rnd.nextInt(KEYS);
                        if (rnd.nextInt(5) == 0)
                        {
                            batch.append(resp("DEL", key));
                            sent.add(new Op(key, null));
                        }
                        else
                        {
                            final byte[] value = new byte[rnd.nextInt(10) == 0 ? rnd.nextInt(1500, 3000) : rnd.nextInt(0, 300)];
                            rnd.nextBytes(value);
                            batch.append(resp("SET", key, new String(value, StandardCharsets.ISO_8859_1)));
                            sent.add(new Op(key, value));
                        }
                    }
                    final byte[] bytes = batch.toString().getBytes(StandardCharsets.ISO_8859_1);
                    assertEquals(bytes.length, pair.client.send(bytes));
                    replies += pipelined;
                    // Step until every reply is in, with crash points at random moments in between.
                    for (int step = 0; step < 200_000 && countReplies(pair) < replies; step++)
                    {
                        pair.step();
                        acknowledge(pair);
                        if (rnd.nextInt(50) == 0)
                        {
                            crashes.crashHere();
                        }
                    }
                    assertEquals(replies, countReplies(pair), "the node answered every request");
                    acknowledge(pair);
                }
            }
        }
        System.out.printf("StackCrashTest %s: %d requests over TCP, %d crash images recovered and checked%n", engine,
            sent.size(), images);
        assertTrue(images >= 10_000, "at least 10,000 images per engine, got " + images);
    }

    private static String resp(final String... args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String a : args)
        {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    private static int countReplies(final NodePair pair)
    {
        final byte[] bytes = pair.client.received.toByteArray();
        int n = 0;
        for (int i = 1; i < bytes.length; i++)
        {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r')
            {
                n++;
            }
        }
        return n;
    }

    /** Moves the acknowledged prefix forward to the replies received so far. */
    private void acknowledge(final NodePair pair)
    {
        final int replies = countReplies(pair);
        while (acknowledged < replies)
        {
            apply(acknowledgedState, sent.get(acknowledged++));
        }
    }

    private static void apply(final TreeMap<String, byte[]> state, final Op op)
    {
        if (op.value() == null)
        {
            state.remove(op.key());
        }
        else
        {
            state.put(op.key(), op.value());
        }
    }

    private void check(final byte[] image, final SimulatedPmRegion restarted, final Engine engine, final long point)
    {
        images++;
        restarted.resetTo(image);
        final KvStore store = KvStore.open(Arena.open(restarted), KvStoreConfig.defaults(), engine);
        assertTrue(store.recoveryReport().problems().isEmpty(), () -> "crash point " + point + ": " + store.recoveryReport().problems());
        assertNull(store.checkInvariants(), "crash point " + point);
        final TreeMap<String, byte[]> recovered = new TreeMap<>();
        final int[] nodes = new int[64];
        final int n = store.scan(0, 0, true, 0, -1, nodes, nodes.length);
        for (int i = 0; i < n; i++)
        {
            final byte[] key = new byte[store.nodes().keyLength(nodes[i])];
            org.agrona.UnsafeApi.copyMemory(null, store.nodes().keyAddress(nodes[i]), key,
                org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), key.length);
            recovered.put(new String(key, StandardCharsets.ISO_8859_1), Segments.value(store, nodes[i]));
        }
        // Some prefix of the sent requests, at least as long as the acknowledged one.
        final TreeMap<String, byte[]> candidate = new TreeMap<>(acknowledgedState);
        for (int p = acknowledged; ; p++)
        {
            if (equal(candidate, recovered))
            {
                return;
            }
            if (p == sent.size())
            {
                break;
            }
            apply(candidate, sent.get(p));
        }
        fail("crash point " + point + ": recovered keys " + recovered.keySet() + " are no prefix of the " + sent.size()
            + " requests sent that holds the " + acknowledged + " acknowledged (acknowledged state: "
            + acknowledgedState.keySet() + ")");
    }

    private static boolean equal(final Map<String, byte[]> a, final Map<String, byte[]> b)
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
}
