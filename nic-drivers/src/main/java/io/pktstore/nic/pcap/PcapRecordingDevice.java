package io.pktstore.nic.pcap;

import java.nio.file.Path;
import java.sql.Timestamp;

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
 * tcpdump, tshark and Wireshark read. Received frames keep the device's receive timestamp; sent
 * frames are stamped {@code nowNs + txClockOffsetNs} (see {@link #open(FrameDevice, Path)}).
 *
 * <p>This is a diagnostic wrapper: Pcap4J's dump API takes a byte[] and a Timestamp per frame, so
 * recording allocates per frame. Keep it off benchmark paths.
 */
public final class PcapRecordingDevice extends ForwardingDevice
{
    private static final int SNAPLEN = 262_144;

    private final Path file;
    private final long txClockOffsetNs;
    private final PcapHandle dead;
    private final PcapDumper dumper;
    private long recorded;
    private boolean closed;

    private PcapRecordingDevice(final FrameDevice inner, final Path file, final long txClockOffsetNs)
    {
        super(inner, "record");
        this.file = file;
        this.txClockOffsetNs = txClockOffsetNs;
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
        return new PcapRecordingDevice(inner, file, realtimeNs - System.nanoTime());
    }

    /**
     * @param inner the device to record; closed when this is closed.
     * @param file the pcap file to create (overwritten).
     * @param txClockOffsetNs added to nowNs to stamp transmitted frames (0 if nowNs already is epoch ns).
     * @return the recording device.
     */
    public static PcapRecordingDevice open(final FrameDevice inner, final Path file, final long txClockOffsetNs)
    {
        return new PcapRecordingDevice(inner, file, txClockOffsetNs);
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
            dump(burst.bufferAddress(i), burst.frameLength(i), burst.timestampNs(i));
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

    private void dump(final long address, final int length, final long timestampNs)
    {
        final byte[] frame = new byte[length];
        Frames.copyToArray(address, frame, length);
        dumpArray(frame, timestampNs);
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
