package io.pktstore.kv.cli;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.Recovery;
import io.pktstore.arena.RecoveryReport;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Exercises a real arena file end to end, the way the store will use it: writes values into payload
 * buffers, persists them, chains records, commits the chain with one 8-byte root store, closes,
 * reopens, recovers by walking from the root, and checks every byte came back. Prints the persistence
 * mode the file system gave and what recovery reclaimed.
 */
@Command(name = "arena-demo", mixinStandardHelpOptions = true,
    description = "Write, persist, link, reopen and recover values in a PM arena file; verify them.")
public final class ArenaDemoCommand implements Callable<Integer> {
    /** Root slot used by the demo chain; it holds head record + 1, so a formatted (zero) root means empty. */
    private static final int DEMO_ROOT = 0;
    /** Record field offsets this demo uses (a subset of the packet record layout). */
    private static final int BUFFER_INDEX_OFFSET = 0;
    private static final int NEXT_OFFSET = 4;
    private static final int LENGTH_OFFSET = 24;

    @Spec
    private CommandSpec spec;

    @Option(names = "--arena", description = "Arena file to create (must not exist; removed afterwards "
        + "unless --keep). Default: a new file in /dev/shm.")
    private Path arenaPath;

    @Option(names = "--size", defaultValue = "64m", description = "Arena file size (default ${DEFAULT-VALUE}).")
    private String size;

    @Option(names = "--values", defaultValue = "1000", description = "Values to store (default ${DEFAULT-VALUE}).")
    private int values;

    @Option(names = "--keep", description = "Keep the arena file afterwards.")
    private boolean keep;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        if (values < 1) {
            throw new IllegalArgumentException("--values must be at least 1, got " + values);
        }
        final long bytes = ByteSize.parse(size);
        final Path file = arenaPath != null ? arenaPath
            : Path.of("/dev/shm", "pktstore-demo-" + ProcessHandle.current().pid() + ".arena");
        // Only a file this run formatted is removed: one that create() refused (it holds data, maybe
        // the node's own arena) is left alone, --keep or not.
        boolean created = false;
        try {
            final int head;
            final long writeNs;
            try (Arena arena = Arena.create(file, bytes, ArenaGeometry.DEFAULT_BUFFER_SIZE)) {
                created = true;
                out.printf("created %s: %s, mode %s%n", file, arena.geometry(), arena.mode());
                final long start = System.nanoTime();
                head = writeChain(arena, values);
                writeNs = System.nanoTime() - start;
            }
            out.printf("stored %d values (write, persist, link, persist): %.0f ns per value; closed cleanly%n",
                values, (double) writeNs / values);
            try (Arena arena = Arena.open(file)) {
                final Recovery recovery = arena.recover();
                final int found = verifyChain(arena, head, recovery);
                final RecoveryReport report = recovery.finish();
                out.printf("reopened (clean shutdown: %s), walked the chain from root %d: %d of %d values intact%n",
                    report.wasCleanShutdown(), DEMO_ROOT, found, values);
                out.printf("recovery: %d live records, %d live buffers, %d records and %d buffers reclaimed%n",
                    report.liveRecords(), report.liveBuffers(), report.reclaimedRecords(), report.reclaimedBuffers());
                if (found != values) {
                    out.println("FAILED: values missing or damaged");
                    return 1;
                }
            }
            out.println("OK");
            return 0;
        } finally {
            if (created && !keep) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Writes value i into its own buffer and record, prepends it to the chain, commits via the root. */
    private static int writeChain(final Arena arena, final int count) {
        final UnsafeBuffer record = new UnsafeBuffer(0, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        int head = Arena.NONE;
        for (int i = 0; i < count; i++) {
            final byte[] value = valueOf(i);
            final int r = arena.allocateRecordOrThrow();
            final int b = arena.allocateBufferOrThrow();
            buffer.wrap(arena.bufferAddress(b), arena.bufferSize());
            buffer.putBytes(0, value);
            record.wrap(arena.recordAddress(r), ArenaGeometry.RECORD_SIZE);
            record.putInt(BUFFER_INDEX_OFFSET, b);
            record.putInt(NEXT_OFFSET, head);
            record.putShort(LENGTH_OFFSET, (short) value.length);
            // write, persist, link, persist: the root store is the commit point
            arena.persistBuffer(b, 0, value.length);
            arena.persistRecord(r);
            arena.barrier();
            arena.setRoot(DEMO_ROOT, r + 1L);
            head = r;
        }
        return head;
    }

    private static int verifyChain(final Arena arena, final int expectedHead, final Recovery recovery) {
        if (arena.root(DEMO_ROOT) != expectedHead + 1L) {
            return 0;
        }
        final UnsafeBuffer record = new UnsafeBuffer(0, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        int found = 0;
        int r = (int) arena.root(DEMO_ROOT) - 1;
        int i = Integer.MAX_VALUE;
        while (r != Arena.NONE && found <= arena.geometry().recordCount()) {
            record.wrap(arena.recordAddress(r), ArenaGeometry.RECORD_SIZE);
            final int b = record.getInt(BUFFER_INDEX_OFFSET);
            final int length = record.getShort(LENGTH_OFFSET) & 0xFFFF;
            buffer.wrap(arena.bufferAddress(b), arena.bufferSize());
            final byte[] stored = new byte[length];
            buffer.getBytes(0, stored);
            final String text = new String(stored, StandardCharsets.US_ASCII);
            final int n = Integer.parseInt(text.substring(text.indexOf('#') + 1));
            if (n >= i || !java.util.Arrays.equals(stored, valueOf(n))) {
                break;
            }
            i = n;
            recovery.markRecord(r);
            recovery.markBuffer(b);
            found++;
            r = record.getInt(NEXT_OFFSET);
        }
        return found;
    }

    private static byte[] valueOf(final int i) {
        return ("pktstore demo value #" + i).getBytes(StandardCharsets.US_ASCII);
    }
}
