package io.pktstore.arena.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaException;
import io.pktstore.arena.MappedPmRegion;
import io.pktstore.arena.PersistMode;
import io.pktstore.arena.PmRegion;
import io.pktstore.arena.sim.SimulatedPmRegion;
import org.agrona.UnsafeApi;

/**
 * Micro-benchmark of the arena's hot operations in every persistence mode this machine offers,
 * side by side in one run: ns per record alloc+free, per buffer alloc+release, and per
 * store+persist+barrier of 64 B and 1 KB, plus BLOCK_MSYNC with 16 persists per barrier (group
 * commit). Each figure is the median of several runs; ratios are against TMPFS_WRITEBACK.
 *
 * <pre>
 *   scripts/bench pm-arena io.pktstore.arena.bench.ArenaBenchmark [runs]   (default 5 runs)
 * </pre>
 */
public final class ArenaBenchmark {
    private static final long FILE_SIZE = 64L << 20;
    private static final long SPAN = 32L << 20; // persist targets rotate over this many bytes
    private static final int BATCH = 32;

    private ArenaBenchmark() {
    }

    /** One configuration: where the file lives and which mode is asked for. */
    private record Setup(String label, Path dir, PersistMode mode) {
    }

    public static void main(final String[] args) throws IOException {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        printMachine();
        final List<Setup> setups = List.of(
            new Setup("tmpfs /dev/shm, cache-line write-back", Path.of("/dev/shm"), PersistMode.TMPFS_WRITEBACK),
            new Setup("ext4 /var/tmp, msync at barrier", Path.of("/var/tmp"), PersistMode.BLOCK_MSYNC),
            new Setup("tmpfs /dev/shm, msync at barrier", Path.of("/dev/shm"), PersistMode.BLOCK_MSYNC),
            new Setup("crash simulator (heap copy)", null, PersistMode.SIMULATED));
        reportDax();

        final String[] metrics = {"record alloc+free (batch 32)", "buffer alloc+release (b. 32)", "persist 64 B + barrier",
            "persist 1 KB + barrier", "persist 1 KB, barrier per 16"};
        final double[][][] samples = new double[setups.size()][metrics.length][runs];
        // Warm-up so the JIT has compiled every loop before the first measured run; then runs are
        // interleaved across setups so no setup is favoured by running later.
        try (Opened warm = open(new Setup("warm-up", Path.of("/dev/shm"), PersistMode.BLOCK_MSYNC))) {
            measure(warm.arena, 50_000, new double[metrics.length][1], 0);
        }
        for (int run = 0; run < runs; run++) {
            for (int s = 0; s < setups.size(); s++) {
                final Setup setup = setups.get(s);
                try (Opened opened = open(setup)) {
                    // msync on ext4 costs ~0.1-1 ms: fewer persists there.
                    final boolean slow = setup.mode() == PersistMode.BLOCK_MSYNC && !setup.dir().startsWith("/dev/shm");
                    measure(opened.arena, slow ? 300 : 100_000, samples[s], run);
                }
            }
        }
        final double[][] medians = new double[setups.size()][metrics.length];
        for (int s = 0; s < setups.size(); s++) {
            for (int m = 0; m < metrics.length; m++) {
                medians[s][m] = median(samples[s][m]);
            }
        }

        System.out.printf(Locale.ROOT, "%nMedian ns per operation over %d runs (ratio to tmpfs write-back):%n", runs);
        System.out.printf(Locale.ROOT, "%-32s", "operation");
        for (final Setup setup : setups) {
            System.out.printf(Locale.ROOT, " | %-30s", setup.mode() + " " + (setup.dir() == null ? "" : setup.dir()));
        }
        System.out.println();
        for (int m = 0; m < metrics.length; m++) {
            System.out.printf(Locale.ROOT, "%-32s", metrics[m]);
            for (int s = 0; s < setups.size(); s++) {
                System.out.printf(Locale.ROOT, " | %12.1f ns (x%9.2f)   ", medians[s][m], medians[s][m] / medians[0][m]);
            }
            System.out.println();
        }
        recoveryThroughput(runs);
        System.out.println("\nSetups:");
        for (final Setup setup : setups) {
            System.out.println("  " + setup.mode() + ": " + setup.label());
        }
    }

    private static void measure(final Arena arena, final int persistOps, final double[][] out, final int run) {
        preTouch(arena.region());
        out[0][run] = allocFreeRecords(arena, 100_000);
        out[1][run] = allocReleaseBuffers(arena, 100_000);
        out[2][run] = persistEach(arena.region(), 64, persistOps);
        out[3][run] = persistEach(arena.region(), 1024, persistOps);
        out[4][run] = persistGrouped(arena.region(), 1024, persistOps * 4, 16);
    }

    /**
     * Writes every page of the persist span once and makes it durable, so the measurements see
     * steady-state persists, not first-touch page faults or ext4 block allocation.
     */
    private static void preTouch(final PmRegion region) {
        final long base = region.address();
        for (long off = 4096; off < 4096 + SPAN + 4096; off += 4096) {
            UnsafeApi.putLong(base + off, off);
        }
        region.persist(4096, SPAN + 4096);
        region.barrier();
    }

    /** An arena plus the file to delete afterwards. */
    private static final class Opened implements AutoCloseable {
        final Arena arena;
        final Path file;

        Opened(final Arena arena, final Path file) {
            this.arena = arena;
            this.file = file;
        }

        @Override
        public void close() throws IOException {
            arena.close();
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static Opened open(final Setup setup) {
        if (setup.mode() == PersistMode.SIMULATED) {
            final SimulatedPmRegion region = SimulatedPmRegion.create(FILE_SIZE);
            return new Opened(Arena.format(region, io.pktstore.arena.ArenaGeometry.forFileSize(FILE_SIZE, 2048)), null);
        }
        final Path file = setup.dir().resolve("pktstore-arena-bench-" + ProcessHandle.current().pid() + ".pm");
        return new Opened(Arena.create(file, FILE_SIZE, 2048, setup.mode()), file);
    }

    /** Batches of {@link #BATCH} allocations followed by their frees; ns per alloc+free pair. */
    private static double allocFreeRecords(final Arena arena, final int batches) {
        final int[] held = new int[BATCH];
        long sink = 0;
        final long start = System.nanoTime();
        for (int n = 0; n < batches; n++) {
            for (int i = 0; i < BATCH; i++) {
                held[i] = arena.allocateRecord();
            }
            for (int i = BATCH - 1; i >= 0; i--) {
                sink += held[i];
                arena.freeRecord(held[i]);
            }
        }
        blackhole(sink);
        return (double) (System.nanoTime() - start) / ((long) batches * BATCH);
    }

    /** Batches of buffer allocations (refcount 1) followed by their releases; ns per pair. */
    private static double allocReleaseBuffers(final Arena arena, final int batches) {
        final int[] held = new int[BATCH];
        long sink = 0;
        final long start = System.nanoTime();
        for (int n = 0; n < batches; n++) {
            for (int i = 0; i < BATCH; i++) {
                held[i] = arena.allocateBuffer();
            }
            for (int i = BATCH - 1; i >= 0; i--) {
                sink += held[i];
                arena.releaseBuffer(held[i]);
            }
        }
        blackhole(sink);
        return (double) (System.nanoTime() - start) / ((long) batches * BATCH);
    }

    /** Store into a line, persist {@code length} bytes there, barrier; rotating over SPAN. */
    private static double persistEach(final PmRegion region, final int length, final int ops) {
        return persistGrouped(region, length, ops, 1);
    }

    private static double persistGrouped(final PmRegion region, final int length, final int ops, final int group) {
        final long base = region.address();
        final long slots = SPAN / 4096;
        {
            final long start = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                // Each op touches a different page so msync cannot coalesce across ops unless grouped.
                final long offset = 4096 + (i % slots) * 4096 + (i & 3) * 64;
                for (int w = 0; w < length; w += 64) {
                    UnsafeApi.putLong(base + offset + w, i);
                }
                region.persist(offset, length);
                if ((i + 1) % group == 0) {
                    region.barrier();
                }
            }
            region.barrier();
            return (double) (System.nanoTime() - start) / ops;
        }
    }

    /**
     * Recovery of a 1 GiB tmpfs arena with every record and buffer reachable: ns per mark
     * (records + buffers) including finish(), which rebuilds the free stacks. The arena-side share
     * of the DESIGN's "recovery at least 1 M keys per second" (a key is at least one record and one
     * buffer).
     */
    private static void recoveryThroughput(final int runs) throws IOException {
        final Path file = Path.of("/dev/shm", "pktstore-arena-bench-recovery-" + ProcessHandle.current().pid() + ".pm");
        try {
            try (Arena arena = Arena.create(file, 1L << 30, 2048)) {
                arena.setRoot(0, 1);
            }
            final double[] nsPerKey = new double[runs];
            long keys = 0;
            for (int run = 0; run < runs; run++) {
                try (Arena arena = Arena.open(file)) {
                    keys = arena.geometry().bufferCount();
                    final int records = arena.geometry().recordCount();
                    final long start = System.nanoTime();
                    final io.pktstore.arena.Recovery recovery = arena.recover();
                    for (int i = 0; i < keys; i++) {
                        recovery.markRecord(i);
                        recovery.markRecord(records - 1 - i);
                        recovery.markBuffer(i);
                    }
                    final io.pktstore.arena.RecoveryReport report = recovery.finish();
                    nsPerKey[run] = (double) (System.nanoTime() - start) / keys;
                    blackhole(report.liveRecords());
                }
            }
            System.out.printf(Locale.ROOT, "%nRecovery, 1 GiB tmpfs arena, %d keys (2 records + 1 buffer each) all reachable:"
                + " median %.1f ns per key = %.1f M keys/s (marking + free-list rebuild only, no index walk)%n",
                keys, median(nsPerKey), 1e3 / median(nsPerKey));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double median(final double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static volatile long blackholeValue;

    private static void blackhole(final long v) {
        blackholeValue = v;
    }

    private static void reportDax() throws IOException {
        final Path probe = Path.of("/dev/shm", "pktstore-arena-dax-probe-" + ProcessHandle.current().pid());
        try (MappedPmRegion region = MappedPmRegion.open(probe, 1 << 20, PersistMode.DAX_MAP_SYNC)) {
            System.out.println("DAX_MAP_SYNC available on " + region.file() + " (unexpected on tmpfs)");
        } catch (final ArenaException e) {
            System.out.println("DAX_MAP_SYNC: not available on this machine (no /dev/pmem*, /dev/dax*; MAP_SYNC on "
                + "tmpfs: " + e.getMessage().replaceAll(".*: ", "") + "); not measured");
        } finally {
            Files.deleteIfExists(probe);
        }
        final List<String> devices = new ArrayList<>();
        for (final String d : new String[] {"/dev/pmem0", "/dev/dax0.0"}) {
            if (Files.exists(Path.of(d))) {
                devices.add(d);
            }
        }
        if (!devices.isEmpty()) {
            System.out.println("note: PM devices present but not benchmarked here: " + devices);
        }
    }

    private static void printMachine() throws IOException {
        String cpu = "unknown CPU";
        for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        System.out.printf(Locale.ROOT, "machine: %s, %d CPUs available (shared), Java %s, %s%n", cpu,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), System.getProperty("os.version"));
    }
}
