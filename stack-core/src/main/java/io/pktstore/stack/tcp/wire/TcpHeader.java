package io.pktstore.stack.tcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over a TCP header (RFC 9293 section 3.1), fields in network byte order.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0 SRC_PORT_OFFSET, 2 DST_PORT_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  4 SEQ_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  8 ACK_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               | 12 DATA_OFFSET_OFFSET (high nibble)
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 13 FLAGS_OFFSET, 14 WINDOW_OFFSET
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        | 16 CHECKSUM_OFFSET, 18 URGENT_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (0..40 bytes)      |    Padding    | 20 OPTIONS_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             data                              |  payloadOffset() = 4 * Data Offset
 * </pre>
 * <p>
 * Two ways in, as in smoltcp's wire views: {@link #wrapChecked} for untrusted input validates the
 * segment length and the Data Offset field before anything else is read, after which no accessor
 * can read past the segment; {@link #wrap(long, int)} / {@link #wrap(DirectBuffer, int, int)}
 * are unchecked, for headers we build ourselves. One instance is reused; wrapping allocates
 * nothing. The flyweight covers exactly the TCP segment (header + payload), so
 * {@link #payloadLength()} is the segment length minus the header length.
 */
public final class TcpHeader
{
    /** Offset of the 16-bit source port. */
    public static final int SRC_PORT_OFFSET = 0;
    /** Offset of the 16-bit destination port. */
    public static final int DST_PORT_OFFSET = 2;
    /** Offset of the 32-bit sequence number. */
    public static final int SEQ_OFFSET = 4;
    /** Offset of the 32-bit acknowledgment number. */
    public static final int ACK_OFFSET = 8;
    /** Offset of the byte whose high nibble is the Data Offset (header length in 32-bit words). */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the control-bits byte (CWR ECE URG ACK PSH RST SYN FIN). */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the 16-bit receive window. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the 16-bit checksum. */
    public static final int CHECKSUM_OFFSET = 16;
    /** Offset of the 16-bit urgent pointer. */
    public static final int URGENT_OFFSET = 18;
    /** Offset of the first option byte. */
    public static final int OPTIONS_OFFSET = 20;
    /** Header length without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Largest header length the 4-bit Data Offset can express (15 words). */
    public static final int MAX_HEADER_LENGTH = 60;

    /** FIN control bit: no more data from sender. */
    public static final int FIN = 0x01;
    /** SYN control bit: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** RST control bit: reset the connection. */
    public static final int RST = 0x04;
    /** PSH control bit: push function. */
    public static final int PSH = 0x08;
    /** ACK control bit: acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** URG control bit: urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECE control bit: ECN-Echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** CWR control bit: congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    /** {@link #wrapChecked} result: the segment is well formed and now wrapped. */
    public static final int VALID = 0;
    /** {@link #wrapChecked} result: fewer than 20 bytes, no room for a TCP header. */
    public static final int ERR_TRUNCATED = 1;
    /** {@link #wrapChecked} result: Data Offset below 5 words. */
    public static final int ERR_DATA_OFFSET_TOO_SMALL = 2;
    /** {@link #wrapChecked} result: Data Offset points beyond the end of the segment. */
    public static final int ERR_DATA_OFFSET_BEYOND_SEGMENT = 3;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int segmentLength;

    /**
     * Describes a {@link #wrapChecked} result code, for logs and exception messages (not hot path).
     *
     * @param code a result code of {@link #wrapChecked}.
     * @return a human-readable description.
     */
    public static String describe(final int code)
    {
        switch (code)
        {
            case VALID:
                return "valid";
            case ERR_TRUNCATED:
                return "TCP segment shorter than the 20-byte minimum header";
            case ERR_DATA_OFFSET_TOO_SMALL:
                return "TCP Data Offset below 5 words";
            case ERR_DATA_OFFSET_BEYOND_SEGMENT:
                return "TCP Data Offset beyond the end of the segment";
            default:
                return "unknown TCP header result " + code;
        }
    }

    /**
     * Validates an untrusted segment and wraps it only if it is well formed: at least 20 bytes,
     * Data Offset 5..15 words and no larger than the segment. On failure the flyweight is left as
     * it was (the caller counts the drop).
     *
     * @param source        bytes holding the segment.
     * @param offset        offset of the TCP header in {@code source}.
     * @param segmentLength bytes of TCP header + payload (from the IP total length).
     * @return {@link #VALID} or one of the {@code ERR_*} codes.
     */
    public int wrapChecked(final DirectBuffer source, final int offset, final int segmentLength)
    {
        if (segmentLength < MIN_HEADER_LENGTH || offset < 0 || offset > source.capacity() - segmentLength)
        {
            return ERR_TRUNCATED;
        }
        final int headerLength = (source.getByte(offset + DATA_OFFSET_OFFSET) & 0xF0) >>> 2;
        final int code = checkHeaderLength(headerLength, segmentLength);
        if (code == VALID)
        {
            wrap(source, offset, segmentLength);
        }
        return code;
    }

    /**
     * Validates an untrusted segment at a raw address (e.g. a payload buffer in the arena) and wraps
     * it only if it is well formed; see {@link #wrapChecked(DirectBuffer, int, int)}.
     *
     * @param address       address of the TCP header; {@code segmentLength} bytes must be readable.
     * @param segmentLength bytes of TCP header + payload.
     * @return {@link #VALID} or one of the {@code ERR_*} codes.
     */
    public int wrapChecked(final long address, final int segmentLength)
    {
        if (segmentLength < MIN_HEADER_LENGTH)
        {
            return ERR_TRUNCATED;
        }
        final int headerLength = (org.agrona.UnsafeApi.getByte(address + DATA_OFFSET_OFFSET) & 0xF0) >>> 2;
        final int code = checkHeaderLength(headerLength, segmentLength);
        if (code == VALID)
        {
            wrap(address, segmentLength);
        }
        return code;
    }

    private static int checkHeaderLength(final int headerLength, final int segmentLength)
    {
        if (headerLength < MIN_HEADER_LENGTH)
        {
            return ERR_DATA_OFFSET_TOO_SMALL;
        }
        if (headerLength > segmentLength)
        {
            return ERR_DATA_OFFSET_BEYOND_SEGMENT;
        }
        return VALID;
    }

    /**
     * Wraps without validation: for segments we are building. {@code segmentLength} is the space
     * available for header + payload (at least 20).
     *
     * @param address       address of the TCP header.
     * @param segmentLength bytes of the segment (header + payload) or of the space to build it in.
     * @return this flyweight.
     */
    public TcpHeader wrap(final long address, final int segmentLength)
    {
        buffer.wrap(address, segmentLength);
        this.segmentLength = segmentLength;
        return this;
    }

    /**
     * Wraps without validation: for segments we are building.
     *
     * @param source        buffer holding the segment.
     * @param offset        offset of the TCP header.
     * @param segmentLength bytes of the segment (header + payload) or of the space to build it in.
     * @return this flyweight.
     */
    public TcpHeader wrap(final DirectBuffer source, final int offset, final int segmentLength)
    {
        buffer.wrap(source, offset, segmentLength);
        this.segmentLength = segmentLength;
        return this;
    }

    /** @return the buffer view of this segment; index 0 is the first header byte. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** @return bytes of header + payload covered by this flyweight. */
    public int segmentLength()
    {
        return segmentLength;
    }

    /** @return source port, 0..65535. */
    public int srcPort()
    {
        return buffer.getShort(SRC_PORT_OFFSET, NETWORK) & 0xFFFF;
    }

    /**
     * @param port source port, 0..65535.
     * @return this.
     */
    public TcpHeader srcPort(final int port)
    {
        buffer.putShort(SRC_PORT_OFFSET, (short)port, NETWORK);
        return this;
    }

    /** @return destination port, 0..65535. */
    public int dstPort()
    {
        return buffer.getShort(DST_PORT_OFFSET, NETWORK) & 0xFFFF;
    }

    /**
     * @param port destination port, 0..65535.
     * @return this.
     */
    public TcpHeader dstPort(final int port)
    {
        buffer.putShort(DST_PORT_OFFSET, (short)port, NETWORK);
        return this;
    }

    /** @return sequence number (compare with {@code SequenceNumbers}, never with {@code <}). */
    public int seq()
    {
        return buffer.getInt(SEQ_OFFSET, NETWORK);
    }

    /**
     * @param seq sequence number.
     * @return this.
     */
    public TcpHeader seq(final int seq)
    {
        buffer.putInt(SEQ_OFFSET, seq, NETWORK);
        return this;
    }

    /** @return acknowledgment number (significant only when {@link #ACK} is set). */
    public int ack()
    {
        return buffer.getInt(ACK_OFFSET, NETWORK);
    }

    /**
     * @param ack acknowledgment number.
     * @return this.
     */
    public TcpHeader ack(final int ack)
    {
        buffer.putInt(ACK_OFFSET, ack, NETWORK);
        return this;
    }

    /** @return Data Offset field: header length in 32-bit words (5..15 once checked). */
    public int dataOffsetWords()
    {
        return (buffer.getByte(DATA_OFFSET_OFFSET) & 0xF0) >>> 4;
    }

    /**
     * Sets the Data Offset field and clears the reserved bits that share its byte (RFC 9293: reserved
     * bits must be zero when sending).
     *
     * @param words header length in 32-bit words, 5..15.
     * @return this.
     */
    public TcpHeader dataOffsetWords(final int words)
    {
        buffer.putByte(DATA_OFFSET_OFFSET, (byte)(words << 4));
        return this;
    }

    /** @return header length in bytes, 4 * Data Offset. */
    public int headerLength()
    {
        return dataOffsetWords() << 2;
    }

    /**
     * Sets the header length in bytes (20 + options, a multiple of 4, at most 60).
     *
     * @param bytes header length in bytes.
     * @return this.
     */
    public TcpHeader headerLength(final int bytes)
    {
        return dataOffsetWords(bytes >>> 2);
    }

    /** @return the control bits byte: an OR of {@link #FIN} .. {@link #CWR}. */
    public int flags()
    {
        return buffer.getByte(FLAGS_OFFSET) & 0xFF;
    }

    /**
     * @param flags an OR of {@link #FIN} .. {@link #CWR}.
     * @return this.
     */
    public TcpHeader flags(final int flags)
    {
        buffer.putByte(FLAGS_OFFSET, (byte)flags);
        return this;
    }

    /**
     * @param flag one or more control bits.
     * @return true if any of them is set.
     */
    public boolean hasFlag(final int flag)
    {
        return (flags() & flag) != 0;
    }

    /** @return the raw (unscaled) 16-bit window field. */
    public int window()
    {
        return buffer.getShort(WINDOW_OFFSET, NETWORK) & 0xFFFF;
    }

    /**
     * @param window raw 16-bit window (already shifted right by our window scale).
     * @return this.
     */
    public TcpHeader window(final int window)
    {
        buffer.putShort(WINDOW_OFFSET, (short)window, NETWORK);
        return this;
    }

    /** @return the checksum field, 0..65535, as it appears on the wire. */
    public int checksum()
    {
        return buffer.getShort(CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
    }

    /**
     * @param checksum checksum field value (as computed by InternetChecksum).
     * @return this.
     */
    public TcpHeader checksum(final int checksum)
    {
        buffer.putShort(CHECKSUM_OFFSET, (short)checksum, NETWORK);
        return this;
    }

    /** @return the urgent pointer field. */
    public int urgentPointer()
    {
        return buffer.getShort(URGENT_OFFSET, NETWORK) & 0xFFFF;
    }

    /**
     * @param urgent urgent pointer value.
     * @return this.
     */
    public TcpHeader urgentPointer(final int urgent)
    {
        buffer.putShort(URGENT_OFFSET, (short)urgent, NETWORK);
        return this;
    }

    /** @return bytes of options (header length - 20), for {@link TcpOptions#parse}. */
    public int optionsLength()
    {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /** @return offset of the first payload byte relative to the header start (= header length). */
    public int payloadOffset()
    {
        return headerLength();
    }

    /** @return payload bytes: segment length minus header length. */
    public int payloadLength()
    {
        return segmentLength - headerLength();
    }

    /**
     * Sequence space the segment occupies (RFC 9293 3.4 SEG.LEN): payload bytes plus one for SYN and
     * one for FIN.
     *
     * @return SEG.LEN.
     */
    public int sequenceLength()
    {
        final int f = flags();
        return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
    }
}
