package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real process crash on a tmpfs arena: a child JVM commits entries and is killed with SIGKILL
 * (by its pid, via Process.destroyForcibly) in the middle of its loop. Every entry the child
 * acknowledged must be there after recovery, intact, with nothing torn; the state must say
 * "unclean". (A kill -9 keeps page-cache/tmpfs data, so this proves process-crash safety only;
 * power-loss behaviour is what the crash simulator tests.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessCrashTest {

    @Test
    void everyAcknowledgedEntrySurvivesSigkill() throws Exception {
        try (TempArenaFiles files = new TempArenaFiles()) {
            final Path file = files.tmpfs();
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("--add-")) {
                    command.add(arg);
                }
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(ProcessCrashChild.class.getName());
            command.add(file.toString());
            command.add("1000000");
            final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            long lastAck = 0;
            String modeLine = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                // Kill at a point that depends on nothing we control: after a fixed number of acks,
                // while the child keeps committing (it is usually thousands ahead in the pipe).
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("READY")) {
                        modeLine = line;
                    } else if (line.startsWith("ACK ")) {
                        lastAck = Long.parseLong(line.substring(4));
                        if (lastAck == 3000) {
                            break;
                        }
                    } else {
                        throw new AssertionError("child said: " + line);
                    }
                }
            } finally {
                child.destroyForcibly(); // SIGKILL to this pid
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            assertEquals("READY TMPFS_WRITEBACK", modeLine);
            assertEquals(3000, lastAck, "child stopped before 3000 commits");
            assertEquals(137, child.exitValue(), "child must have died of SIGKILL, not exited");

            try (Arena arena = Arena.open(file)) {
                assertFalse(arena.wasCleanShutdown(), "a killed process cannot have shut down cleanly");
                final Recovery recovery = arena.recover();
                long link = arena.root(0);
                long expectedSeq = -1;
                long count = 0;
                while (link != 0) {
                    final int r = (int) (link - 1);
                    final long rec = arena.recordAddress(r);
                    final int b = UnsafeApi.getInt(rec + ProcessCrashChild.BUFFER_OFFSET);
                    final int length = UnsafeApi.getInt(rec + ProcessCrashChild.LENGTH_OFFSET);
                    final long seq = UnsafeApi.getLong(rec + ProcessCrashChild.SEQ_OFFSET);
                    if (expectedSeq < 0) {
                        expectedSeq = seq;
                        assertTrue(seq >= lastAck, "head seq " + seq + " is older than the last ack " + lastAck);
                    }
                    assertEquals(expectedSeq, seq, "list is not the contiguous history");
                    assertTrue(length >= 1 && length <= arena.bufferSize());
                    final long buf = arena.bufferAddress(b);
                    for (int i = 0; i < length; i++) {
                        assertEquals(ProcessCrashChild.payloadByte(seq, i), UnsafeApi.getByte(buf + i),
                            "payload of entry " + seq + " byte " + i);
                    }
                    recovery.markRecord(r);
                    recovery.markBuffer(b);
                    expectedSeq--;
                    count++;
                    link = UnsafeApi.getLong(rec + ProcessCrashChild.NEXT_OFFSET);
                }
                assertEquals(0, expectedSeq, "entries down to 1 are all present");
                final RecoveryReport report = recovery.finish();
                assertEquals(count, report.liveRecords());
                assertEquals(count, report.liveBuffers());
                assertFalse(report.wasCleanShutdown());
            }
        }
    }
}
