package io.pktstore.kv.cli;

import io.pktstore.arena.ArenaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node's default mode, end to end: its own veth pair and namespace, the kernel's TCP as client. */
class ServeCommandTest {
    private final CommandRun cli = new CommandRun();

    @Test
    @Timeout(120)
    void servesKernelTcpClientsOnItsOwnVethPairThenRemovesIt(@TempDir final Path dir) throws Exception {
        final Path arena = dir.resolve("node.arena");
        assertEquals(0, cli.run("serve", "--self-check", "--arena", arena.toString(), "--arena-size", "32m"), cli.out() + "\n" + cli.err());
        final String text = cli.out();
        assertTrue(text.contains("self-check passed: echo 65536 True;discard True"), text);
        assertTrue(text.contains("echo: 1 connections, 65536 bytes; discard: 1 connections, 1048576 bytes"), text);
        final Matcher ns = Pattern.compile("peer namespace (pks[0-9a-f]+n)").matcher(text);
        assertTrue(ns.find(), text);
        assertFalse(Files.exists(Path.of("/run/netns", ns.group(1))), "namespace " + ns.group(1) + " left behind");

        // Reopening the same arena: recovered, and it says the previous shutdown was clean.
        cli.out.getBuffer().setLength(0);
        assertEquals(0, cli.run("serve", "--duration", "1", "--arena", arena.toString()), cli.out() + "\n" + cli.err());
        assertTrue(cli.out().contains("opened (previous shutdown clean"), cli.out());
    }

    @Test
    void refusesAFileThatIsNotAnArenaAndLeavesItUntouched(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("notes.txt");
        final byte[] content = new byte[8192];
        java.util.Arrays.fill(content, (byte) 'x');
        Files.write(file, content);
        assertEquals(1, cli.run("serve", "--duration", "1", "--arena", file.toString()));
        assertTrue(cli.err().contains(file + " is not a pktstore arena"), cli.err());
        assertFalse(cli.out().contains("arena closed"), "nothing was opened, nothing was closed: " + cli.out());
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void anArenaFileIsServedByOneProcessAtATime(@TempDir final Path dir) {
        final Path file = dir.resolve("shared.arena");
        try (ArenaFile first = ArenaFile.openOrCreate(file, 8 << 20)) {
            final ArenaException e = assertThrows(ArenaException.class, () -> ArenaFile.openOrCreate(file, 8 << 20));
            assertTrue(e.getMessage().contains("in use by another pktstore process"), e.getMessage());
            assertTrue(first.arena().freeBufferCount() > 0, "the first holder's arena is unharmed");
        }
    }

    @Test
    void aFailedCreateLeavesNoFileBehind(@TempDir final Path dir) {
        final Path file = dir.resolve("tiny.arena");
        assertThrows(ArenaException.class, () -> ArenaFile.openOrCreate(file, 4096));
        assertFalse(Files.exists(file), "an arena too small to format must not leave a file");
    }

    @Test
    void badFlagsAreUsageErrorsThatSayWhatIsWrong() {
        assertEquals(2, cli.run("serve", "--interface", "eth9"));
        assertTrue(cli.err().contains("--interface needs --address"), cli.err());
        assertEquals(2, cli.run("serve", "--address", "10.0.0.5/24"));
        assertTrue(cli.err().contains("198.18.0.0/24"), cli.err());
        assertEquals(2, cli.run("serve", "--address", "banana"));
        assertEquals(2, cli.run("serve", "--duration", "-3"));
        assertEquals(2, cli.run("serve", "--idle", "SOMETIMES"));
        assertEquals(1, cli.run("serve", "--arena-size", "lots", "--arena", "/dev/shm/pks-never-created.arena"));
        assertTrue(cli.err().contains("not a size: 'lots'"), cli.err());
        assertFalse(Files.exists(Path.of("/dev/shm/pks-never-created.arena")));
    }
}
