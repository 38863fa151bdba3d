package io.pktstore.kv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The arena lock must hold against another PROCESS, not only against this JVM: the lock is a POSIX
 * record lock (fcntl), which the kernel drops when the process closes ANY descriptor of the file, and
 * mapping the arena opens and closes descriptors of that same file.
 */
class ArenaFileLockTest {

    @Test
    @Timeout(60)
    void anotherProcessIsRefusedWhileTheArenaIsHeld_newFile(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("held.arena");
        try (StoreFile held = StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults())) {
            assertProbeRefused(file);
        }
    }

    @Test
    @Timeout(60)
    void anotherProcessIsRefusedWhileTheArenaIsHeld_existingArena(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("held.arena");
        StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults()).close();
        try (StoreFile held = StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults())) {
            assertProbeRefused(file);
        }
        // Released on close: a later process may open it.
        assertEquals("OPENED", probe(file));
    }

    private static void assertProbeRefused(final Path file) throws Exception {
        final String out = probe(file);
        assertTrue(out.startsWith("REFUSED: ") && out.contains("in use by another pktstore process"),
            "a second process opened an arena this process holds: " + out);
    }

    private static String probe(final Path file) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ArenaFileLockProbe.class.getName(),
            file.toString()));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(50, TimeUnit.SECONDS), "probe JVM did not exit");
        return out.strip().lines().reduce((a, b) -> b).orElse("");
    }
}
