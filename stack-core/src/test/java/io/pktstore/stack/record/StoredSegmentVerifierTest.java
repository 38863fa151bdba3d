package io.pktstore.stack.record;

import io.pktstore.arena.Arena;
import io.pktstore.stack.TestArenas;
import io.pktstore.stack.TestFrames;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The stored-segment check recovery and scrub rely on: a record built over a real frame (made by the
 * independent byte-level {@link TestFrames}) verifies; each single damage to the frame bytes or to a
 * record field is reported with its own code; Ethernet padding after the IPv4 total length is not
 * summed; a store-copy record is checked against its own Internet checksum.
 */
class StoredSegmentVerifierTest
{
    private static final int SRC = 0xC6120001;
    private static final int DST = 0xC6120002;
    private static final int ETH = 14;

    private final Arena arena = TestArenas.arena(16, 8);
    private final PacketRecordPool pool = new PacketRecordPool(arena);
    private final PacketRecord view = new PacketRecord();

    /** A record over a frame carrying "SET key value" whose data range is the value. */
    private int storedValueRecord(final boolean padToMinimum)
    {
        final byte[] payload = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] ip = TestFrames.ipv4(SRC, DST, 6, 64, 0x4000, new byte[0],
            TestFrames.tcp(SRC, DST, 40000, 6379, 1000, payload));
        byte[] frame = TestFrames.ethernet(2, 4, 0x0800, ip);
        if (padToMinimum)
        {
            frame = java.util.Arrays.copyOf(frame, frame.length + 30);
            java.util.Arrays.fill(frame, frame.length - 30, frame.length, (byte)0x5A);
        }
        final int buffer = arena.allocateBuffer();
        UnsafeApi.copyMemory(frame, UnsafeApi.arrayBaseOffset(byte[].class), null, arena.bufferAddress(buffer), frame.length);
        final int r = pool.adopt(buffer);
        final int payloadStart = ETH + 20 + 20;
        final int valueAt = payload.length - 7;
        pool.view(r).frameLength(frame.length).l3Offset(ETH).l4Offset(ETH + 20)
            .tcpChecksum(((frame[ETH + 36] & 0xFF) << 8) | (frame[ETH + 37] & 0xFF))
            .checksumState(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED)
            .dataOffset(payloadStart + valueAt).dataLength(5).tcpSeq(1000 + valueAt);
        return r;
    }

    private int verify(final int record)
    {
        return StoredSegmentVerifier.verify(arena, view.wrap(arena, record));
    }

    @Test
    void anIntactStoredSegmentVerifiesAlsoWithEthernetPadding()
    {
        assertEquals(StoredSegmentVerifier.OK, verify(storedValueRecord(false)));
        assertEquals(StoredSegmentVerifier.OK, verify(storedValueRecord(true)));
    }

    @Test
    void aFlippedByteAnywhereInTheSegmentFailsTheChecksum()
    {
        final int r = storedValueRecord(true);
        final int frameLength = pool.view(r).frameLength();
        final long buffer = arena.bufferAddress(pool.view(r).bufferIndex());
        for (int at = ETH + 20; at < frameLength - 30; at++)
        {
            final byte before = UnsafeApi.getByte(buffer + at);
            UnsafeApi.putByte(buffer + at, (byte)(before ^ 0x10));
            final int result = verify(r);
            // Flipping header bytes may trip an earlier check first; it must never pass.
            if (result == StoredSegmentVerifier.OK)
            {
                throw new AssertionError("flip at frame byte " + at + " went unnoticed");
            }
            UnsafeApi.putByte(buffer + at, before);
        }
        // Padding beyond the IPv4 total length is not part of the segment.
        UnsafeApi.putByte(buffer + frameLength - 1, (byte)0);
        assertEquals(StoredSegmentVerifier.OK, verify(r));
    }

    @Test
    void eachDamagedRecordFieldIsReported()
    {
        final int r = storedValueRecord(false);
        final PacketRecord v = pool.view(r);
        assertEquals(StoredSegmentVerifier.FIELD_MISMATCH, verifyWith(r, () -> v.tcpSeq(v.tcpSeq() + 1)));
        assertEquals(StoredSegmentVerifier.FIELD_MISMATCH, verifyWith(r, () -> v.tcpChecksum(v.tcpChecksum() ^ 1)));
        assertEquals(StoredSegmentVerifier.BAD_LAYOUT, verifyWith(r, () -> v.dataLength(v.dataLength() + 3)));
        assertEquals(StoredSegmentVerifier.BAD_LAYOUT, verifyWith(r, () -> v.dataOffset(ETH + 39)));
        assertEquals(StoredSegmentVerifier.BAD_LAYOUT, verifyWith(r, () -> v.l4Offset(ETH + 24)));
        assertEquals(StoredSegmentVerifier.BAD_LAYOUT, verifyWith(r, () -> v.frameLength(arena.bufferSize() + 64)));
        assertEquals(StoredSegmentVerifier.BAD_IP_HEADER, verifyWith(r, () -> v.l3Offset(ETH + 2).l4Offset(ETH + 22)));
        assertEquals(StoredSegmentVerifier.BAD_BUFFER_INDEX, verifyWith(r, () -> v.bufferIndex(1 << 20)));
        assertEquals(StoredSegmentVerifier.BAD_BUFFER_INDEX, verifyWith(r, () -> v.bufferIndex(-5)));
        assertEquals(StoredSegmentVerifier.BAD_CHECKSUM_STATE, verifyWith(r, () -> v.checksumState(PacketRecord.CHECKSUM_NONE)));
        assertEquals(StoredSegmentVerifier.OK, verify(r));
    }

    /** Applies a damage, verifies, and puts the record's metadata back. */
    private int verifyWith(final int r, final Runnable damage)
    {
        final byte[] saved = new byte[PacketRecord.METADATA_LENGTH];
        final long address = arena.recordAddress(r);
        UnsafeApi.copyMemory(null, address, saved, UnsafeApi.arrayBaseOffset(byte[].class), saved.length);
        damage.run();
        final int result = verify(r);
        UnsafeApi.copyMemory(saved, UnsafeApi.arrayBaseOffset(byte[].class), null, address, saved.length);
        return result;
    }

    @Test
    void aStoreCopyIsCheckedAgainstItsOwnChecksum()
    {
        final int buffer = arena.allocateBuffer();
        final byte[] key = "a key that was split across two segments".getBytes(StandardCharsets.US_ASCII);
        UnsafeApi.copyMemory(key, UnsafeApi.arrayBaseOffset(byte[].class), null, arena.bufferAddress(buffer) + 64, key.length);
        final int r = pool.adopt(buffer);
        // The Internet checksum of the range, as an independent naive loop computes it.
        pool.view(r).dataOffset(64).dataLength(key.length).checksumState(PacketRecord.CHECKSUM_STORE_COPY)
            .tcpChecksum(TestFrames.naiveChecksum(TestFrames.naiveSum(key, 0, key.length)));
        assertEquals(StoredSegmentVerifier.OK, verify(r));
        UnsafeApi.putByte(arena.bufferAddress(buffer) + 70, (byte)'X');
        assertEquals(StoredSegmentVerifier.BAD_CHECKSUM, verify(r));
        pool.view(r).dataLength(arena.bufferSize());
        assertEquals(StoredSegmentVerifier.BAD_LAYOUT, verify(r));
    }
}
