package io.pktstore.stack.tcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Reusable holder of the TCP options pktstore understands, with a parser for untrusted input and a
 * writer for output. One instance per direction is reused; neither path allocates.
 *
 * <pre>
 * Option encodings (RFC 9293 3.1, RFC 7323 2.2 and 3.2, RFC 2018 2 and 3):
 *   kind 0  EOL                      +--------+
 *                                    |00000000|                                  1 byte
 *   kind 1  NOP                      |00000001|                                  1 byte
 *   kind 2  MSS                      |00000010|00000100|  MSS (16 bits)  |       4 bytes
 *   kind 3  Window Scale             |00000011|00000011| shift |                 3 bytes
 *   kind 4  SACK-Permitted           |00000100|00000010|                         2 bytes
 *   kind 5  SACK                     |00000101| 2+8n   | left 32 | right 32 |... 10,18,26,34 bytes
 *   kind 8  Timestamps               |00001000|00001010| TSval 32 | TSecr 32 |   10 bytes
 *   other   skipped by its length    | kind   | len>=2 | len-2 bytes |
 * </pre>
 * <p>
 * Parsing rules: EOL ends the list; NOP is skipped; every other option must have a length byte
 * inside the option area, length >= 2 and not past the end (RFC 9293 3.1 says a TCP must be
 * prepared for illegal lengths such as zero); a known option with the wrong fixed length is
 * malformed too. Any malformation fails the whole parse with a code and clears the holder, so no
 * half-parsed value is ever used; the caller counts and drops. A Window Scale shift above 14 is
 * clamped to 14 as RFC 7323 section 2.3 requires ("MUST use 14 instead"); {@link
 * #windowScaleClamped()} tells the caller so it can count it.
 * <p>
 * Writing: {@link #write} emits the options that are set, in the order Linux uses on a SYN
 * (MSS, SACK-Permitted + Timestamps, Window Scale, then SACK blocks), NOP-padded so every option
 * group is 4-byte aligned. SACK blocks that would exceed the 40-byte option space are left out
 * (RFC 2018 section 3: with timestamps at most 3 blocks fit).
 */
public final class TcpOptions
{
    /** End of option list. */
    public static final int KIND_EOL = 0;
    /** No-operation (padding). */
    public static final int KIND_NOP = 1;
    /** Maximum segment size. */
    public static final int KIND_MSS = 2;
    /** Window scale. */
    public static final int KIND_WINDOW_SCALE = 3;
    /** SACK permitted. */
    public static final int KIND_SACK_PERMITTED = 4;
    /** SACK blocks. */
    public static final int KIND_SACK = 5;
    /** Timestamps. */
    public static final int KIND_TIMESTAMPS = 8;

    /** Length of the MSS option. */
    public static final int LENGTH_MSS = 4;
    /** Length of the window scale option. */
    public static final int LENGTH_WINDOW_SCALE = 3;
    /** Length of the SACK-permitted option. */
    public static final int LENGTH_SACK_PERMITTED = 2;
    /** Length of the timestamps option. */
    public static final int LENGTH_TIMESTAMPS = 10;
    /** Bytes per SACK block (left and right edge). */
    public static final int SACK_BLOCK_LENGTH = 8;
    /** Most SACK blocks one option can carry (2 + 4 * 8 = 34, within 40). */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Largest option area: 60-byte header minus the 20-byte fixed part. */
    public static final int MAX_OPTIONS_LENGTH = 40;
    /** Largest window shift allowed by RFC 7323 section 2.3. */
    public static final int MAX_WINDOW_SCALE = 14;

    /** Parse result: options parsed. */
    public static final int OK = 0;
    /** Parse result: an option's length byte is missing or its length runs past the option area. */
    public static final int ERR_TRUNCATED = 1;
    /** Parse result: an option length below 2 (would loop forever or not advance). */
    public static final int ERR_LENGTH_TOO_SMALL = 2;
    /** Parse result: MSS, window scale, SACK-permitted or timestamps option with the wrong length. */
    public static final int ERR_BAD_FIXED_LENGTH = 3;
    /** Parse result: SACK option whose length is not 2 + 8n with n in 1..4. */
    public static final int ERR_BAD_SACK_LENGTH = 4;
    /** Parse result: option area longer than 40 bytes or negative. */
    public static final int ERR_BAD_AREA = 5;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean windowScaleClamped;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];

    /**
     * Describes a parse result code, for logs and messages (not hot path).
     *
     * @param code a result of {@link #parse}.
     * @return a human-readable description.
     */
    public static String describe(final int code)
    {
        switch (code)
        {
            case OK:
                return "ok";
            case ERR_TRUNCATED:
                return "TCP option truncated by the end of the option area";
            case ERR_LENGTH_TOO_SMALL:
                return "TCP option length below 2";
            case ERR_BAD_FIXED_LENGTH:
                return "TCP MSS/window-scale/SACK-permitted/timestamps option with wrong length";
            case ERR_BAD_SACK_LENGTH:
                return "TCP SACK option length not 2 + 8n (n = 1..4)";
            case ERR_BAD_AREA:
                return "TCP option area longer than 40 bytes";
            default:
                return "unknown TCP options result " + code;
        }
    }

    /** Forgets every option: nothing present. Call before setting the options to write. */
    public void clear()
    {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        windowScaleClamped = false;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
    }

    /**
     * Parses the option area of a segment into this holder (which is cleared first).
     *
     * @param buffer bytes holding the options (typically {@link TcpHeader#buffer()}).
     * @param offset offset of the first option byte ({@link TcpHeader#OPTIONS_OFFSET}).
     * @param length bytes of options ({@link TcpHeader#optionsLength()}), 0..40; the caller has
     *               checked they are inside {@code buffer}, as {@link TcpHeader#wrapChecked} does.
     * @return {@link #OK} or an {@code ERR_*} code; on error the holder is left cleared.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length)
    {
        clear();
        if (length < 0 || length > MAX_OPTIONS_LENGTH)
        {
            return ERR_BAD_AREA;
        }
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            final int kind = buffer.getByte(i) & 0xFF;
            if (kind == KIND_EOL)
            {
                break;
            }
            if (kind == KIND_NOP)
            {
                i++;
                continue;
            }
            if (i + 1 >= end)
            {
                clear();
                return ERR_TRUNCATED;
            }
            final int optionLength = buffer.getByte(i + 1) & 0xFF;
            if (optionLength < 2)
            {
                clear();
                return ERR_LENGTH_TOO_SMALL;
            }
            if (optionLength > end - i)
            {
                clear();
                return ERR_TRUNCATED;
            }
            final int code = parseOne(buffer, i, kind, optionLength);
            if (code != OK)
            {
                clear();
                return code;
            }
            i += optionLength;
        }
        return OK;
    }

    private int parseOne(final DirectBuffer buffer, final int at, final int kind, final int optionLength)
    {
        switch (kind)
        {
            case KIND_MSS:
                if (optionLength != LENGTH_MSS)
                {
                    return ERR_BAD_FIXED_LENGTH;
                }
                hasMss = true;
                mss = buffer.getShort(at + 2, NETWORK) & 0xFFFF;
                return OK;

            case KIND_WINDOW_SCALE:
                if (optionLength != LENGTH_WINDOW_SCALE)
                {
                    return ERR_BAD_FIXED_LENGTH;
                }
                hasWindowScale = true;
                final int shift = buffer.getByte(at + 2) & 0xFF;
                // RFC 7323 2.3: a shift above 14 SHOULD be logged and 14 MUST be used instead.
                windowScaleClamped = shift > MAX_WINDOW_SCALE;
                windowScale = Math.min(shift, MAX_WINDOW_SCALE);
                return OK;

            case KIND_SACK_PERMITTED:
                if (optionLength != LENGTH_SACK_PERMITTED)
                {
                    return ERR_BAD_FIXED_LENGTH;
                }
                sackPermitted = true;
                return OK;

            case KIND_TIMESTAMPS:
                if (optionLength != LENGTH_TIMESTAMPS)
                {
                    return ERR_BAD_FIXED_LENGTH;
                }
                hasTimestamps = true;
                tsVal = buffer.getInt(at + 2, NETWORK);
                tsEcr = buffer.getInt(at + 6, NETWORK);
                return OK;

            case KIND_SACK:
                final int blocksBytes = optionLength - 2;
                if (blocksBytes == 0 || blocksBytes % SACK_BLOCK_LENGTH != 0
                    || blocksBytes / SACK_BLOCK_LENGTH > MAX_SACK_BLOCKS)
                {
                    return ERR_BAD_SACK_LENGTH;
                }
                sackBlockCount = blocksBytes / SACK_BLOCK_LENGTH;
                for (int b = 0; b < sackBlockCount; b++)
                {
                    sackLeft[b] = buffer.getInt(at + 2 + b * SACK_BLOCK_LENGTH, NETWORK);
                    sackRight[b] = buffer.getInt(at + 6 + b * SACK_BLOCK_LENGTH, NETWORK);
                }
                return OK;

            default:
                // Unknown option (RFC 9293 3.1: MUST ignore options it does not implement), skipped by length.
                return OK;
        }
    }

    /** @return true if an MSS option is present / set. */
    public boolean hasMss()
    {
        return hasMss;
    }

    /** @return the MSS value (meaningful when {@link #hasMss()}). */
    public int mss()
    {
        return mss;
    }

    /**
     * @param mss MSS to send, 0..65535.
     * @return this.
     */
    public TcpOptions mss(final int mss)
    {
        this.hasMss = true;
        this.mss = mss;
        return this;
    }

    /** @return true if a window scale option is present / set. */
    public boolean hasWindowScale()
    {
        return hasWindowScale;
    }

    /** @return the window shift, already clamped to 0..14 on input. */
    public int windowScale()
    {
        return windowScale;
    }

    /** @return true if the received shift was above 14 and was clamped (RFC 7323 2.3), for counting. */
    public boolean windowScaleClamped()
    {
        return windowScaleClamped;
    }

    /**
     * @param shift our window shift, 0..14.
     * @return this.
     * @throws IllegalArgumentException if the shift is outside 0..14 (a programming error).
     */
    public TcpOptions windowScale(final int shift)
    {
        if (shift < 0 || shift > MAX_WINDOW_SCALE)
        {
            throw new IllegalArgumentException("window scale shift " + shift + " outside 0..14 (RFC 7323 2.3)");
        }
        this.hasWindowScale = true;
        this.windowScale = shift;
        this.windowScaleClamped = false;
        return this;
    }

    /** @return true if SACK-permitted is present / set. */
    public boolean sackPermitted()
    {
        return sackPermitted;
    }

    /**
     * @param permitted whether to send SACK-permitted (SYN only).
     * @return this.
     */
    public TcpOptions sackPermitted(final boolean permitted)
    {
        this.sackPermitted = permitted;
        return this;
    }

    /** @return true if the timestamps option is present / set. */
    public boolean hasTimestamps()
    {
        return hasTimestamps;
    }

    /** @return TSval (meaningful when {@link #hasTimestamps()}). */
    public int tsVal()
    {
        return tsVal;
    }

    /** @return TSecr (meaningful when {@link #hasTimestamps()}). */
    public int tsEcr()
    {
        return tsEcr;
    }

    /**
     * @param tsVal our timestamp clock value.
     * @param tsEcr the TS.Recent value echoed back.
     * @return this.
     */
    public TcpOptions timestamps(final int tsVal, final int tsEcr)
    {
        this.hasTimestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        return this;
    }

    /** @return SACK blocks present / set, 0..4. */
    public int sackBlockCount()
    {
        return sackBlockCount;
    }

    /**
     * @param i block index, 0 .. count-1.
     * @return left edge (first sequence number) of block i.
     */
    public int sackLeft(final int i)
    {
        return sackLeft[i];
    }

    /**
     * @param i block index, 0 .. count-1.
     * @return right edge (one past the last) of block i.
     */
    public int sackRight(final int i)
    {
        return sackRight[i];
    }

    /**
     * Removes every SACK block, keeping the other options.
     *
     * @return this.
     */
    public TcpOptions clearSackBlocks()
    {
        sackBlockCount = 0;
        return this;
    }

    /**
     * Appends a SACK block to send (RFC 2018 section 4: the first block reports the most recently
     * received segment). Blocks beyond 4 are ignored; the writer also drops those that do not fit.
     *
     * @param left  first sequence number of the block.
     * @param right sequence number following the last byte of the block.
     * @return true if the block was stored.
     */
    public boolean addSackBlock(final int left, final int right)
    {
        if (sackBlockCount == MAX_SACK_BLOCKS)
        {
            return false;
        }
        sackLeft[sackBlockCount] = left;
        sackRight[sackBlockCount] = right;
        sackBlockCount++;
        return true;
    }

    private int fixedLength()
    {
        int length = 0;
        if (hasMss)
        {
            length += LENGTH_MSS;
        }
        if (hasTimestamps || sackPermitted)
        {
            // SACKPERM+TS (12), NOP NOP TS (12), or NOP NOP SACKPERM (4)
            length += hasTimestamps ? 12 : 4;
        }
        if (hasWindowScale)
        {
            length += 1 + LENGTH_WINDOW_SCALE;
        }
        return length;
    }

    private int sackBlocksThatFit(final int fixed)
    {
        // NOP NOP kind len then 8 bytes per block
        final int room = MAX_OPTIONS_LENGTH - fixed - 4;
        return room < SACK_BLOCK_LENGTH ? 0 : Math.min(sackBlockCount, room / SACK_BLOCK_LENGTH);
    }

    /**
     * Bytes {@link #write} will produce for the options currently set: a multiple of 4, at most 40.
     *
     * @return the option area length.
     */
    public int encodedLength()
    {
        final int fixed = fixedLength();
        final int blocks = sackBlocksThatFit(fixed);
        return fixed + (blocks == 0 ? 0 : 4 + blocks * SACK_BLOCK_LENGTH);
    }

    /**
     * Writes the options that are set, NOP-padded to 4-byte alignment, and returns the length so the
     * caller can set the Data Offset to {@code (20 + length) / 4}.
     *
     * @param buffer destination (typically {@link TcpHeader#buffer()}).
     * @param offset where the first option byte goes ({@link TcpHeader#OPTIONS_OFFSET}).
     * @return bytes written, a multiple of 4, 0..40; equal to {@link #encodedLength()}.
     */
    public int write(final MutableDirectBuffer buffer, final int offset)
    {
        int i = offset;
        if (hasMss)
        {
            buffer.putByte(i, (byte)KIND_MSS);
            buffer.putByte(i + 1, (byte)LENGTH_MSS);
            buffer.putShort(i + 2, (short)mss, NETWORK);
            i += LENGTH_MSS;
        }
        if (hasTimestamps)
        {
            if (sackPermitted)
            {
                buffer.putByte(i, (byte)KIND_SACK_PERMITTED);
                buffer.putByte(i + 1, (byte)LENGTH_SACK_PERMITTED);
            }
            else
            {
                buffer.putByte(i, (byte)KIND_NOP);
                buffer.putByte(i + 1, (byte)KIND_NOP);
            }
            buffer.putByte(i + 2, (byte)KIND_TIMESTAMPS);
            buffer.putByte(i + 3, (byte)LENGTH_TIMESTAMPS);
            buffer.putInt(i + 4, tsVal, NETWORK);
            buffer.putInt(i + 8, tsEcr, NETWORK);
            i += 12;
        }
        else if (sackPermitted)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_NOP);
            buffer.putByte(i + 2, (byte)KIND_SACK_PERMITTED);
            buffer.putByte(i + 3, (byte)LENGTH_SACK_PERMITTED);
            i += 4;
        }
        if (hasWindowScale)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_WINDOW_SCALE);
            buffer.putByte(i + 2, (byte)LENGTH_WINDOW_SCALE);
            buffer.putByte(i + 3, (byte)windowScale);
            i += 4;
        }
        final int blocks = sackBlocksThatFit(i - offset);
        if (blocks > 0)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_NOP);
            buffer.putByte(i + 2, (byte)KIND_SACK);
            buffer.putByte(i + 3, (byte)(2 + blocks * SACK_BLOCK_LENGTH));
            i += 4;
            for (int b = 0; b < blocks; b++)
            {
                buffer.putInt(i, sackLeft[b], NETWORK);
                buffer.putInt(i + 4, sackRight[b], NETWORK);
                i += SACK_BLOCK_LENGTH;
            }
        }
        return i - offset;
    }
}
