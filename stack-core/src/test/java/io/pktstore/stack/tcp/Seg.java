package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A TCP segment as the send/expect tests see it: built fluently for injection, or parsed from what
 * the layer emitted. Options are null when absent.
 */
final class Seg
{
    int srcPort;
    int dstPort;
    int seq;
    int ack;
    int flags;
    int window = 65535;
    Integer mss;
    Integer windowScale;
    boolean sackPermitted;
    Integer tsVal;
    Integer tsEcr;
    final List<int[]> sackBlocks = new ArrayList<>();
    byte[] payload = new byte[0];
    int checksum;

    static Seg of(final int flags, final int seq, final int ack)
    {
        final Seg s = new Seg();
        s.flags = flags;
        s.seq = seq;
        s.ack = ack;
        return s;
    }

    Seg ports(final int src, final int dst)
    {
        srcPort = src;
        dstPort = dst;
        return this;
    }

    Seg window(final int w)
    {
        window = w;
        return this;
    }

    Seg mss(final int v)
    {
        mss = v;
        return this;
    }

    Seg windowScale(final int v)
    {
        windowScale = v;
        return this;
    }

    Seg sackPermitted()
    {
        sackPermitted = true;
        return this;
    }

    Seg ts(final int val, final int ecr)
    {
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    Seg payload(final byte[] bytes)
    {
        payload = bytes;
        return this;
    }

    Seg payload(final int length, final int fill)
    {
        payload = new byte[length];
        Arrays.fill(payload, (byte)fill);
        return this;
    }

    boolean has(final int flag)
    {
        return (flags & flag) != 0;
    }

    /** Writes header + options + payload at {@code offset}; returns the segment length. */
    int writeTo(final UnsafeBuffer buffer, final int offset)
    {
        final TcpOptions o = new TcpOptions();
        o.clear();
        if (mss != null)
        {
            o.mss(mss);
        }
        if (windowScale != null)
        {
            o.windowScale(windowScale);
        }
        if (sackPermitted)
        {
            o.sackPermitted(true);
        }
        if (tsVal != null)
        {
            o.timestamps(tsVal, tsEcr);
        }
        for (final int[] b : sackBlocks)
        {
            o.addSackBlock(b[0], b[1]);
        }
        final int headerLength = TcpHeader.MIN_HEADER_LENGTH + o.encodedLength();
        final int length = headerLength + payload.length;
        final TcpHeader h = new TcpHeader();
        h.wrap(buffer.addressOffset() + offset, length)
            .srcPort(srcPort).dstPort(dstPort).seq(seq).ack(ack).headerLength(headerLength).flags(flags)
            .window(window).checksum(checksum).urgentPointer(0);
        o.write(h.buffer(), TcpHeader.OPTIONS_OFFSET);
        buffer.putBytes(offset + headerLength, payload);
        return length;
    }

    /** Parses an emitted segment (header, options, payload). */
    static Seg parse(final byte[] bytes)
    {
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        final TcpHeader h = new TcpHeader();
        if (h.wrapChecked(b, 0, bytes.length) != TcpHeader.VALID)
        {
            throw new AssertionError("emitted segment has a malformed header: " + Arrays.toString(bytes));
        }
        final Seg s = new Seg();
        s.srcPort = h.srcPort();
        s.dstPort = h.dstPort();
        s.seq = h.seq();
        s.ack = h.ack();
        s.flags = h.flags();
        s.window = h.window();
        s.checksum = h.checksum();
        final TcpOptions o = new TcpOptions();
        if (h.optionsLength() > 0 && o.parse(h.buffer(), TcpHeader.OPTIONS_OFFSET, h.optionsLength()) != TcpOptions.OK)
        {
            throw new AssertionError("emitted segment has malformed options");
        }
        if (h.optionsLength() > 0)
        {
            s.mss = o.hasMss() ? o.mss() : null;
            s.windowScale = o.hasWindowScale() ? o.windowScale() : null;
            s.sackPermitted = o.sackPermitted();
            if (o.hasTimestamps())
            {
                s.tsVal = o.tsVal();
                s.tsEcr = o.tsEcr();
            }
            for (int i = 0; i < o.sackBlockCount(); i++)
            {
                s.sackBlocks.add(new int[] {o.sackLeft(i), o.sackRight(i)});
            }
        }
        s.payload = Arrays.copyOfRange(bytes, h.payloadOffset(), bytes.length);
        return s;
    }

    static String flagsToString(final int flags)
    {
        final StringBuilder sb = new StringBuilder();
        final String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < names.length; i++)
        {
            if ((flags & (1 << i)) != 0)
            {
                sb.append(sb.length() == 0 ? "" : "|").append(names[i]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("Seg{").append(flagsToString(flags))
            .append(" seq=").append(Integer.toUnsignedString(seq))
            .append(" ack=").append(Integer.toUnsignedString(ack))
            .append(" win=").append(window).append(" len=").append(payload.length);
        if (mss != null)
        {
            sb.append(" mss=").append(mss);
        }
        if (windowScale != null)
        {
            sb.append(" ws=").append(windowScale);
        }
        if (sackPermitted)
        {
            sb.append(" sackOK");
        }
        if (tsVal != null)
        {
            sb.append(" ts=").append(Integer.toUnsignedString(tsVal)).append('/').append(Integer.toUnsignedString(tsEcr));
        }
        for (final int[] b : sackBlocks)
        {
            sb.append(" sack=").append(Integer.toUnsignedString(b[0])).append('-').append(Integer.toUnsignedString(b[1]));
        }
        return sb.append('}').toString();
    }
}
