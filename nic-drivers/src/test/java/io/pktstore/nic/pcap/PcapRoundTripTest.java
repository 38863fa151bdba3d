package io.pktstore.nic.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.DeviceException;
import io.pktstore.nic.TimestampSource;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** Recording any device's traffic to a nanosecond pcap, replaying it, and tools reading it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapRoundTripTest
{
    /** An epoch time with all nine nanosecond digits in use. */
    private static final long T0 = 1_763_900_000_123_456_789L;
    private static final int RECEIVED = 5;

    @TempDir
    Path dir;

    private static byte[] frame(final int i)
    {
        final byte[] payload = new byte[20 + i * 100];
        Arrays.fill(payload, (byte)i);
        return Packets.udp("02:00:00:00:00:02", "02:00:00:00:00:01", "198.18.5.1", "198.18.5.2", 1000 + i, 2000,
            payload);
    }

    /** Records 5 frames received by B (sent by A at T0 + i*1001 ns) and 1 frame B sends at T0 + 1 s. */
    private List<byte[]> record(final Path file)
    {
        final List<byte[]> written = new ArrayList<>();
        final InMemoryLink link = InMemoryLink.pair();
        try (PcapRecordingDevice recorder = PcapRecordingDevice.open(link.b(), file, 0))
        {
            final TxBurst tx = new TxBurst(1, 1);
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            for (int i = 0; i < RECEIVED; i++)
            {
                final byte[] f = frame(i);
                written.add(f);
                tx.clear();
                tx.beginFrame();
                tx.addSegment(NativeFrames.address(NativeFrames.direct(f)), f.length);
                link.a().transmit(tx, T0 + i * 1001L);
            }
            assertEquals(RECEIVED, recorder.receive(mem.burst, 0));
            final byte[] out = frame(9);
            written.add(out);
            // Sent as a gather list of two pieces: the recording must hold them joined.
            final TxBurst gather = new TxBurst(1, 2);
            gather.beginFrame();
            gather.addSegment(NativeFrames.address(NativeFrames.direct(Arrays.copyOf(out, 42))), 42);
            gather.addSegment(NativeFrames.address(NativeFrames.direct(Arrays.copyOfRange(out, 42, out.length))),
                out.length - 42);
            assertEquals(1, recorder.transmit(gather, T0 + 1_000_000_000L));
            assertEquals(RECEIVED + 1, recorder.recordedFrames());
        }
        return written;
    }

    private static long expectedTimestamp(final int i)
    {
        return i < RECEIVED ? T0 + i * 1001L : T0 + 1_000_000_000L;
    }

    @Test
    void recordedCaptureReplaysWithIdenticalBytesAndNanosecondTimestamps()
    {
        final Path file = dir.resolve("rt.pcap");
        final List<byte[]> written = record(file);
        try (PcapReplayDevice replay = PcapReplayDevice.open(file))
        {
            assertEquals(TimestampSource.CAPTURE, replay.capabilities().timestampSource());
            assertEquals(written.size(), replay.frameCount());
            final NativeFrames.BurstMemory mem = NativeFrames.burst(4, 2048);
            int seen = 0;
            int n;
            while ((n = replay.receive(mem.burst, 0)) > 0)
            {
                for (int i = 0; i < n; i++, seen++)
                {
                    assertArrayEquals(written.get(seen), NativeFrames.frame(mem.burst, i), "frame " + seen);
                    assertEquals(expectedTimestamp(seen), mem.burst.timestampNs(i), "timestamp of frame " + seen);
                    assertEquals(written.get(seen).length, mem.burst.wireLength(i));
                }
            }
            assertEquals(written.size(), seen);
            assertEquals(0, replay.remaining());
        }
    }

    @Test
    void tsharkAndTcpdumpReadTheRecording()
    {
        final Path file = dir.resolve("tools.pcap");
        final List<byte[]> written = record(file);
        final CommandResult tshark = Commands.run(List.of("tshark", "-r", file.toString(), "-T", "fields",
            "-e", "frame.time_epoch", "-e", "frame.len", "-e", "udp.srcport"));
        assertEquals(0, tshark.exitCode(), tshark.toString());
        final String[] lines = tshark.stdout().strip().split("\n");
        assertEquals(written.size(), lines.length, tshark.stdout());
        for (int i = 0; i < lines.length; i++)
        {
            final String[] f = lines[i].split("\t");
            final long ts = expectedTimestamp(i);
            final String epoch = (ts / 1_000_000_000L) + "." + String.format("%09d", ts % 1_000_000_000L);
            assertEquals(epoch, f[0], "tshark's nanosecond timestamp of frame " + i);
            assertEquals(Integer.toString(written.get(i).length), f[1]);
            assertEquals(Integer.toString(Packets.u16(written.get(i), 34)), f[2]);
        }
        final CommandResult tcpdump = Commands.run(List.of("tcpdump", "-r", file.toString(), "-nn",
            "--time-stamp-precision=nano", "-tt"));
        assertEquals(0, tcpdump.exitCode(), tcpdump.toString());
        final String[] dumped = tcpdump.stdout().strip().split("\n");
        assertEquals(written.size(), dumped.length, tcpdump.stdout());
        assertTrue(dumped[0].startsWith("1763900000.123456789 IP 198.18.5.1.1000 > 198.18.5.2.2000: UDP"), dumped[0]);
    }

    @Test
    void pcapngWrittenByTsharkReplaysToo()
    {
        final Path file = dir.resolve("in.pcap");
        final List<byte[]> written = record(file);
        final Path ng = dir.resolve("out.pcapng");
        final CommandResult convert = Commands.run(List.of("tshark", "-r", file.toString(), "-F", "pcapng",
            "-w", ng.toString()));
        assertEquals(0, convert.exitCode(), convert.toString());
        try (PcapReplayDevice replay = PcapReplayDevice.open(ng))
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(16, 2048);
            assertEquals(written.size(), replay.receive(mem.burst, 0));
            for (int i = 0; i < written.size(); i++)
            {
                assertArrayEquals(written.get(i), NativeFrames.frame(mem.burst, i));
                assertEquals(expectedTimestamp(i), mem.burst.timestampNs(i));
            }
        }
    }

    @Test
    void originalTimingReleasesFramesAsTheInjectedClockAdvances()
    {
        final Path file = dir.resolve("paced.pcap");
        record(file);
        try (PcapReplayDevice replay = PcapReplayDevice.open(file, PcapReplayDevice.Pacing.ORIGINAL_TIMING))
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(16, 2048);
            final long start = 500;
            assertEquals(1, replay.receive(mem.burst, start), "first frame at once");
            assertEquals(0, replay.receive(mem.burst, start + 1000), "second frame is 1001 ns later");
            assertEquals(1, replay.receive(mem.burst, start + 1001));
            assertEquals(3, replay.receive(mem.burst, start + 999_999_999L), "frames 2..4");
            assertEquals(1, replay.receive(mem.burst, start + 1_000_000_000L), "the last frame, 1 s after the first");
        }
    }

    @Test
    void dutyCycleStampingStampsReceivedFramesWithTheCallersClock()
    {
        final Path file = dir.resolve("cycle.pcap");
        final InMemoryLink link = InMemoryLink.pair();
        try (PcapRecordingDevice recorder = PcapRecordingDevice.open(link.b(), file, 7,
            PcapRecordingDevice.Stamping.DUTY_CYCLE))
        {
            final TxBurst tx = new TxBurst(1, 1);
            for (int i = 0; i < 2; i++)
            {
                final byte[] f = frame(i);
                tx.clear();
                tx.beginFrame();
                tx.addSegment(NativeFrames.address(NativeFrames.direct(f)), f.length);
                link.a().transmit(tx, T0 + i);
            }
            assertEquals(2, recorder.receive(NativeFrames.burst(8, 2048).burst, 5_000));
        }
        try (PcapReplayDevice replay = PcapReplayDevice.open(file))
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            assertEquals(2, replay.receive(mem.burst, 0));
            assertEquals(5_007, mem.burst.timestampNs(0), "the receive call's clock plus the offset, not the sender's");
            assertEquals(5_007, mem.burst.timestampNs(1));
        }
    }

    @Test
    void theCaptureClockStepsThroughEveryFrameAndSkipsTheRecordedNodesOwn()
    {
        final Path file = dir.resolve("clock.pcap");
        record(file);   // frames 0..4 from 02:00:00:00:00:01 at T0 + i*1001 ns, then frame 9 at T0 + 1 s
        try (PcapReplayDevice replay = PcapReplayDevice.open(file, PcapReplayDevice.Pacing.CAPTURE_CLOCK))
        {
            final org.agrona.concurrent.NanoClock clock = replay.captureClock();
            final NativeFrames.BurstMemory mem = NativeFrames.burst(2, 2048);
            assertEquals(T0, clock.nanoTime(), "before the first receive: the first frame's time");
            assertEquals(0x0200_0000_0001L, replay.sourceMacOf(0xC612_0501), "198.18.5.1 sent from 02:00:00:00:00:01");
            assertEquals(0, replay.sourceMacOf(0xC612_0599));
            assertEquals(1, replay.receive(mem.burst, clock.nanoTime()), "only the frame due now");
            assertEquals(T0 + 1001, clock.nanoTime(), "then the next frame's time");
            assertEquals(1, replay.receive(mem.burst, clock.nanoTime()));
            assertEquals(T0 + 2002, clock.nanoTime());
            replay.skipFramesFrom(0x0200_0000_0001L);
            assertEquals(0, replay.receive(mem.burst, clock.nanoTime()), "the recorded node's own frame is not handed out");
            assertEquals(1, replay.skippedFrames());
            assertEquals(T0 + 3003, clock.nanoTime(), "but its time still comes");
            replay.skipFramesFrom(0);
            final NativeFrames.BurstMemory one = NativeFrames.burst(1, 2048);
            assertEquals(1, replay.receive(one.burst, T0 + 999_999_999L), "frame 3 fills the burst");
            assertEquals(T0 + 999_999_999L, clock.nanoTime(), "frame 4 is still due: the clock waits");
            assertEquals(1, replay.receive(one.burst, clock.nanoTime()));
            assertEquals(T0 + 1_000_000_000L, clock.nanoTime());
            assertEquals(1, replay.receive(mem.burst, clock.nanoTime()));
            assertEquals(T0 + 1_000_000_000L, clock.nanoTime(), "after the last frame the clock stays");
        }
        try (PcapReplayDevice replay = PcapReplayDevice.open(file, PcapReplayDevice.Pacing.CAPTURE_CLOCK))
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            replay.receive(mem.burst, T0 + 5000);
            assertEquals(T0 + 5000 + PcapReplayDevice.CAPTURE_CLOCK_STEP_NS, replay.captureClock().nanoTime(),
                "a long gap is crossed in steps, so timers due in it fire in it");
        }
    }

    @Test
    void garbageFileIsRefusedNamingFileAndOffset() throws IOException
    {
        final Path garbage = dir.resolve("garbage.pcap");
        Files.write(garbage, "this is not a capture file at all".getBytes());
        final PcapFormatException ex = assertThrows(PcapFormatException.class, () -> PcapReplayDevice.open(garbage));
        assertTrue(ex.getMessage().contains(garbage.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("byte offset 0"), ex.getMessage());
        assertTrue(ex.getMessage().contains("magic number 0x74686973"), ex.getMessage());

        final Path tiny = dir.resolve("tiny.pcap");
        Files.write(tiny, new byte[] {(byte)0xd4, (byte)0xc3});
        final PcapFormatException short2 = assertThrows(PcapFormatException.class, () -> PcapReplayDevice.open(tiny));
        assertTrue(short2.getMessage().contains("file ends after 2 bytes"), short2.getMessage());
    }

    @Test
    void truncatedFileIsRefusedNamingTheOffsetOfTheBrokenRecord() throws IOException
    {
        final Path file = dir.resolve("whole.pcap");
        final List<byte[]> written = record(file);
        final byte[] bytes = Files.readAllBytes(file);
        final Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
        final PcapFormatException ex = assertThrows(PcapFormatException.class, () -> PcapReplayDevice.open(cut));
        long lastRecord = 24;
        for (int i = 0; i < written.size() - 1; i++)
        {
            lastRecord += 16 + written.get(i).length;
        }
        assertEquals(lastRecord, ex.offset());
        assertTrue(ex.getMessage().contains(cut.toString()) && ex.getMessage().contains("byte offset " + lastRecord),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("after " + (written.size() - 1) + " complete frames"), ex.getMessage());

        final Path headerOnly = dir.resolve("header-only.pcap");
        Files.write(headerOnly, Arrays.copyOf(bytes, 10));
        assertThrows(PcapFormatException.class, () -> PcapReplayDevice.open(headerOnly));
    }

    @Test
    void missingFileIsADeviceErrorNamingIt()
    {
        final Path missing = dir.resolve("nope.pcap");
        final DeviceException ex = assertThrows(DeviceException.class, () -> PcapReplayDevice.open(missing));
        assertTrue(ex.getMessage().contains(missing.toString()), ex.getMessage());
    }
}
