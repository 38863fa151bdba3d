package io.pktstore.kv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArenaDemoCommandTest {
    private final CommandRun cli = new CommandRun();

    @Test
    void storesReopensRecoversAndVerifiesEveryValue(@TempDir final Path dir) {
        final Path file = dir.resolve("demo.arena");
        assertEquals(0, cli.run("arena-demo", "--arena", file.toString(), "--size", "8m", "--values", "300"), cli.err());
        final String text = cli.out();
        assertTrue(text.contains("300 of 300 values intact"), text);
        assertTrue(text.contains("clean shutdown: true"), text);
        assertTrue(text.contains("300 live records, 300 live buffers"), text);
        assertFalse(Files.exists(file), "the demo removes its file unless --keep");
    }

    @Test
    void refusesAnExistingNonEmptyFileAndLeavesItUntouched(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("precious.dat");
        final byte[] content = "not an arena, and not to be formatted".getBytes();
        Files.write(file, content);
        assertEquals(1, cli.run("arena-demo", "--arena", file.toString(), "--size", "8m", "--keep"));
        assertTrue(cli.err().contains("refusing to format"), cli.err());
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void refusesAnExistingFileAndNeverDeletesItEvenWithoutKeep(@TempDir final Path dir) throws Exception {
        // e.g. 'arena-demo --arena /dev/shm/pktstore.arena' pointed at the node's real arena by mistake
        final Path file = dir.resolve("node.arena");
        final byte[] content = "the node's arena, not the demo's".getBytes();
        Files.write(file, content);
        assertEquals(1, cli.run("arena-demo", "--arena", file.toString(), "--size", "8m"));
        assertTrue(cli.err().contains("refusing to format"), cli.err());
        assertTrue(Files.exists(file), "the demo deleted a file it refused to format");
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag() {
        assertEquals(2, cli.run("arena-demo", "--values", "lots"));
        assertTrue(cli.err().contains("--values"), cli.err());
        assertEquals(1, cli.run("arena-demo", "--size", "12q"));
        assertTrue(cli.err().contains("not a size: '12q'"), cli.err());
        assertEquals(2, cli.run("no-such-command"));
    }
}
