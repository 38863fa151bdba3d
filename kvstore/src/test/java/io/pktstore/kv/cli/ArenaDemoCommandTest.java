package io.pktstore.kv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArenaDemoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args) {
        final CommandLine cl = PktstoreCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void storesReopensRecoversAndVerifiesEveryValue(@TempDir final Path dir) {
        final Path file = dir.resolve("demo.arena");
        assertEquals(0, run("arena-demo", "--arena", file.toString(), "--size", "8m", "--values", "300"), err.toString());
        final String text = out.toString();
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
        assertEquals(1, run("arena-demo", "--arena", file.toString(), "--size", "8m", "--keep"));
        assertTrue(err.toString().contains("refusing to format"), err.toString());
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag() {
        assertEquals(2, run("arena-demo", "--values", "lots"));
        assertTrue(err.toString().contains("--values"), err.toString());
        assertEquals(1, run("arena-demo", "--size", "12q"));
        assertTrue(err.toString().contains("not a size: '12q'"), err.toString());
        assertEquals(2, run("no-such-command"));
    }
}
