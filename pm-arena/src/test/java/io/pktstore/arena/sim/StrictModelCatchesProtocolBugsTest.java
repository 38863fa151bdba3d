package io.pktstore.arena.sim;

import static io.pktstore.arena.sim.CrashExplorer.load;
import static io.pktstore.arena.sim.CrashExplorer.put;
import static io.pktstore.arena.sim.CrashExplorer.store;
import static io.pktstore.arena.sim.CrashExplorer.word;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import io.pktstore.arena.sim.SimulatedPmRegion.Granularity;
import io.pktstore.arena.sim.SimulatedPmRegion.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each strictness feature of the simulator against a tiny buggy commit protocol and its correct
 * twin: the buggy one must produce a crash image that breaks the protocol's invariant (checked
 * with the concrete values), the correct one never, and the lenient model or granularity that
 * the feature replaces must miss the bug (so the feature is what catches it). Images are taken at
 * every persist, every barrier and at explicit points, from fixed seeds.
 *
 * <pre>
 *   (a) link before the barrier that makes the node durable   AT_PERSIST misses, HARDWARE catches
 *   (b) a store after persist, before the barrier, relied on   AT_BARRIER misses, HARDWARE catches
 *   (c) a two-word record updated in place (no 1-word commit)  LINE misses,       WORD catches
 *   (d) A-B-A: durable A, B seen at an event, A again          AT_PERSIST misses, HARDWARE catches
 *   (e) crash during a recovery that retires its log early     no images during recovery, or a
 *                                                              legacy recovery region, miss it
 * </pre>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StrictModelCatchesProtocolBugsTest {
    private static final int LINE = SimulatedPmRegion.LINE_SIZE;
    private static final long TAG = 0x5EED_0000_0000_0000L;
    private static final int ROUNDS = 24;

    // ------------------------------------------------------------------------------------------
    // (a) and (b): a persistent stack. Line 0 word 0 links the newest node (0 = empty); node i
    // (1..ROUNDS) is line i: word 0 = TAG | i, word 1 = payload(i), word 2 = link of node i - 1.
    // ------------------------------------------------------------------------------------------

    private static long payload(final long i) {
        return i * 1_000_003L + 17;
    }

    /** How a push makes its node durable before linking it. */
    private enum Push {
        /** Write, persist, barrier, link, persist, barrier: correct. */
        CORRECT,
        /** The barrier between persisting the node and linking it is missing. */
        NO_BARRIER_BEFORE_LINK,
        /** The payload is stored after the node's persist (but before its barrier). */
        PAYLOAD_AFTER_PERSIST
    }

    private static CrashExplorer.Result stack(final Model model, final Push push) {
        final long[] acked = {0};
        return new CrashExplorer().model(model).seed(11).explore((region, crashHere) -> {
            for (int i = 1; i <= ROUNDS; i++) {
                final int node = i * LINE;
                store(region, node, TAG | i);
                store(region, node + 16, load(region, 0));
                if (push == Push.PAYLOAD_AFTER_PERSIST) {
                    region.persist(node, LINE);
                    store(region, node + 8, payload(i)); // not in the persisted snapshot
                } else {
                    store(region, node + 8, payload(i));
                    crashHere.run();
                    region.persist(node, LINE);
                }
                if (push != Push.NO_BARRIER_BEFORE_LINK) {
                    region.barrier();
                }
                crashHere.run();
                store(region, 0, i);                          // the commit point: one 8-byte store
                region.persist(0, 8);
                region.barrier();
                acked[0] = i;
                crashHere.run();
            }
        }, image -> checkStack(image, acked[0]));
    }

    /** The linked stack must be exactly the acknowledged one, or that plus the node in flight. */
    private static String checkStack(final byte[] image, final long acked) {
        final long head = word(image, 0);
        if (head != acked && head != acked + 1) {
            return "head links node " + head + " but " + acked + " pushes were acknowledged";
        }
        for (long i = head; i > 0; i--) {
            final int node = (int) i * LINE;
            if (word(image, node) != (TAG | i) || word(image, node + 8) != payload(i) || word(image, node + 16) != i - 1) {
                return "linked node " + i + " holds tag " + Long.toHexString(word(image, node)) + ", payload "
                    + word(image, node + 8) + " (expected " + payload(i) + "), next " + word(image, node + 16);
            }
        }
        return null;
    }

    @Test
    void aLinkBeforeTheBarrierThatMakesTheNodeDurableIsCaughtByHardwareOnly() {
        final CrashExplorer.Result buggy = stack(Model.HARDWARE, Push.NO_BARRIER_BEFORE_LINK);
        assertTrue(buggy.violations() > 0, "HARDWARE missed the missing barrier in " + buggy.images() + " images");
        assertTrue(buggy.firstViolation().contains("linked node 1 holds tag 0, payload 0"), buggy.firstViolation());

        final CrashExplorer.Result lenient = stack(Model.AT_PERSIST, Push.NO_BARRIER_BEFORE_LINK);
        assertEquals(0, lenient.violations(), "AT_PERSIST makes a persist durable at once: " + lenient.firstViolation());

        final CrashExplorer.Result correct = stack(Model.HARDWARE, Push.CORRECT);
        assertNull(correct.firstViolation());
        assertTrue(correct.images() >= 1000, "only " + correct.images() + " images");
    }

    @Test
    void aStoreAfterPersistThatTheCommitReliesOnIsCaughtByHardwareOnly() {
        final CrashExplorer.Result buggy = stack(Model.HARDWARE, Push.PAYLOAD_AFTER_PERSIST);
        assertTrue(buggy.violations() > 0, "HARDWARE missed the late store in " + buggy.images() + " images");
        assertTrue(buggy.firstViolation().contains("payload 0 (expected " + payload(1) + ")"), buggy.firstViolation());

        // The msync-like legacy model writes the line as it is at the barrier, late store included.
        final CrashExplorer.Result lenient = stack(Model.AT_BARRIER, Push.PAYLOAD_AFTER_PERSIST);
        assertEquals(0, lenient.violations(), lenient.firstViolation());

        assertNull(stack(Model.HARDWARE, Push.CORRECT).firstViolation());
    }

    // ------------------------------------------------------------------------------------------
    // (c) a record of two words (key, check(key)) that must never be seen torn.
    // ------------------------------------------------------------------------------------------

    private static long check(final long key) {
        return ~key * 31;
    }

    private static String checkRecord(final byte[] image, final int at, final long acked) {
        final long key = word(image, at);
        final long check = word(image, at + 8);
        if (key == 0 && check == 0 && acked == 0) {
            return null; // nothing committed yet
        }
        if (check != check(key)) {
            return "torn record: key " + key + " with check " + check + " (expected " + check(key) + ")";
        }
        if (key != acked && key != acked + 1) {
            return "record holds key " + key + " but " + acked + " updates were acknowledged";
        }
        return null;
    }

    /** Updates the record in place: both words, one persist, one barrier. No 1-word commit point. */
    private static CrashExplorer.Result inPlaceUpdate(final Granularity granularity) {
        final long[] acked = {0};
        return new CrashExplorer().granularity(granularity).seed(23).explore((region, crashHere) -> {
            for (long key = 1; key <= ROUNDS; key++) {
                store(region, LINE, key);
                store(region, LINE + 8, check(key));
                crashHere.run();
                region.persist(LINE, 16);
                region.barrier();
                acked[0] = key;
                crashHere.run();
            }
        }, image -> checkRecord(image, LINE, acked[0]));
    }

    /**
     * Copy-on-write: the record goes to the slot not in use (line 1 or 2), is made durable, and
     * one aligned 8-byte store of the slot number in line 0 commits it.
     */
    private static CrashExplorer.Result copyOnWriteUpdate(final Granularity granularity) {
        final long[] acked = {0};
        return new CrashExplorer().granularity(granularity).seed(23).explore((region, crashHere) -> {
            for (long key = 1; key <= ROUNDS; key++) {
                final int slot = load(region, 0) == 1 ? 2 : 1;
                store(region, slot * LINE, key);
                store(region, slot * LINE + 8, check(key));
                crashHere.run();
                region.persist(slot * LINE, 16);
                region.barrier();
                store(region, 0, slot);
                region.persist(0, 8);
                region.barrier();
                acked[0] = key;
                crashHere.run();
            }
        }, image -> {
            final long slot = word(image, 0);
            if (slot == 0) {
                return acked[0] == 0 ? null : "no record although " + acked[0] + " updates were acknowledged";
            }
            return checkRecord(image, (int) slot * LINE, acked[0]);
        });
    }

    @Test
    void aTornTwoWordRecordIsCaughtAtWordGranularityOnly() {
        final CrashExplorer.Result words = inPlaceUpdate(Granularity.WORD);
        assertTrue(words.violations() > 0, "WORD missed the torn record in " + words.images() + " images");
        assertTrue(words.firstViolation().contains("torn record"), words.firstViolation());

        // Whole lines: both words always come from one version, and no event split the two stores.
        final CrashExplorer.Result lines = inPlaceUpdate(Granularity.LINE);
        assertEquals(0, lines.violations(), lines.firstViolation());

        final CrashExplorer.Result correct = copyOnWriteUpdate(Granularity.WORD);
        assertNull(correct.firstViolation());
        assertTrue(correct.images() >= 1000, "only " + correct.images() + " images");
    }

    // ------------------------------------------------------------------------------------------
    // (d) A-B-A: a durable word used as scratch space and restored before anyone persists it.
    // ------------------------------------------------------------------------------------------

    private static final long BALANCE = 1_000;

    /**
     * The committed balance is line 1 word 0. An unrelated commit (line 2) happens while the
     * balance word holds a tentative value; the buggy variant keeps that tentative value in the
     * durable word itself, then restores it. Crash images are taken only afterwards.
     */
    private static CrashExplorer.Result scratchInDurableWord(final Model model, final boolean useDurableWordAsScratch) {
        final byte[] withBalance = new byte[4096];
        put(withBalance, LINE, BALANCE);
        return new CrashExplorer().model(model).seed(31).initialImage(withBalance).atEveryPersistAndBarrier(false)
            .explore((region, crashHere) -> {
                for (int round = 1; round <= ROUNDS; round++) {
                    final long tentative = BALANCE - round;
                    long scratch = 0;
                    if (useDurableWordAsScratch) {
                        store(region, LINE, tentative);             // B over the durable A
                    } else {
                        scratch = tentative;
                    }
                    store(region, 2 * LINE, round);                 // an unrelated commit: events
                    region.persist(2 * LINE, 8);
                    region.barrier();
                    if (useDurableWordAsScratch) {
                        store(region, LINE, BALANCE);               // A again: the line equals its durable content
                    } else {
                        assertEquals(tentative, scratch);
                    }
                    crashHere.run();
                }
            }, image -> word(image, LINE) == BALANCE ? null
                : "balance word holds the scratch value " + word(image, LINE) + ", never committed");
    }

    @Test
    void aVersionOverwrittenWithTheDurableValueStaysPossibleUnderHardware() {
        final CrashExplorer.Result buggy = scratchInDurableWord(Model.HARDWARE, true);
        assertTrue(buggy.violations() > 0, "HARDWARE forgot the intermediate version in " + buggy.images() + " images");
        assertTrue(buggy.firstViolation().contains("scratch value " + (BALANCE - 1)), buggy.firstViolation());

        final CrashExplorer.Result lenient = scratchInDurableWord(Model.AT_PERSIST, true);
        assertEquals(0, lenient.violations(), "AT_PERSIST sees a line equal to its durable content as clean");

        final CrashExplorer.Result correct = scratchInDurableWord(Model.HARDWARE, false);
        assertNull(correct.firstViolation());
        assertEquals(ROUNDS * 8L, correct.images());
    }

    @Test
    void persistingAndFencingTheRestoredValueRetiresTheIntermediateVersion() {
        try (SimulatedPmRegion region = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            store(region, LINE, BALANCE);
            region.persist(LINE, 8);
            region.barrier();
            store(region, LINE, 7);          // B
            region.observe();
            store(region, LINE, BALANCE);    // A
            assertEquals(2, region.knownVersionCount(LINE), "B and A");
            assertTrue(region.hasUnpersisted(LINE, 8), "equal to durable, still not clean");
            region.persist(LINE, 8);
            region.barrier();
            assertEquals(0, region.knownVersionCount(LINE));
            final java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
            final byte[] image = new byte[4096];
            for (int i = 0; i < 200; i++) {
                assertEquals(BALANCE, word(region.crashImage(image, rnd, Granularity.WORD), LINE));
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // (e) crash during recovery. Line 0 is a redo log: word 0 = 1 when it holds a committed pair,
    // words 1-2 = the pair. Line 1 is the pair's home (x, y). The crash left a committed log that
    // recovery must apply; whatever crashes during recovery, recovering again must end at the pair.
    // ------------------------------------------------------------------------------------------

    private static final long OLD_X = 1;
    private static final long NEW_X = 2;

    private static long y(final long x) {
        return x + 1000;
    }

    /** Applies a committed redo log to the pair's home and retires the log. */
    private static void recover(final SimulatedPmRegion region, final boolean retireLogAfterBarrier) {
        if (load(region, 0) != 1) {
            return;
        }
        store(region, LINE, load(region, 8));        // two words, not atomic together
        store(region, LINE + 8, load(region, 16));
        region.persist(LINE, 16);
        if (retireLogAfterBarrier) {
            region.barrier();                        // the pair is durable before the log goes
        }
        store(region, 0, 0);
        region.persist(0, 8);
        region.barrier();
    }

    private static byte[] crashedWithCommittedLog() {
        final byte[] image = new byte[4096];
        put(image, LINE, OLD_X);
        put(image, LINE + 8, y(OLD_X));
        put(image, 8, NEW_X);
        put(image, 16, y(NEW_X));
        put(image, 0, 1);
        return image;
    }

    /** Recovers {@code image} completely (on a reused region) and checks the pair. */
    private static String recoverAndCheck(final SimulatedPmRegion restarted, final byte[] image,
                                          final boolean retireLogAfterBarrier) {
        restarted.resetTo(image);
        recover(restarted, retireLogAfterBarrier);
        final long x = load(restarted, LINE);
        final long y = load(restarted, LINE + 8);
        return x == NEW_X && y == y(NEW_X) ? null
            : "after recovering a crash during recovery the pair is (" + x + ", " + y + "), not (" + NEW_X + ", "
                + y(NEW_X) + "); log flag " + load(restarted, 0);
    }

    private static CrashExplorer.Result crashDuringRecovery(final Model model, final Granularity granularity,
                                                            final boolean imagesDuringRecovery,
                                                            final boolean retireLogAfterBarrier) {
        try (SimulatedPmRegion restarted = SimulatedPmRegion.create(4096, Model.HARDWARE)) {
            return new CrashExplorer().model(model).granularity(granularity).seed(47).imagesPerPoint(64)
                .initialImage(crashedWithCommittedLog()).atEveryPersistAndBarrier(imagesDuringRecovery)
                .explore((region, crashHere) -> {
                    recover(region, retireLogAfterBarrier);
                    crashHere.run(); // recovery finished: a crash now must be harmless too
                }, image -> recoverAndCheck(restarted, image, retireLogAfterBarrier));
        }
    }

    @Test
    void aRecoveryThatRetiresItsLogBeforeThePairIsDurableIsCaughtByImagesTakenDuringRecovery() {
        for (final Granularity g : Granularity.values()) {
            final CrashExplorer.Result buggy = crashDuringRecovery(Model.HARDWARE, g, true, false);
            assertTrue(buggy.violations() > 0, g + ": missed the early log retirement in " + buggy.images() + " images");
            assertNotNull(buggy.firstViolation());
            assertTrue(buggy.firstViolation().contains("log flag 0"), buggy.firstViolation());

            final CrashExplorer.Result correct = crashDuringRecovery(Model.HARDWARE, g, true, true);
            assertNull(correct.firstViolation(), g.toString());
            assertTrue(correct.images() >= 5 * 64, "images at 2 persists, 2 barriers and the end");
        }
        // Only images taken during recovery see it: after a finished recovery all is well ...
        assertEquals(0, crashDuringRecovery(Model.HARDWARE, Granularity.WORD, false, false).violations());
        // ... and a recovery region under the legacy model (fromImage(image)) makes the pair
        // durable at its persist, before the log is retired.
        assertEquals(0, crashDuringRecovery(Model.AT_PERSIST, Granularity.WORD, true, false).violations());
    }
}
