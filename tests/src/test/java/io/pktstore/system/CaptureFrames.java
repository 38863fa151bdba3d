package io.pktstore.system;

import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

import java.io.EOFException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The frames of a capture file, read with libpcap at nanosecond precision, for comparing two captures. */
final class CaptureFrames
{
    /** One frame: when it was stamped and its bytes. */
    record Frame(long stampNs, byte[] bytes)
    {
        /** @return the Ethernet source MAC as text. */
        String source()
        {
            return HexFormat.ofDelimiter(":").formatHex(bytes, 6, 12);
        }

        boolean sameAs(final Frame other)
        {
            return stampNs == other.stampNs && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public String toString()
        {
            return stampNs + " ns, " + bytes.length + " bytes: " + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 80));
        }
    }

    private CaptureFrames()
    {
    }

    /** @return every frame of {@code file} whose Ethernet source is {@code mac} ("aa:bb:..."), in order. */
    static List<Frame> sentBy(final Path file, final String mac) throws Exception
    {
        final List<Frame> frames = new ArrayList<>();
        for (final Frame f : all(file))
        {
            if (f.source().equalsIgnoreCase(mac))
            {
                frames.add(f);
            }
        }
        return frames;
    }

    /** @return every frame of {@code file}, in order. */
    static List<Frame> all(final Path file) throws Exception
    {
        final List<Frame> frames = new ArrayList<>();
        final PcapHandle handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        try
        {
            while (true)
            {
                final byte[] bytes;
                try
                {
                    bytes = handle.getNextRawPacketEx();
                }
                catch (final EOFException end)
                {
                    return frames;
                }
                final java.sql.Timestamp ts = handle.getTimestamp();
                frames.add(new Frame(Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos(), bytes));
            }
        }
        finally
        {
            handle.close();
        }
    }

    /** Writes frames to a new nanosecond pcap file (Ethernet), stamps as they are. */
    static void write(final List<Frame> frames, final Path file) throws Exception
    {
        final PcapHandle dead = Pcaps.openDead(org.pcap4j.packet.namednumber.DataLinkType.EN10MB, 262_144,
            PcapHandle.TimestampPrecision.NANO);
        try
        {
            final org.pcap4j.core.PcapDumper dumper = dead.dumpOpen(file.toString());
            try
            {
                for (final Frame f : frames)
                {
                    final java.sql.Timestamp ts = new java.sql.Timestamp(Math.floorDiv(f.stampNs(), 1_000_000_000L) * 1000L);
                    ts.setNanos((int)Math.floorMod(f.stampNs(), 1_000_000_000L));
                    dumper.dumpRaw(f.bytes(), ts);
                }
            }
            finally
            {
                dumper.close();
            }
        }
        finally
        {
            dead.close();
        }
    }

    /**
     * @return null if both lists hold the same frames in the same order, else what differs first.
     */
    static String firstDifference(final List<Frame> expected, final List<Frame> actual)
    {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++)
        {
            if (!expected.get(i).sameAs(actual.get(i)))
            {
                return "frame " + i + " of " + expected.size() + ": expected " + expected.get(i) + "\n   but was " + actual.get(i);
            }
        }
        return expected.size() == actual.size() ? null
            : "expected " + expected.size() + " frames, got " + actual.size()
            + (actual.size() > expected.size() ? "; the first extra: " + actual.get(expected.size()) : "");
    }
}
