package io.pktstore.kv.cli;

import io.pktstore.arena.ArenaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
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
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args) {
        final CommandLine cl = PktstoreCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    @Timeout(120)
    void servesKernelTcpClientsOnItsOwnVethPairThenRemovesIt(@TempDir final Path dir) throws Exception {
        final Path arena = dir.resolve("node.arena");
        assertEquals(0, run("serve", "--self-check", "--arena", arena.toString(), "--arena-size", "32m"), out + "\n" + err);
        final String text = out.toString();
        assertTrue(text.contains("self-check passed: echo 65536 True;discard True"), text);
        assertTrue(text.contains("echo: 1 connections, 65536 bytes; discard: 1 connections, 1048576 bytes"), text);
        final Matcher ns = Pattern.compile("peer namespace (pks[0-9a-f]+n)").matcher(text);
        assertTrue(ns.find(), text);
        assertFalse(Files.exists(Path.of("/run/netns", ns.group(1))), "namespace " + ns.group(1) + " left behind");

        // Reopening the same arena: recovered, and it says the previous shutdown was clean.
        out.getBuffer().setLength(0);
        assertEquals(0, run("serve", "--duration", "1", "--arena", arena.toString()), out + "\n" + err);
        assertTrue(out.toString().contains("opened (previous shutdown clean"), out.toString());
    }

    @Test
    void refusesAFileThatIsNotAnArenaAndLeavesItUntouched(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("notes.txt");
        final byte[] content = new byte[8192];
        java.util.Arrays.fill(content, (byte) 'x');
        Files.write(file, content);
        assertEquals(1, run("serve", "--duration", "1", "--arena", file.toString()));
        assertTrue(err.toString().toLowerCase().contains("not an arena") || err.toString().contains("magic"), err.toString());
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
        assertEquals(2, run("serve", "--interface", "eth9"));
        assertTrue(err.toString().contains("--interface needs --address"), err.toString());
        assertEquals(2, run("serve", "--address", "10.0.0.5/24"));
        assertTrue(err.toString().contains("198.18.0.0/24"), err.toString());
        assertEquals(2, run("serve", "--address", "banana"));
        assertEquals(2, run("serve", "--duration", "-3"));
        assertEquals(2, run("serve", "--idle", "SOMETIMES"));
        assertEquals(1, run("serve", "--arena-size", "lots", "--arena", "/dev/shm/pks-never-created.arena"));
        assertTrue(err.toString().contains("not a size: 'lots'"), err.toString());
        assertFalse(Files.exists(Path.of("/dev/shm/pks-never-created.arena")));
    }
}
