package io.pktstore.kv.format;

/**
 * Where the key-value store keeps its durable state in an arena, and the marker that says a store
 * is there (the authoritative description is {@code docs/kv-format.md}).
 *
 * <h2>Root slots</h2>
 * <pre>
 *  root 0  KV marker (written once, when the store is created; never through a link batch)
 *          63           32 31        24 23        16 15                 0
 *         +---------------+------------+------------+-------------------+
 *         | "PKKV" (u32)  | engine id  | reserved 0 | KV format version |
 *         +---------------+------------+------------+-------------------+
 *  root 1  index root: record + 1 of the skip list's first node, or of the red-black tree's root;
 *          0 = empty (changed only through link batches)
 *  root 2  quarantine head: record + 1 of the first quarantined node (a node recovery found with an
 *          unverifiable key), 0 = none (changed only through link batches or by recovery's repair)
 *  root 3  shard identity (written once, when the store is created; 0 in stores made before shards:
 *          read as shard 0 of 1)
 *          63           48 47        32 31               16 15                0
 *         +---------------+------------+-------------------+------------------+
 *         | "SH" (u16)    | reserved 0 | shard index       | shard count      |
 *         +---------------+------------+-------------------+------------------+
 * </pre>
 * The record marks of the arena (one durable bit per record) are set for exactly the records that
 * are index nodes or quarantined nodes: a second, independent account of the live nodes that lets
 * recovery find every node even when a link word is damaged.
 */
public final class KvFormat
{
    /** Root slot of the KV marker. */
    public static final int ROOT_MARKER = 0;
    /** Root slot of the index (engine-specific meaning, record + 1). */
    public static final int ROOT_INDEX = 1;
    /** Root slot of the quarantine list (record + 1). */
    public static final int ROOT_QUARANTINE = 2;

    /** Root slot of the shard identity: which shard of how many the store is. */
    public static final int ROOT_SHARD = 3;

    /** "PKKV" in the marker's upper half. */
    public static final long MARKER_MAGIC = 0x504B_4B56L;
    /** The KV format version this code writes and reads. */
    public static final int VERSION = 1;

    private KvFormat()
    {
    }

    /**
     * @param engine the engine of the store.
     * @return the marker word for a store of that engine in this format version.
     */
    public static long marker(final Engine engine)
    {
        return (MARKER_MAGIC << 32) | ((long)engine.id() << 24) | VERSION;
    }

    /** "SH" in the shard identity's top 16 bits. */
    private static final long SHARD_MAGIC = 0x5348L;

    /**
     * @param index the shard's index, 0..count-1.
     * @param count how many shards the node runs, 1..65535.
     * @return the shard identity word.
     */
    public static long shardIdentity(final int index, final int count)
    {
        if (count < 1 || count > 0xFFFF || index < 0 || index >= count)
        {
            throw new IllegalArgumentException("shard " + index + " of " + count);
        }
        return (SHARD_MAGIC << 48) | ((long)index << 16) | count;
    }

    /**
     * @param word root slot {@link #ROOT_SHARD}.
     * @return {index, count}: {0, 1} for 0 (a store made before shards), null if the word is malformed.
     */
    public static int[] shardOf(final long word)
    {
        if (word == 0)
        {
            return new int[] {0, 1};
        }
        final int index = (int)(word >>> 16) & 0xFFFF;
        final int count = (int)word & 0xFFFF;
        if ((word >>> 48) != SHARD_MAGIC || ((word >>> 32) & 0xFFFF) != 0 || count == 0 || index >= count)
        {
            return null;
        }
        return new int[] {index, count};
    }

    /** @return true if {@code marker} carries the KV magic (any engine, any version). */
    public static boolean hasMagic(final long marker)
    {
        return (marker >>> 32) == MARKER_MAGIC;
    }

    /** @return the engine id a marker names (see {@link Engine#byId}). */
    public static int engineId(final long marker)
    {
        return (int)(marker >>> 24) & 0xFF;
    }

    /** @return the KV format version a marker names. */
    public static int version(final long marker)
    {
        return (int)marker & 0xFFFF;
    }
}
