package io.pktstore.kv.testing;

import io.pktstore.arena.Arena;
import io.pktstore.kv.store.KvStore;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.UnsafeApi;

/**
 * Builds what the stack hands a store: received frames (Ethernet, IPv4, TCP with a correct checksum) in
 * arena buffers and packet records over their payload, with the fields TCP sets; and from them, as a
 * front end would, a key record and a value chain of range clones. Allocation-free once made (tests of
 * the request path's allocation use it inside the measured loop).
 */
public final class Segments
{
    static final int ETH = 14;
    static final int IP = 20;
    static final int TCP = 20;
    static final int HEADERS = ETH + IP + TCP;
    static final int SRC = 0xC6120001;
    static final int DST = 0xC6120002;

    private final Arena arena;
    private final PacketRecordPool pool;
    private final PacketRecord view = new PacketRecord();
    private final long scratch;
    private int seq = 1000;
    public long timestampNs = 1_700_000_000_000_000_000L;
    /** Payload bytes per segment. */
    public int mss = 1448;

    /** A request's records: the key record and the value chain. */
    public static final class Request
    {
        public int key;
        public int valueHead;
        public long valueLength;
        /** Buffers the value's segments arrived in, in order (for the zero-copy checks). */
        public final int[] buffers = new int[8192];
        public int bufferCount;
    }

    public Segments(final Arena arena, final PacketRecordPool pool)
    {
        this.arena = arena;
        this.pool = pool;
        this.scratch = UnsafeApi.allocateMemory(4096);
    }

    /**
     * Writes one frame carrying {@code length} payload bytes from {@code payload} into a new buffer and
     * returns a record over its payload, as TCP delivers it (software-verified checksum).
     *
     * @return the record, or NO_RECORD if the arena is out of buffers or records.
     * @throws IllegalArgumentException if the frame would not fit a buffer (it would overwrite the next one)
     */
    public int segment(final long payload, final int length)
    {
        if (length < 0 || HEADERS + length > arena.bufferSize())
        {
            throw new IllegalArgumentException("a frame of " + length + " payload bytes does not fit a "
                + arena.bufferSize() + "-byte buffer");
        }
        final int buffer = arena.allocateBuffer();
        if (buffer == Arena.NONE)
        {
            return PacketRecord.NO_RECORD;
        }
        final long frame = arena.bufferAddress(buffer);
        UnsafeApi.setMemory(frame, HEADERS, (byte)0);
        UnsafeApi.putShort(frame + 12, (short)0x0008);              // EtherType 0x0800, big-endian
        final long ip = frame + ETH;
        UnsafeApi.putByte(ip, (byte)0x45);
        putU16(ip + 2, IP + TCP + length);
        UnsafeApi.putByte(ip + 8, (byte)64);
        UnsafeApi.putByte(ip + 9, (byte)6);
        UnsafeApi.putInt(ip + 12, Integer.reverseBytes(SRC));
        UnsafeApi.putInt(ip + 16, Integer.reverseBytes(DST));
        putU16(ip + 10, InternetChecksum.fold(InternetChecksum.sum(ip, IP, 0)) & 0xFFFF);
        final long tcp = ip + IP;
        putU16(tcp, 40000);
        putU16(tcp + 2, 6379);
        UnsafeApi.putInt(tcp + 4, Integer.reverseBytes(seq));
        UnsafeApi.putByte(tcp + 12, (byte)0x50);
        UnsafeApi.putByte(tcp + 13, (byte)0x18);
        putU16(tcp + 14, 65535);
        UnsafeApi.copyMemory(payload, tcp + TCP, length);
        final int checksum = InternetChecksum.fold(InternetChecksum.sum(tcp, TCP + length,
            InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, TCP + length))) & 0xFFFF;
        putU16(tcp + 16, checksum);
        final int record = pool.adopt(buffer);
        if (record == PacketRecord.NO_RECORD)
        {
            arena.releaseBuffer(buffer);
            return PacketRecord.NO_RECORD;
        }
        view.wrap(arena, record).timestampNs(timestampNs++).tcpSeq(seq).frameLength(HEADERS + length)
            .dataOffset(HEADERS).dataLength(length).tcpChecksum(checksum).l3Offset(ETH).l4Offset(ETH + IP)
            .checksumState(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED);
        seq += length;
        return record;
    }

    private static void putU16(final long address, final int value)
    {
        UnsafeApi.putByte(address, (byte)(value >>> 8));
        UnsafeApi.putByte(address + 1, (byte)value);
    }

    /**
     * Sends "key bytes then value bytes" as consecutive segments of {@link #mss} bytes and cuts them
     * as a front end would: the key as a range clone of its segment (or, when it straddles two
     * segments, a store copy), the value as range clones chained through {@code next}. The segments'
     * own records are released (the clones keep the buffers).
     *
     * @return true if built; false if the arena ran out (everything made so far released).
     */
    public boolean request(final KvStore store, final byte[] key, final byte[] value, final Request out)
    {
        return request(store, key, 0, key.length, value, value.length, out);
    }

    /** As {@link #request(KvStore, byte[], byte[], Request)} for {@code valueLength} bytes of {@code value} (repeated if shorter). */
    public boolean request(final KvStore store, final byte[] key, final int keyOffsetInSegment, final int keyLength,
                    final byte[] value, final long valueLength, final Request out)
    {
        out.key = PacketRecord.NO_RECORD;
        out.valueHead = PacketRecord.NO_RECORD;
        out.valueLength = valueLength;
        out.bufferCount = 0;
        final long total = keyOffsetInSegment + keyLength + valueLength;
        long sent = 0;
        int tail = PacketRecord.NO_RECORD;
        int keyCopied = 0;   // bytes of a straddling key gathered in scratch
        while (sent < total || sent == 0)
        {
            final int length = (int)Math.min(mss, total - sent);
            for (int i = 0; i < length; i++)
            {
                final long at = sent + i;
                final byte b;
                if (at < keyOffsetInSegment)
                {
                    b = (byte)'#';
                }
                else if (at < keyOffsetInSegment + keyLength)
                {
                    b = key[(int)(at - keyOffsetInSegment)];
                }
                else
                {
                    b = value.length == 0 ? 0 : value[(int)((at - keyOffsetInSegment - keyLength) % value.length)];
                }
                UnsafeApi.putByte(scratch + 2048 + i, b);
            }
            final int segment = segment(scratch + 2048, length);
            if (segment == PacketRecord.NO_RECORD)
            {
                release(out, tail);
                return false;
            }
            final long segmentEnd = sent + length;
            // The key's part in this segment.
            final long keyStart = Math.max(sent, keyOffsetInSegment);
            final long keyEnd = Math.min(segmentEnd, keyOffsetInSegment + keyLength);
            if (keyStart < keyEnd)
            {
                final boolean whole = keyStart == keyOffsetInSegment && keyEnd == keyOffsetInSegment + keyLength;
                if (whole)
                {
                    out.key = pool.cloneRange(segment, (int)(keyStart - sent), keyLength);
                }
                else
                {
                    UnsafeApi.copyMemory(arena.bufferAddress(view.wrap(arena, segment).bufferIndex()) + HEADERS + (keyStart - sent),
                        scratch + keyCopied, keyEnd - keyStart);
                    keyCopied += (int)(keyEnd - keyStart);
                    if (keyCopied == keyLength)
                    {
                        out.key = store.copyKey(scratch, keyLength, timestampNs);
                    }
                }
            }
            // The value's part in this segment.
            final long valueStart = Math.max(sent, keyOffsetInSegment + keyLength);
            if (valueStart < segmentEnd)
            {
                final int clone = pool.cloneRange(segment, (int)(valueStart - sent), (int)(segmentEnd - valueStart));
                if (tail == PacketRecord.NO_RECORD)
                {
                    out.valueHead = clone;
                }
                else
                {
                    view.wrap(arena, tail).next(clone);
                }
                tail = clone;
                out.buffers[out.bufferCount++] = view.wrap(arena, clone).bufferIndex();
            }
            pool.release(segment);
            sent = segmentEnd;
            if (total == 0)
            {
                break;
            }
        }
        return out.key != PacketRecord.NO_RECORD;
    }

    private void release(final Request out, final int tail)
    {
        if (out.key != PacketRecord.NO_RECORD)
        {
            pool.release(out.key);
        }
        pool.releaseChain(out.valueHead);
        out.key = PacketRecord.NO_RECORD;
        out.valueHead = PacketRecord.NO_RECORD;
    }

    /** @return the value of a node, gathered from its records (tests only: allocates). */
    public static byte[] value(final KvStore store, final int node)
    {
        final byte[] out = new byte[(int)store.valueLength(node)];
        int at = 0;
        for (int r = store.valueHead(node); r != PacketRecord.NO_RECORD; r = store.nodes().next(r))
        {
            final int length = store.nodes().dataLength(r);
            UnsafeApi.copyMemory(null, store.nodes().dataAddress(r), out, UnsafeApi.arrayBaseOffset(byte[].class) + at, length);
            at += length;
        }
        if (at != out.length)
        {
            throw new AssertionError("value chain holds " + at + " bytes, length says " + out.length);
        }
        return out;
    }
}
