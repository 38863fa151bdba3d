package io.pktstore.nic.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.TimeoutException;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.DeviceCapabilities;
import io.pktstore.nic.DeviceException;
import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TimestampSource;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.Frames;
import org.agrona.BufferUtil;
import org.agrona.concurrent.NanoClock;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Replays a .pcap or .pcapng capture (read with Pcap4J/libpcap at nanosecond precision) as the
 * receive side of a device, each frame with its original capture timestamp and original wire length.
 * The whole capture is read and validated when the device is opened - a garbage or truncated file
 * fails there with a {@link PcapFormatException} - and held in one native block, so receive neither
 * allocates nor fails. Transmitted frames go nowhere but are counted.
 *
 * <p>Pacing: {@link Pacing#AS_FAST_AS_POSSIBLE} hands out frames as fast as receive is called;
 * {@link Pacing#ORIGINAL_TIMING} hands out a frame only once the caller's clock has advanced, since
 * the first receive call, by as much as the capture's clock had since its first frame;
 * {@link Pacing#CAPTURE_CLOCK} makes the capture the caller's clock (see {@link #captureClock()}).
 *
 * <p>Replaying a node's own recording: {@link #skipFramesFrom(long)} names the recorded node's MAC;
 * the frames it sent are then not handed out (the replaying node sends its own), but their stamps
 * still step the capture clock, so a frame the recorded node sent from a timer is due again at the
 * same moment.
 */
public final class PcapReplayDevice implements FrameDevice
{
    /** When frames are handed out. */
    public enum Pacing
    {
        /** Every receive call returns as many frames as fit. */
        AS_FAST_AS_POSSIBLE,
        /** A frame becomes receivable when nowNs - start >= its timestamp - first timestamp. */
        ORIGINAL_TIMING,
        /**
         * The caller's clock is {@link #captureClock()}: a frame is receivable when nowNs >= its own
         * timestamp, and each receive call moves the clock on to the next frame's timestamp, in steps of
         * at most {@link #CAPTURE_CLOCK_STEP_NS} so timers due in between fire in between.
         */
        CAPTURE_CLOCK
    }

    /**
     * The longest step of the capture clock between two frames: shorter than the stack's timer tick
     * (about 1 ms), so its timer wheel, which advances a tick per poll, keeps up as it does live.
     */
    public static final long CAPTURE_CLOCK_STEP_NS = 500_000L;

    /** Largest capture accepted (all of it is held in memory). */
    public static final long MAX_CAPTURE_BYTES = 512L * 1024 * 1024;
    private static final int PCAP_GLOBAL_HEADER = 24;
    private static final int PCAP_RECORD_HEADER = 16;

    private final Path file;
    private final Pacing pacing;
    /** Holds every frame; kept as a field so the native memory at dataAddress stays reachable. */
    private final ByteBuffer data;
    private final long dataAddress;
    private final long[] frameOffset;
    private final int[] frameLength;
    private final int[] wireLength;
    private final long[] timestampNs;
    private final DeviceCapabilities capabilities;
    private final DeviceStatistics statistics = new DeviceStatistics();
    private final CaptureClock clock = new CaptureClock();
    private int next;
    private long startNowNs = Long.MIN_VALUE;
    private long skippedSourceMac;
    private int skipped;
    private boolean closed;

    private PcapReplayDevice(
        final Path file, final Pacing pacing, final ByteBuffer data, final long[] frameOffset, final int[] frameLength,
        final int[] wireLength, final long[] timestampNs, final int snaplen)
    {
        this.file = file;
        this.pacing = pacing;
        this.data = data;
        this.dataAddress = BufferUtil.address(data);
        this.frameOffset = frameOffset;
        this.frameLength = frameLength;
        this.wireLength = wireLength;
        this.timestampNs = timestampNs;
        capabilities = new DeviceCapabilities(Math.max(0, snaplen - 14), snaplen, false, false, false,
            TimestampSource.CAPTURE);
        clock.nowNs = timestampNs.length == 0 ? 0 : timestampNs[0];
    }

    /**
     * The capture's clock, for {@link Pacing#CAPTURE_CLOCK}: it reads the first frame's timestamp until
     * the first receive call, and after each receive call the next frame's timestamp (or at most
     * {@link #CAPTURE_CLOCK_STEP_NS} more than the call's nowNs); after the last frame it stays. Read it
     * once per duty cycle, on the thread that calls receive.
     *
     * @return the clock (the same object every call).
     */
    public NanoClock captureClock()
    {
        return clock;
    }

    /**
     * Frames whose Ethernet source is {@code mac} are not handed out (counted in {@link #skippedFrames()})
     * but still step the capture clock: the recorded node's own transmissions, when replaying its
     * recording into a node with its MAC.
     *
     * @param mac 48-bit MAC, first octet most significant; 0 hands out every frame.
     */
    public void skipFramesFrom(final long mac)
    {
        skippedSourceMac = mac;
    }

    /** @return frames not handed out because of {@link #skipFramesFrom(long)}. */
    public int skippedFrames()
    {
        return skipped;
    }

    /**
     * @param ip an IPv4 address (host order).
     * @return the Ethernet source of the first frame sent from {@code ip} (an IPv4 packet from it, or an
     *         ARP packet naming it as sender), or 0 if the capture holds none.
     */
    public long sourceMacOf(final int ip)
    {
        for (int i = 0; i < frameLength.length; i++)
        {
            final long frame = dataAddress + frameOffset[i];
            final int length = frameLength[i];
            if (length < 34)
            {
                continue;
            }
            final long etherType = bigEndian(frame + 12, 2);
            final boolean fromIp = etherType == 0x0800 && bigEndian(frame + 26, 4) == (ip & 0xFFFF_FFFFL)
                || etherType == 0x0806 && length >= 42 && bigEndian(frame + 28, 4) == (ip & 0xFFFF_FFFFL);
            if (fromIp)
            {
                return sourceMac(i);
            }
        }
        return 0;
    }

    private long sourceMac(final int frameIndex)
    {
        final long frame = dataAddress + frameOffset[frameIndex];
        return bigEndian(frame + 6, 6);
    }

    /** @return {@code bytes} bytes at {@code address} as an unsigned big-endian number (network order). */
    private static long bigEndian(final long address, final int bytes)
    {
        long value = 0;
        for (int i = 0; i < bytes; i++)
        {
            value = (value << 8) | (org.agrona.UnsafeApi.getByte(address + i) & 0xFF);
        }
        return value;
    }

    /** The caller's clock under {@link Pacing#CAPTURE_CLOCK}; moved on by receive. */
    private static final class CaptureClock implements NanoClock
    {
        private long nowNs;

        @Override
        public long nanoTime()
        {
            return nowNs;
        }
    }

    /**
     * Opens a capture for replay as fast as possible.
     *
     * @param file a .pcap or .pcapng file.
     * @return the device.
     * @throws PcapFormatException if the file is not a complete, readable capture.
     */
    public static PcapReplayDevice open(final Path file)
    {
        return open(file, Pacing.AS_FAST_AS_POSSIBLE);
    }

    /**
     * @param file a .pcap or .pcapng file.
     * @param pacing when frames are handed out.
     * @return the device.
     * @throws PcapFormatException if the file is not a complete, readable capture.
     * @throws DeviceException if the file cannot be read or libpcap is missing.
     */
    public static PcapReplayDevice open(final Path file, final Pacing pacing)
    {
        final boolean classic = checkMagic(file);
        final long fileSize;
        try
        {
            fileSize = Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new DeviceException("cannot read capture file " + file + ": " + ex, ex);
        }
        if (fileSize > MAX_CAPTURE_BYTES)
        {
            throw new DeviceException("capture file " + file + " is " + fileSize + " bytes; replay holds at most " +
                MAX_CAPTURE_BYTES + " in memory");
        }
        final PcapHandle handle;
        try
        {
            handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        }
        catch (final PcapNativeException ex)
        {
            throw new PcapFormatException(file, 0, "libpcap refused it: " + ex.getMessage(), ex);
        }
        catch (final UnsatisfiedLinkError ex)
        {
            throw new DeviceException("reading captures needs the native libpcap (Debian package libpcap0.8): " + ex, ex);
        }
        try
        {
            // Frames are at most the file's size in total, so one block of that size holds them all.
            final ByteBuffer data = ByteBuffer.allocateDirect((int)Math.max(1, fileSize));
            final long base = BufferUtil.address(data);
            int count = 0;
            long[] offsets = new long[64];
            int[] lengths = new int[64];
            int[] wire = new int[64];
            long[] stamps = new long[64];
            long used = 0;
            long fileOffset = PCAP_GLOBAL_HEADER;
            while (true)
            {
                final byte[] frame;
                try
                {
                    frame = handle.getNextRawPacketEx();
                }
                catch (final EOFException eof)
                {
                    break;
                }
                catch (final PcapNativeException | TimeoutException | NotOpenException ex)
                {
                    throw new PcapFormatException(file, classic ? fileOffset : -1,
                        "after " + count + " complete frames: " + ex.getMessage(), ex);
                }
                if (count == offsets.length)
                {
                    offsets = java.util.Arrays.copyOf(offsets, count * 2);
                    lengths = java.util.Arrays.copyOf(lengths, count * 2);
                    wire = java.util.Arrays.copyOf(wire, count * 2);
                    stamps = java.util.Arrays.copyOf(stamps, count * 2);
                }
                if (used + frame.length > data.capacity())
                {
                    // The store was sized from the file's length before libpcap read it: a file still
                    // being written (or a pipe) holds more now. Refuse rather than copy past the store.
                    throw new PcapFormatException(file, classic ? fileOffset : -1, "after " + count +
                        " frames the capture holds more than the " + fileSize +
                        " bytes it had when opened (still being written, or not a regular file)", null);
                }
                final Timestamp ts = handle.getTimestamp();
                final Integer original = handle.getOriginalLength();
                offsets[count] = used;
                lengths[count] = frame.length;
                wire[count] = original == null ? frame.length : original;
                stamps[count] = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
                Frames.copyFromArray(frame, base + used, frame.length);
                used += frame.length;
                fileOffset += PCAP_RECORD_HEADER + frame.length;
                count++;
            }
            return new PcapReplayDevice(file, pacing, data, java.util.Arrays.copyOf(offsets, count),
                java.util.Arrays.copyOf(lengths, count), java.util.Arrays.copyOf(wire, count),
                java.util.Arrays.copyOf(stamps, count), handle.getSnapshot());
        }
        catch (final NotOpenException ex)
        {
            throw new DeviceException("capture handle closed unexpectedly for " + file, ex);
        }
        finally
        {
            handle.close();
        }
    }

    /** @return true for classic pcap, false for pcapng; throws PcapFormatException for anything else. */
    private static boolean checkMagic(final Path file)
    {
        final byte[] head = new byte[4];
        int got = 0;
        try (InputStream in = Files.newInputStream(file))
        {
            while (got < 4)
            {
                final int r = in.read(head, got, 4 - got);
                if (r < 0)
                {
                    break;
                }
                got += r;
            }
        }
        catch (final IOException ex)
        {
            throw new DeviceException("cannot read capture file " + file + ": " + ex, ex);
        }
        if (got < 4)
        {
            throw new PcapFormatException(file, got, "file ends after " + got + " bytes, before the 4-byte magic number", null);
        }
        final int magic = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        switch (magic)
        {
            case 0xa1b2c3d4:
            case 0xd4c3b2a1:
            case 0xa1b23c4d:
            case 0x4d3cb2a1:
                return true;
            case 0x0a0d0d0a:
                return false;
            default:
                throw new PcapFormatException(file, 0, String.format(
                    "magic number 0x%08x is neither pcap (a1b2c3d4 / a1b23c4d, either byte order) nor pcapng (0a0d0d0a)",
                    magic), null);
        }
    }

    /** @return the capture file. */
    public Path file()
    {
        return file;
    }

    /** @return the number of frames in the capture. */
    public int frameCount()
    {
        return frameLength.length;
    }

    /** @return frames not yet handed out. */
    public int remaining()
    {
        return frameLength.length - next;
    }

    /** Starts the replay over from the first frame (and restarts pacing). */
    public void rewind()
    {
        next = 0;
        skipped = 0;
        startNowNs = Long.MIN_VALUE;
        clock.nowNs = timestampNs.length == 0 ? 0 : timestampNs[0];
    }

    @Override
    public String name()
    {
        return "pcap:" + file.getFileName();
    }

    @Override
    public DeviceCapabilities capabilities()
    {
        return capabilities;
    }

    @Override
    public DeviceStatistics statistics()
    {
        return statistics;
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        checkOpen();
        if (startNowNs == Long.MIN_VALUE)
        {
            startNowNs = nowNs;
        }
        int n = 0;
        while (n < burst.capacity() && next < frameLength.length)
        {
            if (pacing == Pacing.ORIGINAL_TIMING && nowNs - startNowNs < timestampNs[next] - timestampNs[0]
                || pacing == Pacing.CAPTURE_CLOCK && timestampNs[next] > nowNs)
            {
                break;
            }
            if (skippedSourceMac != 0 && frameLength[next] >= 14 && sourceMac(next) == skippedSourceMac)
            {
                skipped++;
                next++;
                continue;
            }
            final int length = frameLength[next];
            if (length > burst.bufferCapacity(n))
            {
                statistics.onRxOversize();
            }
            else
            {
                Frames.copy(dataAddress + frameOffset[next], burst.bufferAddress(n), length);
                burst.setFrame(n, length, wireLength[next], timestampNs[next], ChecksumStatus.UNKNOWN, -1, -1);
                statistics.onRx(length);
                n++;
            }
            next++;
        }
        if (pacing == Pacing.CAPTURE_CLOCK && next < frameLength.length)
        {
            // a full burst leaves frames due now: the clock stays for the next call
            clock.nowNs = Math.max(nowNs, Math.min(timestampNs[next], nowNs + CAPTURE_CLOCK_STEP_NS));
        }
        return n;
    }

    /** Frames sent to a replay device are counted and discarded. */
    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        checkOpen();
        final int frames = burst.frameCount();
        for (int f = 0; f < frames; f++)
        {
            statistics.onTx(burst.frameLength(f));
        }
        return frames;
    }

    @Override
    public boolean awaitReadable(final long timeoutNs)
    {
        return next < frameLength.length;
    }

    @Override
    public void close()
    {
        closed = true;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("replay device for " + file + " is closed");
        }
    }
}
