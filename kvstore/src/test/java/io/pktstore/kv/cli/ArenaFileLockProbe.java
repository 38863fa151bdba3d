package io.pktstore.kv.cli;

import java.nio.file.Path;

/**
 * Child-JVM half of {@link ArenaFileLockTest}: tries to open the arena file named by its argument
 * the way a second {@code pktstore serve} would and prints "OPENED" or "REFUSED: message".
 */
public final class ArenaFileLockProbe {
    private ArenaFileLockProbe() {
    }

    public static void main(final String[] args) {
        try (StoreFile arena = StoreFile.open(Path.of(args[0]), 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults())) {
            System.out.println("OPENED");
        } catch (final RuntimeException e) {
            System.out.println("REFUSED: " + e.getMessage());
        }
    }
}
