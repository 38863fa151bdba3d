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
