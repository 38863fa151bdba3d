package io.pktstore.stack.record;

import io.pktstore.arena.Arena;
import io.pktstore.stack.TestArenas;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketRecordPoolTest
{
    private final Arena arena = TestArenas.arena(8, 4);
    private final PacketRecordPool pool = new PacketRecordPool(arena);

    @Test
    void fieldsLandAtTheContractOffsetsLittleEndian()
    {
        final int buffer = arena.allocateBuffer();
        final int r = pool.adopt(buffer);
        pool.view(r).next(7).timestampNs(0x1122334455667788L).tcpSeq(0xCAFEBABE).frameLength(1514)
            .dataOffset(66).dataLength(1448).tcpChecksum(0xBEEF).l3Offset(14).l4Offset(34)
            .checksumState(PacketRecord.CHECKSUM_SOFTWARE_COMPLETED).flags(PacketRecord.FLAG_FIN | PacketRecord.FLAG_PSH)
            .linkWord(0, 1L).linkWord(3, -2L);
        final UnsafeBuffer raw = new UnsafeBuffer(arena.recordAddress(r), 64);
        final ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        assertEquals(buffer, raw.getInt(0, le));
        assertEquals(7, raw.getInt(4, le));
        assertEquals(0x1122334455667788L, raw.getLong(8, le));
        assertEquals(0xCAFEBABE, raw.getInt(16, le));
        assertEquals(1514, raw.getShort(20, le));
        assertEquals(66, raw.getShort(22, le));
        assertEquals(1448, raw.getShort(24, le));
        assertEquals((short)0xBEEF, raw.getShort(26, le));
        assertEquals(14, raw.getByte(28));
        assertEquals(34, raw.getByte(29));
        assertEquals(3, raw.getByte(30));
        assertEquals(6, raw.getByte(31));
        assertEquals(1L, raw.getLong(32, le));
        assertEquals(0L, raw.getLong(40, le));
        assertEquals(-2L, raw.getLong(56, le));
        assertEquals(0xBEEF, pool.view(r).tcpChecksum());
        assertEquals(1514, pool.view(r).frameLength());
    }

    @Test
    void adoptedRecordStartsCleanAndOwnsTheBufferReference()
    {
        final int buffer = arena.allocateBuffer();
        final int r = pool.adopt(buffer);
        new UnsafeBuffer(arena.recordAddress(r), 64).getByte(0);
        final PacketRecord v = pool.view(r);
        assertEquals(buffer, v.bufferIndex());
        assertEquals(PacketRecord.NO_RECORD, v.next());
        assertEquals(0, v.flags());
        assertEquals(0L, v.linkWord(2));
        assertEquals(1, arena.bufferRefCount(buffer));
        assertTrue(pool.release(r), "last reference frees the buffer");
        assertFalse(arena.isBufferAllocated(buffer));
        assertFalse(arena.isRecordAllocated(r));
    }

    @Test
    void cloneSharesTheBufferAndEitherReleaseOrderFreesItOnce()
    {
        for (final boolean originalFirst : new boolean[] {true, false})
        {
            final int buffer = arena.allocateBuffer();
            final int original = pool.adopt(buffer);
            pool.view(original).tcpSeq(1000).dataOffset(54).dataLength(100).next(3).linkWord(1, 99L);
            final int clone = pool.cloneRecord(original);
            assertEquals(2, arena.bufferRefCount(buffer));
            final PacketRecord c = new PacketRecord().wrap(arena, clone);
            assertEquals(buffer, c.bufferIndex());
            assertEquals(1000, c.tcpSeq());
            assertEquals(100, c.dataLength());
            assertTrue(c.hasFlag(PacketRecord.FLAG_CLONE));
            assertEquals(PacketRecord.NO_RECORD, c.next(), "clone is not in the original's chain");
            assertEquals(0L, c.linkWord(1), "link words belong to the holder of the original");
            assertFalse(pool.view(original).hasFlag(PacketRecord.FLAG_CLONE));

            assertFalse(pool.release(originalFirst ? original : clone));
            assertEquals(1, arena.bufferRefCount(buffer));
            assertTrue(pool.release(originalFirst ? clone : original));
            assertEquals(0, arena.bufferRefCount(buffer));
            assertEquals(4, arena.freeBufferCount());
            assertEquals(8, arena.freeRecordCount());
        }
    }

    @Test
    void releaseChainFollowsNextAndReleasesEveryRecord()
    {
        final int a = pool.adopt(arena.allocateBuffer());
        final int b = pool.adopt(arena.allocateBuffer());
        final int c = pool.cloneRecord(b);
        pool.view(a).next(b);
        pool.view(b).next(c);
        assertEquals(3, pool.releaseChain(a));
        assertEquals(8, arena.freeRecordCount());
        assertEquals(4, arena.freeBufferCount());
        assertEquals(0, pool.releaseChain(PacketRecord.NO_RECORD));
    }

    @Test
    void fullRecordTableReturnsNoneAndHarmsNothing()
    {
        final int buffer = arena.allocateBuffer();
        final int first = pool.adopt(buffer);
        pool.view(first).tcpSeq(77);
        for (int i = 1; i < 8; i++)
        {
            assertTrue(pool.cloneRecord(first) >= 0);
        }
        assertEquals(0, arena.freeRecordCount());
        assertEquals(8, arena.bufferRefCount(buffer));

        assertEquals(PacketRecord.NO_RECORD, pool.cloneRecord(first));
        assertEquals(8, arena.bufferRefCount(buffer), "a failed clone takes no reference");
        final int other = arena.allocateBuffer();
        assertEquals(PacketRecord.NO_RECORD, pool.adopt(other));
        assertEquals(1, arena.bufferRefCount(other), "caller keeps its reference when adopt fails");
        assertEquals(77, pool.view(first).tcpSeq());
    }

    @Test
    void misuseIsRefusedBeforeAnythingChanges()
    {
        final int buffer = arena.allocateBuffer();
        final int r = pool.adopt(buffer);
        pool.release(r);
        final int freeRecords = arena.freeRecordCount();
        final int freeBuffers = arena.freeBufferCount();
        final IllegalStateException twice = assertThrows(IllegalStateException.class, () -> pool.release(r));
        assertTrue(twice.getMessage().contains("record " + r), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> pool.cloneRecord(r));
        assertThrows(IllegalStateException.class, () -> pool.adopt(buffer));
        assertEquals(freeRecords, arena.freeRecordCount());
        assertEquals(freeBuffers, arena.freeBufferCount());
    }

    @Test
    void settersRefuseValuesThatDoNotFitTheirField()
    {
        final int r = pool.adopt(arena.allocateBuffer());
        final PacketRecord v = pool.view(r);
        assertThrows(IllegalArgumentException.class, () -> v.frameLength(65536));
        assertThrows(IllegalArgumentException.class, () -> v.l4Offset(256));
        assertThrows(IllegalArgumentException.class, () -> v.checksumState(6));
        assertThrows(IndexOutOfBoundsException.class, () -> v.linkWord(4));
        assertEquals(0, v.frameLength());
    }

    @Test
    void rangeCloneCoversItsSubRangeAndSharesTheBuffer()
    {
        final int buffer = arena.allocateBuffer();
        final int r = pool.adopt(buffer);
        pool.view(r).dataOffset(54).dataLength(100).tcpSeq(-10).timestampNs(77).frameLength(154);
        final int c = pool.cloneRange(r, 30, 40);
        final PacketRecord clone = new PacketRecord().wrap(arena, c);
        assertEquals(buffer, clone.bufferIndex());
        assertEquals(84, clone.dataOffset());
        assertEquals(40, clone.dataLength());
        assertEquals(20, clone.tcpSeq(), "sequence number of the range's first byte, across the wrap");
        assertEquals(77, clone.timestampNs());
        assertTrue(clone.hasFlag(PacketRecord.FLAG_CLONE));
        assertEquals(2, arena.bufferRefCount(buffer));
        assertEquals(0, pool.cloneRange(r, 100, 0) == PacketRecord.NO_RECORD ? 1 : 0, "an empty range at the end is allowed");
        final int freeRecords = arena.freeRecordCount();
        assertThrows(IndexOutOfBoundsException.class, () -> pool.cloneRange(r, 61, 40));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.cloneRange(r, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.cloneRange(r, 0, 101));
        assertEquals(freeRecords, arena.freeRecordCount(), "a refused range changes nothing");
        assertEquals(3, arena.bufferRefCount(buffer));
        pool.trim(r, 10, 5);
        assertEquals(64, pool.view(r).dataOffset());
        assertEquals(5, pool.view(r).dataLength());
        assertEquals(0, pool.view(r).tcpSeq());
        assertThrows(IndexOutOfBoundsException.class, () -> pool.trim(r, 1, 5));
        assertEquals(5, pool.view(r).dataLength());
    }
}
