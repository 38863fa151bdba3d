package io.pktstore.stack.tcp;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SACK scoreboard against a set-of-bytes model, including the 2^32 wrap. */
class SackScoreboardTest
{
    @Test
    void mergesAdjacentAndOverlappingRangesAcrossTheWrap()
    {
        final SackScoreboard b = new SackScoreboard();
        final int base = -100;   // ranges straddle 2^32
        b.add(base + 10, base + 20);
        b.add(base + 30, base + 40);
        b.add(base + 20, base + 30);   // adjacent on both sides: one range
        assertEquals(1, b.count());
        assertEquals(base + 10, b.left(0));
        assertEquals(base + 40, b.right(0));
        b.add(base + 200, base + 300);
        assertEquals(2, b.count());
        assertEquals(base + 40, b.skip(base + 10));
        assertEquals(base + 9, b.skip(base + 9));
        assertEquals(base + 200, b.nextStart(base + 50, base + 1000));
        assertEquals(30 + 50, b.bytesBelow(base + 250));
        b.acknowledge(base + 15);
        assertEquals(base + 15, b.left(0), "straddling range trimmed");
        b.acknowledge(base + 250);
        assertEquals(1, b.count());
        assertEquals(base + 250, b.left(0));
    }

    @Test
    void agreesWithAByteModelAndKeepsAtMostEightRanges()
    {
        final SplittableRandom random = new SplittableRandom(3);
        for (int round = 0; round < 200; round++)
        {
            final SackScoreboard b = new SackScoreboard();
            final TreeSet<Integer> model = new TreeSet<>();
            final int base = random.nextInt();
            for (int k = 0; k < 6; k++)
            {
                final int l = random.nextInt(0, 500);
                final int r = l + random.nextInt(1, 60);
                b.add(base + l, base + r);
                for (int x = l; x < r; x++)
                {
                    model.add(x);
                }
            }
            assertTrue(b.count() <= SackScoreboard.RANGES);
            for (int x = 0; x < 600; x++)
            {
                final boolean sackedInModel = model.contains(x);
                final boolean sackedInBoard = b.skip(base + x) != base + x;
                assertEquals(sackedInModel, sackedInBoard, "byte " + x + " round " + round);
            }
            int below = 0;
            for (final int x : model)
            {
                if (x < 300)
                {
                    below++;
                }
            }
            assertEquals(below, b.bytesBelow(base + 300));
        }
    }
}
