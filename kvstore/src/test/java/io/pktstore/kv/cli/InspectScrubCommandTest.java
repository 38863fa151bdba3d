package io.pktstore.kv.cli;

import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.kv.testing.Segments;
import io.pktstore.stack.record.PacketRecordPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pktstore inspect} and {@code pktstore scrub} on arena files, intact and damaged. */
class InspectScrubCommandTest
{
    private final CommandRun cli = new CommandRun();

    /** Stores 50 keys in a new arena file; returns the file offset of one value byte of "key:25". */
    private static long storeKeys(final Path file) throws Exception
    {
        long victimOffset;
        try (StoreFile storeFile = StoreFile.open(file, 16 << 20, 8, null, false, KvStoreConfig.defaults()))
        {
            final Segments segments = new Segments(storeFile.arena(), new PacketRecordPool(storeFile.arena()));
            for (int i = 0; i < 50; i++)
            {
                final Segments.Request r = new Segments.Request();
                segments.request(storeFile.store(), ("key:" + i).getBytes(StandardCharsets.US_ASCII),
                    ("value number " + i).getBytes(StandardCharsets.US_ASCII), r);
                storeFile.store().put(r.key, r.valueHead, r.valueLength);
            }
            storeFile.store().commit();
            final byte[] key = "key:25".getBytes(StandardCharsets.US_ASCII);
            final long scratch = org.agrona.UnsafeApi.allocateMemory(16);
            org.agrona.UnsafeApi.copyMemory(key, org.agrona.UnsafeApi.arrayBaseOffset(byte[].class), null, scratch, key.length);
            final int node = storeFile.store().get(scratch, key.length);
            victimOffset = storeFile.store().nodes().dataAddress(storeFile.store().valueHead(node)) + 3
                - storeFile.arena().region().address();
        }
        return victimOffset;
    }

    private static String sha256Hex(final String text) throws Exception
    {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
            .digest(text.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void inspectAndScrubReportAnIntactStoreAndScrubFindsAFlippedValueByte(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("store.arena");
        final long victim = storeKeys(file);
        assertEquals(0, cli.run("inspect", file.toString()), cli.err());
        assertTrue(cli.out().contains("store: engine skiplist, 50 keys"), cli.out());
        assertTrue(cli.out().contains("previous shutdown clean"), cli.out());
        assertTrue(cli.out().contains("shard 0 of 1"), cli.out());
        cli.out.getBuffer().setLength(0);
        assertEquals(0, cli.run("inspect", "--keys", file.toString()), cli.err());
        final String listing = cli.out().substring(cli.out().indexOf("keys:\n") + 6);
        final String[] lines = listing.split("\n");
        assertEquals(50, lines.length, listing);
        assertEquals("key:0 14 " + sha256Hex("value number 0"), lines[0]);
        assertEquals("key:49 15 " + sha256Hex("value number 49"), lines[44], "in key order: key:49 after key:45..48");
        cli.out.getBuffer().setLength(0);
        assertEquals(0, cli.run("scrub", file.toString()), cli.err());
        assertTrue(cli.out().contains("scrub: 50 keys") && cli.out().contains("0 damaged, index sound"), cli.out());

        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(victim);
            final int b = raf.read();
            raf.seek(victim);
            raf.write(b ^ 0x08);
        }
        cli.out.getBuffer().setLength(0);
        // The flipped byte lies in the segment that carried both the key and the value: the segment's
        // checksum covers both, so the key is quarantined (its gap answers an error), named as read.
        assertEquals(3, cli.run("scrub", file.toString()), cli.err());
        assertTrue(cli.out().contains("checksum does not verify"), cli.out());
        assertTrue(cli.out().contains("(its key reads \"key:25\", unverified) quarantined"), cli.out());
        assertTrue(cli.out().contains("keys between \"key:24\" and \"key:26\" answer an error"), cli.out());
        cli.out.getBuffer().setLength(0);
        assertEquals(3, cli.run("inspect", file.toString()), "the quarantine stays until purged: " + cli.out());
        assertTrue(cli.out().contains("1 quarantined (0 new)"), cli.out());
        assertTrue(cli.out().contains("store: engine skiplist, 49 keys"), cli.out());
    }

    @Test
    void aFileThatIsNoArenaIsRefusedClearly(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("junk.arena");
        java.nio.file.Files.write(file, new byte[8192]);
        assertEquals(1, cli.run("scrub", file.toString()));
        assertTrue(cli.err().contains("is not a pktstore arena"), cli.err());
        assertEquals(1, cli.run("inspect", dir.resolve("missing.arena").toString()));
        assertTrue(cli.err().contains("missing.arena"), cli.err());
    }
}
