package io.pktstore.kv.format;

import io.pktstore.stack.record.PacketRecord;

/**
 * An index node: the packet record of a key. It is a clone of the record that carried the request,
 * trimmed to the key's bytes (or, for a key split across two segments, a record over a copy), whose
 * {@code next} heads the value's chain of records and whose four link words the store uses in place.
 *
 * <pre>
 *  bytes 0..31  PacketRecord metadata: bufferIndex, next = first value record (NO_RECORD: empty
 *               value), timestampNs, tcpSeq, frameLength, dataOffset/dataLength = the key's bytes,
 *               tcpChecksum, l3/l4 offsets, checksum state, flags
 *  link word 0  engine link A (durable)
 *  link word 1  value length in bytes (u32, low half, durable, immutable)
 *               | engine's volatile use (high half)
 *  link word 2  engine link B
 *  link word 3  engine link C
 *
 *  skip list   word 0 = level-0 next (record + 1, low u32) | height (bits 32..39)    durable
 *              word 1 high = overflow block + 1 holding levels 5 and up               volatile
 *              word 2 = level 1 | level 2 (record + 1 each, u32)                      volatile
 *              word 3 = level 3 | level 4                                             volatile
 *  red-black   word 0 = left child (record + 1, low u32) | red (bit 32)                durable
 *              word 2 = right child (record + 1, low u32)                              durable
 *              word 3 = 0
 *  quarantined word 0 = next quarantined node (record + 1)                             durable
 *              word 2 = record + 1 of a copy of the key before it, 0 = none            durable
 *              word 3 = record + 1 of a copy of the key after it, 0 = none             durable
 * </pre>
 * Link values hold record + 1 so that 0 means "none" (record 0 is a valid record).
 *
 * <p>A value record is a clone of a received record trimmed to the value's bytes in that segment;
 * its {@code next} links the value's next record; its link words are unused (zero).
 */
public final class NodeLayout
{
    /** Byte offset of link word 0 in a record. */
    public static final int WORD0 = PacketRecord.LINK_WORDS_OFFSET;
    /** Byte offset of link word 1. */
    public static final int WORD1 = PacketRecord.LINK_WORDS_OFFSET + 8;
    /** Byte offset of link word 2. */
    public static final int WORD2 = PacketRecord.LINK_WORDS_OFFSET + 16;
    /** Byte offset of link word 3. */
    public static final int WORD3 = PacketRecord.LINK_WORDS_OFFSET + 24;

    /** Low 32 bits of a link word: a record + 1. */
    public static final long LINK_MASK = 0xFFFF_FFFFL;

    /** Longest key in bytes. */
    public static final int MAX_KEY_LENGTH = 1024;
    /** Longest value the node's length field can describe. */
    public static final long MAX_VALUE_LENGTH = 0xFFFF_FFFFL;

    private NodeLayout()
    {
    }

    /** @return the link encoding of {@code record}: record + 1, or 0 for {@link PacketRecord#NO_RECORD}. */
    public static long link(final int record)
    {
        return record == PacketRecord.NO_RECORD ? 0 : (record + 1L);
    }

    /** @return the record a link names (low 32 bits), or {@link PacketRecord#NO_RECORD} for 0. */
    public static int record(final long link)
    {
        return (int)(link & LINK_MASK) - 1;
    }
}
