package io.pktstore.arena.bench;

import java.util.Locale;
import java.util.SplittableRandom;

import io.pktstore.arena.sim.CrashPoints;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.arena.sim.SimulatedPmRegion.Granularity;
import io.pktstore.arena.sim.SimulatedPmRegion.Model;
import org.agrona.UnsafeApi;

/**
 * How many crash images per second the simulator's {@link Model#HARDWARE} model affords, for a
 * 1 MiB and a 16 MiB region with a few hundred dirty lines of several versions each (a commit in
 * flight): an image into a reused buffer, an image plus {@code resetTo} of a reused restart region
 * (what a crash test does per image), images through {@link CrashPoints} with 8 images per crash
 * point (sampled once per point), and the cost of one event (a persist of one line).
 *
 * <pre>
 *   mvn -B -ntp -pl pm-arena test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *       -Dmdep.outputFile=target/bench.classpath
 *   java $(scripts/jvm-flags) -cp pm-arena/target/test-classes:pm-arena/target/classes:$(cat pm-arena/target/bench.classpath) \
 *       io.pktstore.arena.bench.CrashImageBenchmark [seconds per figure, default 2]
 * </pre>
 * (Not {@code scripts/bench}, which installs the module into the local repository.)
 */
public final class CrashImageBenchmark {
    private static final int DIRTY_LINES = 256;
    private static final int VERSIONS = 3;

    private CrashImageBenchmark() {
    }

    public static void main(final String[] args) {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        System.out.printf(Locale.ROOT, "HARDWARE model, %d dirty lines x %d versions, %d cores%n", DIRTY_LINES, VERSIONS,
            Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-8s %-6s %14s %18s %20s %12s%n", "region", "gran.", "images/s", "image+resetTo/s",
            "images/s (8/point)", "event (us)");
        for (final int size : new int[] {1 << 20, 16 << 20}) {
            for (final Granularity g : Granularity.values()) {
                run(size, g, seconds);
            }
        }
    }

    private static void run(final int size, final Granularity g, final double seconds) {
        try (SimulatedPmRegion region = SimulatedPmRegion.create(size, Model.HARDWARE);
             SimulatedPmRegion restart = SimulatedPmRegion.create(size, Model.HARDWARE)) {
            final SplittableRandom rnd = new SplittableRandom(1);
            // Lines spread over the whole region, each seen in VERSIONS contents, the last persisted.
            for (int v = 0; v < VERSIONS; v++) {
                for (int i = 0; i < DIRTY_LINES; i++) {
                    final long line = (long) i * (size / 64 / DIRTY_LINES) * 64;
                    UnsafeApi.putLong(region.address() + line + 8L * (v % 8), rnd.nextLong());
                }
                region.observe();
            }
            final byte[] image = new byte[size];
            final double imagesPerSecond = rate(seconds, () -> region.crashImage(image, rnd, g));
            final double cyclesPerSecond = rate(seconds, () -> restart.resetTo(region.crashImage(image, rnd, g)));
            // CrashPoints with 8 images per point: the region is sampled once per point.
            final CrashPoints[] points = new CrashPoints[1];
            final long[] images = {0};
            points[0] = CrashPoints.attach(region, rnd, g, 8, (img, point) -> images[0]++);
            final double pointsPerSecond = rate(seconds, points[0]::crashHere);
            points[0].close();
            final double eventsPerSecond = rate(seconds, () -> region.persist(0, 8));
            System.out.printf(Locale.ROOT, "%-8s %-6s %14.0f %18.0f %20.0f %12.1f%n", (size >> 20) + " MiB", g,
                imagesPerSecond, cyclesPerSecond, pointsPerSecond * 8, 1e6 / eventsPerSecond);
        }
    }

    /** Runs {@code action} for a warm-up and then for {@code seconds}; returns calls per second. */
    private static double rate(final double seconds, final Runnable action) {
        final long warmUpEnd = System.nanoTime() + (long) (seconds * 0.25e9);
        while (System.nanoTime() < warmUpEnd) {
            action.run();
        }
        final long start = System.nanoTime();
        final long end = start + (long) (seconds * 1e9);
        long calls = 0;
        long now;
        do {
            action.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return calls / ((now - start) / 1e9);
    }
}
