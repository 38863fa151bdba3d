package io.pktstore.system;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the committed captures of real sessions (kernel clients and a node over veth, recorded by
 * {@link RecordCaptures} with --record) into a fresh node through the pcap driver, on the capture's
 * clock and with the recorded TCP seed. The node must send exactly what the recorded node sent (every
 * byte, at the same clock) and end with exactly the store the recorded node had.
 *
 * <p>The normalisation that makes a replay exact, done at recording and replay time rather than by
 * masking bytes afterwards (docs/replay.md): the stack's clock is the duty cycle's clock stamped on
 * every recorded frame, so TCP timestamps, ISNs and timers compute the same values; the TCP seed is
 * fixed; checksums the kernel left to offload are completed in the recording.
 */
class CaptureReplaySystemTest
{
    static final List<String> CAPTURES = RecordCaptures.NAMES;

    @ParameterizedTest
    @FieldSource("CAPTURES")
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aReplayedCaptureSendsTheRecordedFramesAndLeavesTheRecordedStore(final String name, @TempDir final Path dir)
        throws Exception
    {
        final Path capture = resource(name + ".pcap", dir);
        final String expectedKeys = Files.readString(resource(name + ".keys", dir));
        final Path replayed = dir.resolve("replayed.pcap");
        final Path arena = Path.of("/dev/shm", "pks-replay-" + ProcessHandle.current().pid() + "-" + name + ".arena");
        Files.deleteIfExists(arena);
        try
        {
            final NodeProcess replay = NodeProcess.run(List.of("serve", "--driver", "PCAP", "--replay", capture.toString(),
                "--record", replayed.toString(), "--tcp-seed", RecordCaptures.TCP_SEED, "--address", TestHost.NODE_CIDR,
                "--arena", arena.toString(), "--arena-size", "32m"), 120);
            assertEquals(0, replay.exitStatus(), replay.output());
            assertTrue(replay.output().contains("(" + RecordCaptures.NODE_MAC + ") on capture"), replay.output());
            final List<CaptureFrames.Frame> recorded = CaptureFrames.sentBy(capture, RecordCaptures.NODE_MAC);
            final List<CaptureFrames.Frame> sent = CaptureFrames.sentBy(replayed, RecordCaptures.NODE_MAC);
            assertTrue(recorded.size() > 10, "the capture holds the node's frames: " + recorded.size());
            assertNull(CaptureFrames.firstDifference(recorded, sent), name + ": the replay sent other frames");
            assertEquals(expectedKeys, RecordCaptures.keysOf(arena), name + ": the store differs from the recorded node's");
            System.out.printf("CaptureReplaySystemTest: %s: %d frames sent identically, %d keys identical%n", name,
                sent.size(), expectedKeys.lines().count());
        }
        finally
        {
            Files.deleteIfExists(arena);
        }
    }

    @org.junit.jupiter.api.Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aReplayWithAnotherTcpSeedIsCaughtSendingOtherFrames(@TempDir final Path dir) throws Exception
    {
        final Path capture = resource("redis-cli.pcap", dir);
        final Path replayed = dir.resolve("replayed.pcap");
        final Path arena = Path.of("/dev/shm", "pks-replay-seed-" + ProcessHandle.current().pid() + ".arena");
        Files.deleteIfExists(arena);
        try
        {
            final NodeProcess replay = NodeProcess.run(List.of("serve", "--driver", "PCAP", "--replay", capture.toString(),
                "--record", replayed.toString(), "--tcp-seed", "8", "--address", TestHost.NODE_CIDR, "--arena",
                arena.toString(), "--arena-size", "32m"), 120);
            assertEquals(0, replay.exitStatus(), replay.output());
            final String difference = CaptureFrames.firstDifference(CaptureFrames.sentBy(capture, RecordCaptures.NODE_MAC),
                CaptureFrames.sentBy(replayed, RecordCaptures.NODE_MAC));
            // the ARP frames match; the first SYN-ACK carries another ISN
            assertTrue(difference != null && difference.startsWith("frame 2 of"), String.valueOf(difference));
        }
        finally
        {
            Files.deleteIfExists(arena);
        }
    }

    /** @return a copy of a capture resource on disk. */
    static Path resource(final String name, final Path dir) throws Exception
    {
        try (InputStream in = CaptureReplaySystemTest.class.getResourceAsStream("/captures/" + name))
        {
            if (in == null)
            {
                throw new IllegalStateException("no capture resource " + name + " (record them with RecordCaptures)");
            }
            final Path file = dir.resolve(name);
            Files.write(file, in.readAllBytes());
            return file;
        }
    }
}
