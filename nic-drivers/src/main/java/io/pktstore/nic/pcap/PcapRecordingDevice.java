package io.pktstore.nic.pcap;

import java.nio.file.Path;
import java.sql.Timestamp;

import io.pktstore.nic.ChecksumStatus;
import io.pktstore.nic.DeviceException;
import io.pktstore.nic.ForwardingDevice;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.Frames;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Wraps any {@link FrameDevice} and writes every frame it receives and every frame accepted for
 * transmission to a nanosecond-precision pcap file (Ethernet link type, magic a1b23c4d) that
 * tcpdump, tshark and Wireshark read. Sent frames are stamped {@code nowNs + clockOffsetNs} (see
 * {@link #open(FrameDevice, Path)}); received frames as {@link Stamping} says.
 *
 * <p>{@link Stamping#DUTY_CYCLE} makes a recording that replays exactly ({@link PcapReplayDevice}
 * with {@link PcapReplayDevice.Pacing#CAPTURE_CLOCK}): every frame carries the caller's clock of the
 * duty cycle that received or sent it, so the frames one cycle received share one stamp and the
 * replay hands them to one cycle again, at the same clock.
 *
 * <p>A received frame whose transport checksum the kernel left to offload ({@link ChecksumStatus#PARTIAL}:
 * a local sender on veth) is recorded with the checksum completed, as it would be on a wire, so a
 * replay, which cannot know the kernel's word, verifies it like any other.
 *
 * <p>This is a diagnostic wrapper: Pcap4J's dump API takes a byte[] and a Timestamp per frame, so
 * recording allocates per frame. Keep it off benchmark paths.
 */
public final class PcapRecordingDevice extends ForwardingDevice
{
    /** How received frames are stamped. */
    public enum Stamping
    {
        /** The device's receive timestamp (the kernel's, for AF_PACKET): when the frame arrived. */
        DEVICE,
        /** {@code nowNs + clockOffsetNs} of the receive call: when the stack read it (replays exactly). */
        DUTY_CYCLE
    }

    private static final int SNAPLEN = 262_144;

    private final Path file;
    private final long txClockOffsetNs;
    private final Stamping stamping;
    private final PcapHandle dead;
    private final PcapDumper dumper;
    private long recorded;
    private boolean closed;

    private PcapRecordingDevice(final FrameDevice inner, final Path file, final long txClockOffsetNs, final Stamping stamping)
    {
        super(inner, "record");
        this.file = file;
        this.txClockOffsetNs = txClockOffsetNs;
        this.stamping = stamping;
        try
        {
            dead = Pcaps.openDead(DataLinkType.EN10MB, SNAPLEN, PcapHandle.TimestampPrecision.NANO);
        }
        catch (final PcapNativeException ex)
        {
            throw new DeviceException("libpcap could not open a dead handle: " + ex.getMessage(), ex);
        }
        catch (final UnsatisfiedLinkError ex)
        {
            throw new DeviceException("recording needs the native libpcap (Debian package libpcap0.8): " + ex, ex);
        }
        try
        {
            dumper = dead.dumpOpen(file.toString());
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            dead.close();
            throw new DeviceException("cannot create capture file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Records a device whose callers pass {@code System.nanoTime()} as nowNs: sent frames are stamped
     * with wall-clock time (CLOCK_REALTIME), the same clock AF_PACKET stamps received frames with.
     *
     * @param inner the device to record; closed when this is closed.
     * @param file the pcap file to create (overwritten).
     * @return the recording device.
     */
    public static PcapRecordingDevice open(final FrameDevice inner, final Path file)
    {
        final java.time.Instant now = java.time.Instant.now();
        final long realtimeNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return new PcapRecordingDevice(inner, file, realtimeNs - System.nanoTime(), Stamping.DEVICE);
    }

    /**
     * @param inner the device to record; closed when this is closed.
     * @param file the pcap file to create (overwritten).
     * @param txClockOffsetNs added to nowNs to stamp transmitted frames (0 if nowNs already is epoch ns).
     * @return the recording device.
     */
    public static PcapRecordingDevice open(final FrameDevice inner, final Path file, final long txClockOffsetNs)
    {
        return new PcapRecordingDevice(inner, file, txClockOffsetNs, Stamping.DEVICE);
    }

    /**
     * @param inner the device to record; closed when this is closed.
     * @param file the pcap file to create (overwritten).
     * @param clockOffsetNs added to nowNs to stamp frames (0 if nowNs already is epoch ns).
     * @param stamping how received frames are stamped.
     * @return the recording device.
     */
    public static PcapRecordingDevice open(final FrameDevice inner, final Path file, final long clockOffsetNs,
                                           final Stamping stamping)
    {
        return new PcapRecordingDevice(inner, file, clockOffsetNs, stamping);
    }

    /** @return the capture file being written. */
    public Path file()
    {
        return file;
    }

    /** @return frames written so far. */
    public long recordedFrames()
    {
        return recorded;
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        final int n = inner.receive(burst, nowNs);
        for (int i = 0; i < n; i++)
        {
            final byte[] frame = new byte[burst.frameLength(i)];
            Frames.copyToArray(burst.bufferAddress(i), frame, frame.length);
            if (burst.checksumStatus(i) == ChecksumStatus.PARTIAL)
            {
                completeChecksum(frame, burst.csumStart(i), burst.csumOffset(i));
            }
            dumpArray(frame, stamping == Stamping.DEVICE ? burst.timestampNs(i) : nowNs + txClockOffsetNs);
        }
        return n;
    }

    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        final int accepted = inner.transmit(burst, nowNs);
        for (int f = 0; f < accepted; f++)
        {
            final byte[] frame = new byte[burst.frameLength(f)];
            int at = 0;
            for (int s = 0; s < burst.segmentCount(f); s++)
            {
                final int len = burst.segmentLength(f, s);
                Frames.copyToArray(burst.segmentAddress(f, s), frame, at, len);
                at += len;
            }
            dumpArray(frame, nowNs + txClockOffsetNs);
        }
        return accepted;
    }

    /**
     * Completes a CHECKSUM_PARTIAL frame's transport checksum: the field holds the pseudo-header sum,
     * and the ones' complement of the sum from csum_start to the end goes into it (Linux's
     * skb_checksum_help). Without the kernel's offsets, an IPv4 TCP or UDP frame's are derived from its
     * headers; anything else is recorded as it is.
     */
    static void completeChecksum(final byte[] frame, final int csumStart, final int csumOffset)
    {
        int start = csumStart;
        int offset = csumOffset;
        if (start < 0 || offset < 0)
        {
            if (frame.length < 34 || u16(frame, 12) != 0x0800)
            {
                return;
            }
            final int protocol = frame[23] & 0xFF;
            start = 14 + (frame[14] & 0x0F) * 4;
            offset = protocol == 6 ? 16 : protocol == 17 ? 6 : -1;
        }
        // up to the IPv4 packet's end: a short frame carries Ethernet padding after it
        final int end = frame.length >= 18 && u16(frame, 12) == 0x0800 ? Math.min(frame.length, 14 + u16(frame, 16))
            : frame.length;
        if (offset < 0 || start + offset + 2 > end)
        {
            return;
        }
        long sum = 0;
        for (int i = start; i + 1 < end; i += 2)
        {
            sum += u16(frame, i);
        }
        if (((end - start) & 1) != 0)
        {
            sum += (frame[end - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = (int)~sum & 0xFFFF;
        if (checksum == 0 && offset == 6)
        {
            checksum = 0xFFFF;   // UDP: 0 means "no checksum"
        }
        frame[start + offset] = (byte)(checksum >>> 8);
        frame[start + offset + 1] = (byte)checksum;
    }

    private static int u16(final byte[] frame, final int at)
    {
        return ((frame[at] & 0xFF) << 8) | (frame[at + 1] & 0xFF);
    }

    private void dumpArray(final byte[] frame, final long timestampNs)
    {
        final Timestamp ts = new Timestamp(Math.floorDiv(timestampNs, 1_000_000_000L) * 1000L);
        ts.setNanos((int)Math.floorMod(timestampNs, 1_000_000_000L));
        try
        {
            dumper.dumpRaw(frame, ts);
            recorded++;
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException("recording to " + file + " is closed", ex);
        }
    }

    /** Flushes buffered frames to the file. */
    public void flush()
    {
        try
        {
            dumper.flush();
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            throw new DeviceException("flushing capture file " + file + " failed: " + ex.getMessage(), ex);
        }
    }

    /** Closes the capture file (complete and readable afterwards) and the inner device. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                dumper.close();
                dead.close();
            }
            finally
            {
                inner.close();
            }
        }
    }
}
