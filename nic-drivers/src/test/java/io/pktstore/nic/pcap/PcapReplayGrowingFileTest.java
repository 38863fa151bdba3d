package io.pktstore.nic.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pktstore.nic.DeviceException;
import io.pktstore.nic.host.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Replay sizes its frame store from the file's size before libpcap reads it; a capture that holds
 * more than that by the time it is read (a file still being written, a named pipe whose size is 0)
 * must be refused with a typed error, never copied past the end of the store.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapReplayGrowingFileTest
{
    @Test
    void aCaptureLargerThanItsSizeAtOpenIsRefusedNotCopiedPastTheStore(@TempDir final Path dir) throws Exception
    {
        final Path fifo = dir.resolve("live.pcap");
        Commands.check("mkfifo", fifo.toString());
        final byte[] capture = capture(3, 1000);
        final AtomicBoolean done = new AtomicBoolean();
        // Feeds the pipe to every opener (the magic check, then libpcap); the first closes after 4 bytes.
        final Thread writer = new Thread(() ->
        {
            while (!done.get())
            {
                try (OutputStream out = Files.newOutputStream(fifo))
                {
                    out.write(capture);
                }
                catch (final IOException brokenPipe)
                {
                    // the reader closed early: the next opener gets the whole capture again
                }
            }
        }, "pcap-fifo-writer");
        writer.setDaemon(true);
        writer.start();
        try
        {
            final DeviceException ex = assertThrows(DeviceException.class, () -> PcapReplayDevice.open(fifo).close());
            assertTrue(ex.getMessage().contains(fifo.toString()), ex.getMessage());
        }
        finally
        {
            done.set(true);
            // Unblock a writer waiting in open() for a reader that will not come: opening a FIFO
            // read-write never blocks, and the capture fits the pipe buffer.
            try (var unblock = new java.io.RandomAccessFile(fifo.toFile(), "rw"))
            {
                assertTrue(unblock.getFD().valid());
            }
            writer.join(10_000);
        }
    }

    /** A classic little-endian pcap with {@code frames} frames of {@code length} bytes. */
    private static byte[] capture(final int frames, final int length)
    {
        final ByteBuffer b = ByteBuffer.allocate(24 + frames * (16 + length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (int f = 0; f < frames; f++)
        {
            b.putInt(1_700_000_000 + f).putInt(0).putInt(length).putInt(length);
            for (int i = 0; i < length; i++)
            {
                b.put((byte)(f + i));
            }
        }
        return b.array();
    }
}
