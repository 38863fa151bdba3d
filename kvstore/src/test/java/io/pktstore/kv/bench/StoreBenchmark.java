package io.pktstore.kv.bench;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.MappedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.kv.store.RecoveryReport;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.UnsafeApi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * In-process figures of the store (no network), both engines side by side in one run, on an arena
 * file in /dev/shm (the node's default persistence path: cache-line write-back):
 * <ul>
 *   <li>ns per PUT (overwrite of a random existing key) and per GET at 10^3 .. 10^6 keys, with a
 *       commit after every operation (one barrier pair each) and with group commit (64 operations
 *       per commit);</li>
 *   <li>recovery: keys per second to reopen the store (walk, verify every record and checksum,
 *       rebuild), and without the checksum pass;</li>
 *   <li>metadata bytes per key for 16 B, 1 KB and 64 KB values: record-table bytes (64 per record:
 *       the node and one per value segment) plus overflow blocks plus the record-mark bit, against the
 *       value's segments;</li>
 *   <li>barrier pairs per request with and without group commit.</li>
 * </ul>
 * Requests are built as the front ends build them: frames with a correct TCP checksum carrying
 * several (key, value) pairs back to back, the key and the value range clones of their frame.
 *
 * <p>Usage: {@code scripts/bench kvstore io.pktstore.kv.bench.StoreBenchmark [rounds] [maxKeys]}
 */
public final class StoreBenchmark
{
    private static final int ETH = 14;
    private static final int HEADERS = 54;
    private static final int SRC = 0xC6120001;
    private static final int DST = 0xC6120002;

    private final Arena arena;
    private final KvStore store;
    private final PacketRecordPool pool;
    private final PacketRecord view = new PacketRecord();
    private final long payload = UnsafeApi.allocateMemory(65536);
    private final long keyScratch = UnsafeApi.allocateMemory(64);
    private final int[] keyRecords = new int[64];
    private final int[] valueHeads = new int[64];
    private int seq = 1;

    private StoreBenchmark(final Arena arena, final Engine engine, final KvStoreConfig config)
    {
        this.arena = arena;
        this.store = KvStore.create(arena, engine, config);
        this.pool = new PacketRecordPool(arena);
    }

    /** Writes the 16-byte key "key:" + 12 decimal digits of {@code id} at {@code address} (no allocation). */
    private static void writeKey(final long address, final long id)
    {
        UnsafeApi.putInt(address, 0x3A79656B);   // "key:" little-endian
        long v = id;
        for (int i = 15; i >= 4; i--)
        {
            UnsafeApi.putByte(address + i, (byte)('0' + v % 10));
            v /= 10;
        }
    }

    /** One frame carrying {@code count} pairs of (16-byte key, value of {@code valueBytes}); fills keyRecords/valueHeads. */
    private void frameOfPairs(final long firstId, final int count, final int valueBytes)
    {
        final int pair = 16 + valueBytes;
        final int length = pair * count;
        for (int i = 0; i < count; i++)
        {
            writeKey(payload + (long)i * pair, firstId + i);
            UnsafeApi.setMemory(payload + (long)i * pair + 16, valueBytes, (byte)(firstId + i));
        }
        final int record = frame(payload, length);
        for (int i = 0; i < count; i++)
        {
            keyRecords[i] = pool.cloneRange(record, i * pair, 16);
            valueHeads[i] = valueBytes == 0 ? PacketRecord.NO_RECORD : pool.cloneRange(record, i * pair + 16, valueBytes);
        }
        pool.release(record);
    }

    /** A value of any size: the key in the first frame, then the value over as many frames as it takes. */
    private int bigValue(final long id, final int valueBytes)
    {
        writeKey(payload, id);
        int sent = 0;
        int tail = PacketRecord.NO_RECORD;
        int head = PacketRecord.NO_RECORD;
        int keyRecord = PacketRecord.NO_RECORD;
        final int total = 16 + valueBytes;
        while (sent < total)
        {
            final int length = Math.min(1448, total - sent);
            UnsafeApi.setMemory(payload + (sent == 0 ? 16 : 0), sent == 0 ? length - 16 : length, (byte)id);
            final int record = frame(payload, length);
            final int valueStart = sent == 0 ? 16 : 0;
            if (sent == 0)
            {
                keyRecord = pool.cloneRange(record, 0, 16);
            }
            if (length > valueStart)
            {
                final int clone = pool.cloneRange(record, valueStart, length - valueStart);
                if (tail == PacketRecord.NO_RECORD)
                {
                    head = clone;
                }
                else
                {
                    view.wrap(arena, tail).next(clone);
                }
                tail = clone;
            }
            pool.release(record);
            sent += length;
        }
        valueHeads[0] = head;
        return keyRecord;
    }

    private int frame(final long data, final int length)
    {
        final int buffer = arena.allocateBufferOrThrow();
        final long frame = arena.bufferAddress(buffer);
        UnsafeApi.setMemory(frame, HEADERS, (byte)0);
        final long ip = frame + ETH;
        UnsafeApi.putByte(ip, (byte)0x45);
        UnsafeApi.putShort(ip + 2, Short.reverseBytes((short)(40 + length)));
        UnsafeApi.putByte(ip + 9, (byte)6);
        UnsafeApi.putInt(ip + 12, Integer.reverseBytes(SRC));
        UnsafeApi.putInt(ip + 16, Integer.reverseBytes(DST));
        final long tcp = ip + 20;
        UnsafeApi.putInt(tcp + 4, Integer.reverseBytes(seq));
        UnsafeApi.putByte(tcp + 12, (byte)0x50);
        UnsafeApi.copyMemory(data, tcp + 20, length);
        final int checksum = InternetChecksum.fold(InternetChecksum.sum(tcp, 20 + length,
            InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, 20 + length))) & 0xFFFF;
        UnsafeApi.putShort(tcp + 16, Short.reverseBytes((short)checksum));
        final int record = pool.adopt(buffer);
        view.wrap(arena, record).timestampNs(System.nanoTime()).tcpSeq(seq).frameLength(HEADERS + length)
            .dataOffset(HEADERS).dataLength(length).tcpChecksum(checksum).l3Offset(ETH).l4Offset(ETH + 20)
            .checksumState(PacketRecord.CHECKSUM_SOFTWARE_VERIFIED);
        seq += length;
        return record;
    }

    /** Loads keys 0..n-1 with 16-byte values, 36 per frame, group-committed. */
    private void load(final long n, final int valueBytes)
    {
        final int perFrame = valueBytes <= 16 ? 36 : 1;
        for (long id = 0; id < n; id += perFrame)
        {
            final int count = (int)Math.min(perFrame, n - id);
            frameOfPairs(id, count, valueBytes);
            for (int i = 0; i < count; i++)
            {
                store.put(keyRecords[i], valueHeads[i], valueBytes);
            }
            store.commit();
        }
    }

    /**
     * Overwrites random keys; only the store's work (put and commit) is timed, not building the
     * requests' frames (the stack's job).
     */
    private double putNs(final long keys, final int operations, final int perCommit, final SplittableRandom rnd)
    {
        long timed = 0;
        int done = 0;
        final int[] keysOfBatch = new int[perCommit];
        final int[] valuesOfBatch = new int[perCommit];
        while (done < operations)
        {
            for (int i = 0; i < perCommit; i++)
            {
                frameOfPairs(rnd.nextLong(keys), 1, 16);
                keysOfBatch[i] = keyRecords[0];
                valuesOfBatch[i] = valueHeads[0];
            }
            final long start = System.nanoTime();
            for (int i = 0; i < perCommit; i++)
            {
                store.put(keysOfBatch[i], valuesOfBatch[i], 16);
            }
            store.commit();
            timed += System.nanoTime() - start;
            done += perCommit;
        }
        return timed / (double)done;
    }

    private double getNs(final long keys, final int operations, final SplittableRandom rnd)
    {
        final long start = System.nanoTime();
        long found = 0;
        for (int i = 0; i < operations; i++)
        {
            writeKey(keyScratch, rnd.nextLong(keys));
            found += store.get(keyScratch, 16) >= 0 ? 1 : 0;
        }
        if (found != operations)
        {
            throw new AssertionError("lookups missed: " + (operations - found));
        }
        return (System.nanoTime() - start) / (double)operations;
    }

    private static Arena newArena(final Path file, final long keys, final int valueBytes)
    {
        final int perFrame = valueBytes <= 16 ? 36 : 1;
        final long framesPerKey = valueBytes <= 16 ? 1 : (16 + valueBytes + 1447) / 1448;
        // Room for the overwrites too: each PUT's frame stays held while its value is stored, and a loaded
        // frame carrying 36 keys stays until all of them are overwritten: up to 450,000 timed and warm-up
        // PUTs per store (operations), each a buffer and two records.
        final long buffers = keys / perFrame + keys * (perFrame == 1 ? framesPerKey : 0) + 500_000;
        final long records = keys * (1 + framesPerKey) + 1_000_000;
        final ArenaGeometry geometry = ArenaGeometry.of((int)records, (int)buffers, 2048, (int)(keys / 64 + 1024));
        final MappedPmRegion region = MappedPmRegion.open(file, geometry.requiredBytes());
        return Arena.format(region, geometry);
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        final long maxKeys = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pks-storebench");
        System.out.printf("StoreBenchmark: %d rounds, up to %d keys; %d cores, %s; arena files on /dev/shm%n", rounds, maxKeys,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        try
        {
            operations(dir, rounds, maxKeys);
            recovery(dir, rounds, maxKeys);
            metadata(dir);
        }
        finally
        {
            try (var files = Files.list(dir))
            {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void operations(final Path dir, final int rounds, final long maxKeys)
    {
        System.out.println("\n## ns per operation, in process (median of " + rounds + " rounds, engines alternating)");
        System.out.println("| keys | engine | PUT, commit each | PUT, 64 per commit | GET | barrier pairs per PUT (each / grouped) |");
        System.out.println("|---:|---|---:|---:|---:|---:|");
        for (long keys = 1000; keys <= maxKeys; keys *= 10)
        {
            final double[][] putEach = new double[2][rounds];
            final double[][] putGroup = new double[2][rounds];
            final double[][] get = new double[2][rounds];
            final double[][] pairsEach = new double[2][rounds];
            final double[][] pairsGroup = new double[2][rounds];
            for (int round = 0; round < rounds; round++)
            {
                for (final Engine engine : Engine.values())
                {
                    final int e = engine.ordinal();
                    final Path file = dir.resolve("ops-" + engine + ".arena");
                    try (Arena arena = newArena(file, keys, 16))
                    {
                        final StoreBenchmark b = new StoreBenchmark(arena, engine, KvStoreConfig.defaults());
                        b.load(keys, 16);
                        final SplittableRandom rnd = new SplittableRandom(round);
                        final int ops = (int)Math.min(200_000, Math.max(20_000, keys));
                        b.putNs(keys, ops / 4, 64, rnd);   // warm-up
                        b.getNs(keys, ops / 4, rnd);
                        long before = b.store.stats().batchCommits;
                        putEach[e][round] = b.putNs(keys, ops, 1, rnd);
                        pairsEach[e][round] = (b.store.stats().batchCommits - before) / (double)ops;
                        before = b.store.stats().batchCommits;
                        putGroup[e][round] = b.putNs(keys, ops, 64, rnd);
                        pairsGroup[e][round] = (b.store.stats().batchCommits - before) / (double)ops;
                        get[e][round] = b.getNs(keys, ops, rnd);
                    }
                    file.toFile().delete();
                }
            }
            for (final Engine engine : Engine.values())
            {
                final int e = engine.ordinal();
                System.out.printf("| %,d | %s | %.0f | %.0f | %.0f | %.3f / %.4f |%n", keys, engine.cliName(), median(putEach[e]),
                    median(putGroup[e]), median(get[e]), median(pairsEach[e]), median(pairsGroup[e]));
            }
        }
    }

    private static void recovery(final Path dir, final int rounds, final long maxKeys)
    {
        System.out.println("\n## Recovery of " + String.format("%,d", maxKeys) + " keys (16 B values), keys per second (median)");
        System.out.println("| engine | verify checksums | fields only |");
        System.out.println("|---|---:|---:|");
        for (final Engine engine : Engine.values())
        {
            final Path file = dir.resolve("recovery-" + engine + ".arena");
            try (Arena arena = newArena(file, maxKeys, 16))
            {
                new StoreBenchmark(arena, engine, KvStoreConfig.defaults()).load(maxKeys, 16);
            }
            final double[] withChecksum = new double[rounds];
            final double[] fieldsOnly = new double[rounds];
            for (int round = 0; round < rounds; round++)
            {
                for (final boolean verify : new boolean[] {true, false})
                {
                    try (Arena arena = Arena.open(file))
                    {
                        final RecoveryReport report = KvStore.open(arena, KvStoreConfig.defaults().withVerifyAtRecovery(verify),
                            engine).recoveryReport();
                        if (report.keys() != maxKeys || !report.isClean())
                        {
                            throw new AssertionError("recovered " + report.summary());
                        }
                        (verify ? withChecksum : fieldsOnly)[round] = report.keysPerSecond();
                    }
                }
            }
            System.out.printf("| %s | %,.0f | %,.0f |%n", engine.cliName(), median(withChecksum), median(fieldsOnly));
            file.toFile().delete();
        }
    }

    private static void metadata(final Path dir)
    {
        System.out.println("\n## Metadata per key (skip list; red-black uses no overflow blocks)");
        System.out.println("| value | keys | records per key | record bytes per key | overflow bytes per key | mark bits | segments per key |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (final int valueBytes : new int[] {16, 1024, 65536})
        {
            final int keys = valueBytes == 65536 ? 2000 : 20_000;
            final Path file = dir.resolve("meta.arena");
            try (Arena arena = newArena(file, keys, valueBytes))
            {
                final StoreBenchmark b = new StoreBenchmark(arena, Engine.SKIPLIST, KvStoreConfig.defaults());
                final int freeRecords = arena.freeRecordCount();
                final int freeOverflow = arena.freeOverflowCount();
                if (valueBytes <= 16)
                {
                    b.load(keys, valueBytes);
                }
                else
                {
                    for (int id = 0; id < keys; id++)
                    {
                        final int key = b.bigValue(id, valueBytes);
                        b.store.put(key, b.valueHeads[0], valueBytes);
                        b.store.commit();
                    }
                }
                final double records = (freeRecords - arena.freeRecordCount()) / (double)keys;
                final double overflow = (freeOverflow - arena.freeOverflowCount()) * 64.0 / keys;
                final double segments = valueBytes <= 16 ? 1.0 / 36 : Math.ceil((16.0 + valueBytes) / 1448);
                System.out.printf("| %,d B | %,d | %.2f | %.1f | %.2f | 1 | %.2f |%n", valueBytes, keys, records, records * 64,
                    overflow, segments);
            }
            file.toFile().delete();
        }
    }
}
