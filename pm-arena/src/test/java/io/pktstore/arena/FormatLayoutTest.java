package io.pktstore.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins the on-disk format to docs/pm-format.md: the bytes of a freshly created, cleanly closed
 * file are read back with the offsets written in the document (literals, not the code's
 * constants), so an accidental format change fails here and forces a version bump + doc update.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FormatLayoutTest {

    @Test
    void superblockBytesMatchTheDocumentedFormat() throws IOException {
        try (TempArenaFiles files = new TempArenaFiles()) {
            final Path file = files.tmpfs();
            final ArenaGeometry geometry;
            final long rec5;
            final long buf3;
            final long ovf2;
            try (Arena arena = Arena.create(file, 1 << 20, 1024)) {
                geometry = arena.geometry();
                arena.setRoot(0, 0x1111L);
                arena.setRoot(15, 0xFFFFL);
                rec5 = arena.recordOffset(5);
                buf3 = arena.bufferOffset(3);
                ovf2 = arena.overflowOffset(2);
            }
            final ByteBuffer sb = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            final byte[] magic = new byte[8];
            sb.get(0, magic);
            assertEquals("PKSARENA", new String(magic, StandardCharsets.US_ASCII));
            assertEquals(2, sb.getInt(8), "format version");
            assertEquals(4096, sb.getInt(12), "superblock size");
            assertEquals(1 << 20, sb.getLong(16), "arena size");
            assertEquals(geometry.recordCount(), sb.getInt(24));
            assertEquals(geometry.bufferCount(), sb.getInt(28));
            assertEquals(1024, sb.getInt(32));
            assertEquals(geometry.overflowBlockCount(), sb.getInt(36));
            assertEquals(geometry.logCapacity(), sb.getInt(40), "link log capacity");
            for (int i = 44; i < 60; i++) {
                assertEquals(0, sb.get(i), "reserved byte " + i);
            }
            final CRC32C crc = new CRC32C();
            crc.update(sb.array(), 0, 60);
            assertEquals((int) crc.getValue(), sb.getInt(60), "CRC32C of bytes 0..59");
            final byte[] state = new byte[8];
            sb.get(64, state);
            assertEquals("CLEANSHT", new String(state, StandardCharsets.US_ASCII));
            assertEquals(0x1111L, sb.getLong(128), "root 0");
            assertEquals(0xFFFFL, sb.getLong(128 + 15 * 8), "root 15");
            for (int i = 256; i < 4096; i++) {
                assertEquals(0, sb.get(i), "reserved byte " + i);
            }
            // Region offsets as the document computes them.
            final long linkLog = 4096;
            final long recordMarks = linkLog + align4096(64 + 2L * 16 * geometry.logCapacity());
            final long recordTable = recordMarks + align4096((geometry.recordCount() + 63L) / 64 * 8);
            assertEquals(0L, sb.getLong((int) linkLog), "link log commit word after format");
            final long overflowTable = recordTable + align4096(geometry.recordCount() * 64L);
            final long bufferPool = overflowTable + align4096(geometry.overflowBlockCount() * 64L);
            assertEquals(recordTable + 5 * 64L, rec5);
            assertEquals(overflowTable + 2 * 64L, ovf2);
            assertEquals(bufferPool + 3 * 1024L, buf3);
            assertTrue(bufferPool + geometry.bufferCount() * 1024L <= 1 << 20);
        }
    }

    @Test
    void inUseStateIsWrittenWhileOpen() throws IOException {
        try (TempArenaFiles files = new TempArenaFiles()) {
            final Path file = files.tmpfs();
            try (Arena arena = Arena.create(file, 1 << 20, 2048)) {
                final byte[] state = new byte[8];
                ByteBuffer.wrap(Files.readAllBytes(file)).get(64, state);
                assertEquals("INUSE!!!", new String(state, StandardCharsets.US_ASCII));
                assertTrue(arena.isReady());
            }
        }
    }

    private static long align4096(final long v) {
        return (v + 4095) & -4096L;
    }
}
