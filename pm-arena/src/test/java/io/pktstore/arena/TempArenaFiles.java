package io.pktstore.arena;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Unique arena file paths on tmpfs (/dev/shm) or a block file system (/var/tmp) for one test,
 * deleted by {@link #close()} (also after a failure, via try-with-resources or @AfterEach).
 */
final class TempArenaFiles implements AutoCloseable {
    static final Path TMPFS_DIR = Path.of("/dev/shm");
    static final Path BLOCK_DIR = Path.of("/var/tmp");

    private final List<Path> paths = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(System.nanoTime());

    /** @return a path in {@code dir} that does not exist yet */
    Path newPath(final Path dir) {
        final Path p = dir.resolve("pktstore-arena-test-" + Long.toHexString(random.nextLong()) + ".pm");
        paths.add(p);
        return p;
    }

    Path tmpfs() {
        return newPath(TMPFS_DIR);
    }

    Path block() {
        return newPath(BLOCK_DIR);
    }

    @Override
    public void close() throws IOException {
        for (final Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
