package io.pktstore.kv.store;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaException;
import io.pktstore.arena.LinkBatch;
import io.pktstore.kv.bytes.ByteOrdering;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.format.KvFormat;
import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.index.LinkWords;
import io.pktstore.kv.index.Nodes;
import io.pktstore.kv.index.OrderedIndex;
import io.pktstore.kv.index.RedBlackIndex;
import io.pktstore.kv.index.SkipListIndex;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.UnsafeApi;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntHashSet;

/**
 * The key-value store whose data are the received packet records.
 *
 * <h2>What a PUT keeps</h2>
 * The front end hands over a key record (a clone of the segment that carried the key, trimmed to the
 * key's bytes, or a {@link #copyKey copy} for a key split across segments) and a chain of value records
 * (clones trimmed to the value's bytes in each segment). The key record becomes the index node: its
 * {@code next} heads the value chain, its link words hold the index links and the value length
 * ({@link NodeLayout}). No value byte is copied and no checksum is computed: the TCP checksum the
 * stack established on input is the integrity check, re-verified at recovery and scrub.
 *
 * <h2>Execution and commit (group commit)</h2>
 * Operations run at once: a GET after a PUT in the same burst sees it. They become durable at
 * {@link #commit()}, which the node calls once per duty cycle, after the cycle's input (DESIGN.md's
 * commit protocol):
 * <ol>
 *   <li>as each PUT runs: persist its datagrams (once per buffer per batch) and value records;</li>
 *   <li>at commit: persist the new nodes' lines; then the arena's {@link LinkBatch} does barrier,
 *       commit word (the commit point), barrier, and applies the staged link words;</li>
 *   <li>only then may replies leave (the caller releases them), and only then are replaced or deleted
 *       nodes released ("unlink before release"): the RX path reuses a freed buffer at once, and a
 *       reply being sent holds clones, so it survives.</li>
 * </ol>
 * Overwrite order is arrival (execution) order, never timestamp order.
 *
 * <h2>Capacity</h2>
 * {@link #hasRoomForNewData()} is false below a reserve of free records and buffers: the front ends
 * then refuse new data with {@link StoreStatus#FULL} before reading it, while ACKs, ARP and DELETEs
 * keep flowing; deletes give space back.
 *
 * <p>Single-threaded (the stack's thread). The request path allocates nothing after warm-up.
 */
public final class KvStore
{
    private static final int NONE = PacketRecord.NO_RECORD;
    /** Words a PUT or DELETE stages besides the index's: the new node's mark and the old node's. */
    private static final int MARK_WORDS_PER_OPERATION = 2;

    final Arena arena;
    final PacketRecordPool pool;
    final Nodes nodes;
    final LinkWords links;
    final OrderedIndex index;
    final KvStoreConfig config;
    final IntHashSet damaged = new IntHashSet();
    final Quarantine quarantine;
    private final LinkBatch batch;
    private final SegmentPersister persister;
    private final StoreCopies storeCopies;
    private final PacketRecord view = new PacketRecord();
    private final IntArrayList newNodes = new IntArrayList(1024, NONE);
    private final IntArrayList toRelease = new IntArrayList(1024, NONE);
    private final int reserveRecords;
    private final int reserveBuffers;
    private final StoreStats stats = new StoreStats();
    private RecoveryReport recoveryReport;
    private ArenaException failure;

    private KvStore(final Arena arena, final Engine engine, final KvStoreConfig config)
    {
        this.arena = arena;
        this.pool = new PacketRecordPool(arena);
        this.nodes = new Nodes(arena);
        this.links = new LinkWords(arena, nodes);
        this.index = engine == Engine.SKIPLIST ? new SkipListIndex(links, config.seed()) : new RedBlackIndex(links);
        this.config = config;
        this.batch = arena.linkBatch();
        this.persister = new SegmentPersister(arena);
        this.storeCopies = new StoreCopies(arena, pool);
        this.quarantine = new Quarantine(nodes);
        this.reserveRecords = Math.max(config.minReserveRecords(),
            (int)((long)arena.geometry().recordCount() * config.reserveRecordsPercent() / 100));
        this.reserveBuffers = Math.max(config.minReserveBuffers(),
            (int)((long)arena.geometry().bufferCount() * config.reserveBuffersPercent() / 100));
    }

    // ------------------------------------------------------------------------------------------
    // Creating and opening
    // ------------------------------------------------------------------------------------------

    /**
     * Creates an empty store of {@code engine} in a freshly formatted arena: writes the KV marker
     * (root slot {@link KvFormat#ROOT_MARKER}, persisted and fenced).
     *
     * @throws KvFormatException if the arena already holds a store or any index root
     */
    public static KvStore create(final Arena arena, final Engine engine, final KvStoreConfig config)
    {
        if (arena.root(KvFormat.ROOT_MARKER) != 0 || arena.root(KvFormat.ROOT_INDEX) != 0
            || arena.root(KvFormat.ROOT_QUARANTINE) != 0)
        {
            throw new KvFormatException(arena.name() + " already holds a key-value store (marker "
                + Long.toHexString(arena.root(KvFormat.ROOT_MARKER)) + "); open it instead of creating one");
        }
        if (!arena.isReady())
        {
            throw new IllegalStateException("create a store in a freshly formatted arena");
        }
        arena.setRoot(KvFormat.ROOT_MARKER, KvFormat.marker(engine));
        final KvStore store = new KvStore(arena, engine, config);
        store.recoveryReport = RecoveryReport.empty(engine);
        return store;
    }

    /**
     * Opens the store in an arena that was just opened (its link log replayed): checks the KV marker,
     * then recovers (see {@link KvRecovery}): walks and verifies every node, rebuilds the volatile state,
     * frees everything unreachable, repairs what it can.
     *
     * @param arena an arena awaiting recovery.
     * @param config settings.
     * @param expected the engine the caller wants, or null for whatever the arena holds.
     * @return the store, ready; {@link #recoveryReport()} says what recovery found.
     * @throws KvFormatException if the arena holds no store, another engine's, or another format version
     *                           (nothing is written then)
     */
    public static KvStore open(final Arena arena, final KvStoreConfig config, final Engine expected)
    {
        final Engine engine = engineOf(arena, expected);
        final KvStore store = new KvStore(arena, engine, config);
        store.recoveryReport = new KvRecovery(store).run();
        return store;
    }

    /**
     * Reads and checks the KV marker without changing anything.
     *
     * @param arena an opened arena.
     * @param expected the engine the caller wants, or null for any.
     * @return the engine the arena's store uses.
     * @throws KvFormatException naming what is wrong
     */
    public static Engine engineOf(final Arena arena, final Engine expected)
    {
        final long marker = arena.root(KvFormat.ROOT_MARKER);
        if (marker == 0)
        {
            throw new KvFormatException(arena.name() + " holds no key-value store (its KV marker is empty): format it to make one");
        }
        if (!KvFormat.hasMagic(marker))
        {
            throw new KvFormatException(arena.name() + " does not hold a pktstore key-value store (KV marker "
                + Long.toHexString(marker) + ")");
        }
        if (KvFormat.version(marker) != KvFormat.VERSION)
        {
            throw new KvFormatException(arena.name() + " holds a key-value store of format version " + KvFormat.version(marker)
                + "; this build reads version " + KvFormat.VERSION);
        }
        final Engine engine = Engine.byId(KvFormat.engineId(marker));
        if (engine == null)
        {
            throw new KvFormatException(arena.name() + " holds a key-value store of unknown engine id " + KvFormat.engineId(marker));
        }
        if (expected != null && expected != engine)
        {
            throw new KvFormatException(arena.name() + " holds a " + engine.cliName() + " store, not a " + expected.cliName()
                + " store (the engine is chosen when a store is created)");
        }
        return engine;
    }

    // ------------------------------------------------------------------------------------------
    // Writes
    // ------------------------------------------------------------------------------------------

    /**
     * Stores a value under a key, replacing any value it had. The store owns {@code keyRecord} and the
     * value chain from now on, whatever the result (refused records are released).
     *
     * @param keyRecord a record whose data range is exactly the key (1..{@link NodeLayout#MAX_KEY_LENGTH}
     *                  bytes); it becomes the index node.
     * @param valueHead first record of the value chain (linked through {@code next}, each trimmed to value
     *                  bytes), or {@link PacketRecord#NO_RECORD} for an empty value.
     * @param valueLength the chain's total data length.
     * @return {@link StoreStatus#INSERTED}, {@link StoreStatus#REPLACED}, or a refusal.
     * @throws ArenaException if a write-back failed, here or in a commit a full link batch forced (the
     *         store is failed from then on)
     */
    public int put(final int keyRecord, final int valueHead, final long valueLength)
    {
        final int keyLength = nodes.keyLength(keyRecord);
        final int refusal = failure != null ? StoreStatus.FAILED
            : keyLength < 1 || keyLength > NodeLayout.MAX_KEY_LENGTH ? StoreStatus.BAD_KEY
            : valueLength < 0 || valueLength > config.maxValueBytes() ? StoreStatus.VALUE_TOO_LARGE : 0;
        if (refusal != 0)
        {
            pool.release(keyRecord);
            pool.releaseChain(valueHead);
            stats.refusals++;
            return refusal;
        }
        if (config.writeMode() == KvStoreConfig.WriteMode.PARSE_ONLY)
        {
            // Benchmark stage: request preparation without the store (answered as if stored).
            pool.release(keyRecord);
            pool.releaseChain(valueHead);
            return StoreStatus.INSERTED;
        }
        ensureBatchRoom();
        final int nodeRecord;
        final int value;
        if (config.writeMode() == KvStoreConfig.WriteMode.ZERO_COPY)
        {
            nodeRecord = keyRecord;
            value = valueHead;
        }
        else
        {
            // The comparison store: what LevelDB does with a write (copy into separate space, CRC32C).
            // The key's copy becomes the node, whose link words the index uses: its checksum is the
            // Internet checksum in the record's own field; the value's copies carry the CRC32C.
            nodeRecord = storeCopies.copy(nodes.dataAddress(keyRecord), nodes.dataLength(keyRecord),
                nodes.keyTimestampNs(keyRecord), StoreCopies.CHECKSUM_INTERNET, config.persistence(), true);
            value = nodeRecord == NONE ? NONE : copyRecords(valueHead);
            pool.release(keyRecord);
            pool.releaseChain(valueHead);
            if (nodeRecord == NONE || value == NONE && valueHead != NONE)
            {
                if (nodeRecord != NONE)
                {
                    pool.release(nodeRecord);
                }
                stats.refusals++;
                return StoreStatus.FULL;
            }
        }
        return link(nodeRecord, value, valueLength);
    }

    /** Links a prepared node (its record's data range is the key) with its value chain into the index. */
    private int link(final int keyRecord, final int valueHead, final long valueLength)
    {
        final long node = nodes.recordAddress(keyRecord);
        UnsafeApi.putInt(node + PacketRecord.NEXT_OFFSET, valueHead);
        UnsafeApi.putLong(node + NodeLayout.WORD0, 0);
        UnsafeApi.putLong(node + NodeLayout.WORD1, valueLength);
        UnsafeApi.putLong(node + NodeLayout.WORD2, 0);
        UnsafeApi.putLong(node + NodeLayout.WORD3, 0);
        if (config.persistence())
        {
            try
            {
                persister.persistSegment(keyRecord);
                for (int r = valueHead; r != NONE; r = nodes.next(r))
                {
                    persister.persistRecordAndSegment(r);
                }
            }
            catch (final ArenaException e)
            {
                // A write-back failed: as for a failed commit, the store is failed from now on (nothing
                // more is acknowledged). The records were not linked: they go back.
                failure = e;
                pool.release(keyRecord);
                pool.releaseChain(valueHead);
                throw e;
            }
        }
        final int replaced = index.upsert(keyRecord);
        links.mark(keyRecord, true);
        newNodes.addInt(keyRecord);
        stats.puts++;
        stats.valueBytesIn += valueLength;
        if (replaced != NONE)
        {
            retire(replaced);
            return StoreStatus.REPLACED;
        }
        return StoreStatus.INSERTED;
    }

    /**
     * The copying store's write: each record of a chain copied into store-owned space with a CRC32C
     * (or none, or not even the copy, for the benchmark's stage switches), chained the same way.
     *
     * @return the copies' first record, NONE for an empty chain or when the arena has no room (then no copy is left).
     */
    private int copyRecords(final int first)
    {
        final int checksum = config.writeMode() == KvStoreConfig.WriteMode.COPYING ? StoreCopies.CHECKSUM_CRC32C
            : StoreCopies.CHECKSUM_NONE;
        final boolean copyBytes = config.writeMode() != KvStoreConfig.WriteMode.COPYING_NO_COPY;
        int head = NONE;
        int tail = NONE;
        for (int r = first; r != NONE; r = nodes.next(r))
        {
            final int length = nodes.dataLength(r);
            if (length == 0)
            {
                continue;
            }
            final int copy = storeCopies.copy(nodes.dataAddress(r), length, nodes.keyTimestampNs(r), checksum,
                config.persistence(), copyBytes);
            if (copy == NONE)
            {
                pool.releaseChain(head);
                return NONE;
            }
            if (tail == NONE)
            {
                head = copy;
            }
            else
            {
                nodes.setNext(tail, copy);
            }
            tail = copy;
        }
        return head;
    }

    /**
     * Copies a key that arrived split across segments into store-owned space (the one allowed copy,
     * bounded and counted) and returns a record over the copy to pass to {@link #put}.
     *
     * @param address first key byte (a caller's contiguous scratch copy).
     * @param length key bytes, 1..{@link NodeLayout#MAX_KEY_LENGTH}.
     * @param timestampNs receive time of the key's first segment.
     * @return the record, or {@link PacketRecord#NO_RECORD} if the arena has no room.
     */
    public int copyKey(final long address, final int length, final long timestampNs)
    {
        if (length < 1 || length > NodeLayout.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key length " + length);
        }
        return copyOrFail(address, length, timestampNs);
    }

    /**
     * A store-owned copy, persisted as it is made: a write-back that fails here fails the store, as a
     * failed commit does (nothing more is acknowledged).
     */
    private int copyOrFail(final long address, final int length, final long timestampNs)
    {
        try
        {
            return storeCopies.copy(address, length, timestampNs);
        }
        catch (final ArenaException e)
        {
            failure = e;
            throw e;
        }
    }

    /**
     * Copies value bytes that did not arrive as a range of frames (an inline RESP request's argument,
     * decoded from quotes) into store-owned space, as a chain of records to pass to {@link #put}.
     * Counted with the key copies.
     *
     * @param address first byte.
     * @param length bytes (1 or more).
     * @param timestampNs receive time of the request.
     * @return the chain's first record, or {@link PacketRecord#NO_RECORD} if the arena has no room.
     */
    public int copyValue(final long address, final long length, final long timestampNs)
    {
        int head = NONE;
        int tail = NONE;
        long done = 0;
        while (done < length)
        {
            final int chunk = (int)Math.min(length - done, arena.bufferSize());
            final int record;
            try
            {
                record = copyOrFail(address + done, chunk, timestampNs);
            }
            catch (final ArenaException e)
            {
                pool.releaseChain(head);
                throw e;
            }
            if (record == NONE)
            {
                pool.releaseChain(head);
                return NONE;
            }
            if (tail == NONE)
            {
                head = record;
            }
            else
            {
                nodes.setNext(tail, record);
            }
            tail = record;
            done += chunk;
        }
        return head;
    }

    /**
     * Removes a key.
     *
     * @return {@link StoreStatus#DELETED}, {@link StoreStatus#NOT_FOUND} or {@link StoreStatus#FAILED}.
     */
    public int delete(final long key, final int keyLength)
    {
        if (failure != null)
        {
            return StoreStatus.FAILED;
        }
        if (keyLength < 1 || keyLength > NodeLayout.MAX_KEY_LENGTH)
        {
            return StoreStatus.NOT_FOUND;
        }
        ensureBatchRoom();
        final int removed = index.remove(key, keyLength);
        if (removed == NONE)
        {
            return StoreStatus.NOT_FOUND;
        }
        retire(removed);
        stats.deletes++;
        return StoreStatus.DELETED;
    }

    /** A node left the index: its mark goes with the batch; its records go after the commit. */
    private void retire(final int node)
    {
        links.mark(node, false);
        damaged.remove(node);
        toRelease.addInt(node);
    }

    private void ensureBatchRoom()
    {
        if (batch.remaining() < index.maxStagedWordsPerOperation() + MARK_WORDS_PER_OPERATION)
        {
            commit();   // a burst larger than the link log: commit what ran so far, go on
        }
    }

    // ------------------------------------------------------------------------------------------
    // Reads
    // ------------------------------------------------------------------------------------------

    /**
     * @param key first key byte.
     * @param keyLength key bytes.
     * @return the key's node (0 or more), {@link StoreStatus#NOT_FOUND}, or {@link StoreStatus#DAMAGED}.
     */
    public int get(final long key, final int keyLength)
    {
        if (keyLength < 1 || keyLength > NodeLayout.MAX_KEY_LENGTH)
        {
            return StoreStatus.NOT_FOUND;
        }
        stats.gets++;
        final int node = index.find(key, keyLength);
        if (node == NONE)
        {
            return quarantine.size() > 0 && quarantine.covers(key, keyLength) ? StoreStatus.DAMAGED : StoreStatus.NOT_FOUND;
        }
        return damaged.contains(node) ? StoreStatus.DAMAGED : node;
    }

    /** @return true if the key is present (also when its value is damaged). */
    public boolean exists(final long key, final int keyLength)
    {
        return keyLength >= 1 && keyLength <= NodeLayout.MAX_KEY_LENGTH && index.find(key, keyLength) != NONE;
    }

    /** @return keys in the store. */
    public long count()
    {
        return index.size();
    }

    /**
     * Ordered scan: fills {@code out} with the nodes of the keys from {@code start} (inclusive or not)
     * up to {@code end} (exclusive), at most {@code limit}. Resume with the last key returned, exclusive.
     *
     * @param start first byte of the lower bound, ignored when {@code startLength} is 0 (from the first key).
     * @param startLength lower bound length; 0 = no lower bound.
     * @param startInclusive whether a key equal to the lower bound is included.
     * @param end first byte of the upper bound.
     * @param endLength upper bound length; -1 = no upper bound.
     * @param out where the nodes go.
     * @param limit most nodes to return (at most {@code out.length}).
     * @return the number of nodes written to {@code out}.
     */
    public int scan(final long start, final int startLength, final boolean startInclusive, final long end,
                    final int endLength, final int[] out, final int limit)
    {
        final int max = Math.min(limit, out.length);
        int n = startLength == 0 ? index.first() : index.ceiling(start, startLength, startInclusive);
        int count = 0;
        while (n != NONE && count < max)
        {
            if (endLength >= 0 && ByteOrdering.compare(nodes.keyAddress(n), nodes.keyLength(n), end, endLength) >= 0)
            {
                break;
            }
            out[count++] = n;
            n = index.successor(n);
        }
        stats.scans++;
        return count;
    }

    /** @return true if the node's value failed verification (it must not be served as data). */
    public boolean isDamaged(final int node)
    {
        return damaged.contains(node);
    }

    /** @return accessors of nodes' keys and values. */
    public Nodes nodes()
    {
        return nodes;
    }

    /** @return the first record of a node's value chain, {@link PacketRecord#NO_RECORD} if empty. */
    public int valueHead(final int node)
    {
        return nodes.valueHead(node);
    }

    /** @return a node's value length in bytes. */
    public long valueLength(final int node)
    {
        return nodes.valueLength(node);
    }

    /** @return the receive timestamp of a node's value (its first segment). */
    public long valueTimestampNs(final int node)
    {
        return nodes.valueTimestampNs(node);
    }

    // ------------------------------------------------------------------------------------------
    // Commit, capacity, state
    // ------------------------------------------------------------------------------------------

    /** @return true if operations ran since the last commit. */
    public boolean needsCommit()
    {
        return !newNodes.isEmpty() || !batch.isEmpty() || !toRelease.isEmpty();
    }

    /**
     * Makes every operation that ran since the last commit durable, then releases what they removed.
     * After a persistence failure the store is {@link #failure() failed}: this and every later write
     * return or throw without acknowledging anything.
     *
     * @return 1 if a batch was committed, 0 if there was nothing to commit.
     * @throws ArenaException if the region's write-back failed (the store is failed from then on)
     */
    public int commit()
    {
        if (failure != null)
        {
            throw failure;
        }
        if (!needsCommit())
        {
            return 0;
        }
        try
        {
            if (config.persistence())
            {
                for (int i = 0; i < newNodes.size(); i++)
                {
                    arena.persistRecord(newNodes.getInt(i));
                }
                batch.commit();
            }
            else
            {
                batch.applyVolatile();   // benchmark ablation: the links in memory, nothing durable
            }
        }
        catch (final ArenaException e)
        {
            failure = e;
            throw e;
        }
        for (int i = 0; i < toRelease.size(); i++)
        {
            final int node = toRelease.getInt(i);
            index.forget(node);
            pool.releaseChain(node);   // the node and, through next, its value chain
        }
        newNodes.clear();
        toRelease.clear();
        persister.nextBatch();
        stats.commits++;
        return 1;
    }

    /** @return true while new data may be stored (free records and buffers above the reserve). */
    public boolean hasRoomForNewData()
    {
        return arena.freeRecordCount() > reserveRecords && arena.freeBufferCount() > reserveBuffers;
    }

    /** @return the persistence failure that stopped the store, or null. */
    public ArenaException failure()
    {
        return failure;
    }

    /** @return the store's settings. */
    public KvStoreConfig config()
    {
        return config;
    }

    /** @return the engine. */
    public Engine engine()
    {
        return index.engine();
    }

    /** @return the arena. */
    public Arena arena()
    {
        return arena;
    }

    /** @return what recovery found when the store was opened. */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /** @return counters of operations. */
    public StoreStats stats()
    {
        stats.keyCopies = storeCopies.copies();
        stats.keyBytesCopied = storeCopies.bytesCopied();
        stats.segmentsPersisted = persister.segmentsPersisted();
        stats.batchCommits = batch.commits();
        return stats;
    }

    /** @return the number of nodes flagged damaged (value failed verification). */
    public int damagedCount()
    {
        return damaged.size();
    }

    /** @return the number of quarantined nodes (key failed verification). */
    public int quarantinedCount()
    {
        return quarantine.size();
    }

    /**
     * Checks the index's invariants (tests, scrub).
     *
     * @return null if they hold, else the first violation.
     */
    public String checkInvariants()
    {
        return index.checkInvariants();
    }

    /** Commits what ran and drops the store's own buffer references; the arena stays open (its owner closes it). */
    public void close()
    {
        if (failure == null && needsCommit())
        {
            commit();
        }
        storeCopies.releaseTail();
    }
}
