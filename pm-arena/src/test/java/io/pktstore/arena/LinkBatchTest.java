package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.pktstore.arena.sim.SimulatedPmRegion;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The link batch: staged words are invisible in memory until commit, visible to {@link LinkBatch#load},
 * and durable all together or not at all. Crash images are taken at every barrier of many random
 * batches (and right after each commit returns, when the applied words are written back but not yet
 * fenced); after replay at open every image must hold exactly the words of a prefix of the committed
 * batches: all words of a batch or none, never a mix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkBatchTest {
    private static final ArenaGeometry GEOMETRY = ArenaGeometry.of(256, 16, 256, 0, 64);
    /** The words the batches write: link word 1 of every record, plus two root slots. */
    private static final int WORDS = 258;

    private static long wordOffset(final Arena arena, final int word) {
        return word < 256 ? arena.recordOffset(word) + 40 : arena.rootOffset(word - 256);
    }

    @Test
    void stagedWordsAreInvisibleUntilCommitAndThenDurable() {
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes());
             Arena arena = Arena.format(region, GEOMETRY)) {
            final LinkBatch batch = arena.linkBatch();
            final long a = arena.recordOffset(3) + 32;
            final long mark = arena.recordMarkWordOffset(70);
            batch.store(a, 0x1234L);
            batch.store(mark, Arena.recordMarkBit(70));
            batch.store(a, 0x5678L); // restaged: the later value wins, still one entry
            assertEquals(2, batch.size());
            assertEquals(0x5678L, batch.load(a));
            assertEquals(0L, UnsafeApi.getLong(region.address() + a), "nothing reaches memory before commit");
            assertFalse(arena.isRecordMarked(70));
            batch.commit();
            assertTrue(batch.isEmpty());
            assertEquals(0x5678L, UnsafeApi.getLong(region.address() + a));
            assertTrue(arena.isRecordMarked(70));
            assertEquals(Arena.recordMarkBit(70), arena.recordMarksWord(1));
            final byte[] durable = region.durableImage();
            assertEquals(0x5678L, UnsafeApi.getLong(durable, UnsafeApi.arrayBaseOffset(byte[].class) + a));
        }
    }

    @Test
    void onlyLinkWordsMayBeStagedAndAFullBatchSaysSo() {
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes());
             Arena arena = Arena.format(region, GEOMETRY)) {
            final LinkBatch batch = arena.linkBatch();
            assertThrows(IllegalArgumentException.class, () -> batch.store(0, 1));           // the magic
            assertThrows(IllegalArgumentException.class, () -> batch.store(arena.recordOffset(0) + 3, 1));
            assertThrows(IllegalArgumentException.class, () -> batch.store(arena.bufferOffset(0), 1));
            assertThrows(IllegalArgumentException.class, () -> batch.store(GEOMETRY.linkLogOffset(), 1));
            for (int i = 0; i < GEOMETRY.logCapacity(); i++) {
                batch.store(arena.recordOffset(i) + 32, i + 1);
            }
            assertEquals(0, batch.remaining());
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> batch.store(arena.recordOffset(200) + 32, 9));
            assertTrue(e.getMessage().contains("full"), e.getMessage());
            batch.store(arena.recordOffset(5) + 32, 77); // restaging a staged word needs no room
            batch.discard();
            assertTrue(batch.isEmpty());
            assertEquals(0L, UnsafeApi.getLong(region.address() + arena.recordOffset(5) + 32));
        }
    }

    @ParameterizedTest
    @EnumSource(SimulatedPmRegion.Model.class)
    void everyCrashImageHoldsAPrefixOfWholeBatches(final SimulatedPmRegion.Model durability) {
        final SplittableRandom rnd = new SplittableRandom(0x11AB_BA7CL);
        final SplittableRandom crashRnd = new SplittableRandom(0xC4A5L);
        // history[k][w] = value of word w after batch k (batch 0 = the formatted arena, all zero)
        final int batches = 150;
        final long[][] history = new long[batches + 1][WORDS];
        final int[] committed = {0};
        final int[] images = {0};
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes(), durability);
             Arena arena = Arena.format(region, GEOMETRY)) {
            final LinkBatch batch = arena.linkBatch();
            // Images at every persist and every barrier (the strict model also keeps every version
            // a line had since it was last durable).
            final Runnable crash = () -> {
                check(region.crashImage(crashRnd, SimulatedPmRegion.Granularity.WORD), history, committed[0], durability);
                images[0]++;
            };
            region.onBarrier(crash);
            region.onPersist(crash);
            for (int k = 1; k <= batches; k++) {
                history[k] = history[k - 1].clone();
                final int words = 1 + rnd.nextInt(GEOMETRY.logCapacity());
                for (int i = 0; i < words; i++) {
                    final int w = rnd.nextInt(WORDS);
                    final long v = rnd.nextLong();
                    batch.store(wordOffset(arena, w), v);
                    history[k][w] = v;
                }
                batch.commit();
                committed[0] = k;
                // Applied words are written back but not fenced: the log still covers them.
                for (int i = 0; i < 3; i++) {
                    check(region.crashImage(crashRnd, SimulatedPmRegion.Granularity.WORD), history, k, durability);
                    images[0]++;
                }
            }
        }
        assertTrue(images[0] > 500, "images checked: " + images[0]);
    }

    /**
     * Recovers an image and asserts it equals the state after batch {@code k} or, for a crash inside
     * batch {@code k + 1}'s commit, after batch {@code k + 1}; never anything else.
     */
    private static void check(final byte[] image, final long[][] history, final int k,
                              final SimulatedPmRegion.Model durability) {
        try (SimulatedPmRegion recovered = SimulatedPmRegion.fromImage(image, durability);
             Arena arena = Arena.open(recovered)) {
            final long[] state = new long[WORDS];
            for (int w = 0; w < WORDS; w++) {
                state[w] = UnsafeApi.getLong(recovered.address() + wordOffset(arena, w));
            }
            for (int candidate = k; candidate <= Math.min(k + 1, history.length - 1); candidate++) {
                if (java.util.Arrays.equals(state, history[candidate])) {
                    // Replay is idempotent and leaves no log behind: a second open changes nothing.
                    assertEquals(0L, UnsafeApi.getLong(recovered.address() + GEOMETRY.linkLogOffset()));
                    return;
                }
            }
            int differing = 0;
            for (int w = 0; w < WORDS; w++) {
                differing += state[w] != history[k][w] ? 1 : 0;
            }
            fail("crash image after batch " + k + " is neither batch " + k + " nor " + (k + 1) + ": " + differing
                + " words differ from batch " + k + " (replayed " + arena.linkLogReplay() + ")");
        }
    }

    @Test
    void damagedLogEntriesAreSkippedAndCounted() {
        final byte[] image;
        final long target;
        try (SimulatedPmRegion region = SimulatedPmRegion.create(GEOMETRY.requiredBytes());
             Arena arena = Arena.format(region, GEOMETRY)) {
            target = arena.recordOffset(9) + 40;
            final LinkBatch batch = arena.linkBatch();
            batch.store(target, 42);
            batch.store(arena.rootOffset(2), 43);
            batch.commit();
            // Damage the second entry so that it names the superblock's magic.
            final long entries = GEOMETRY.linkLogOffset() + ArenaGeometry.LOG_HEADER_SIZE;
            UnsafeApi.putLong(region.address() + entries + ArenaGeometry.LOG_ENTRY_SIZE, 0L);
            // And undo the applied word, as if the crash came before it reached memory.
            UnsafeApi.putLong(region.address() + target, 0L);
            image = region.workingImage();
        }
        try (SimulatedPmRegion recovered = SimulatedPmRegion.fromImage(image);
             Arena arena = Arena.open(recovered)) {
            assertEquals(new LinkBatch.Replay(1, 1, false), arena.linkLogReplay());
            assertEquals(42L, UnsafeApi.getLong(recovered.address() + target));
            assertEquals(Superblock.MAGIC, UnsafeApi.getLong(recovered.address()), "the magic is untouched");
        }
    }
}
