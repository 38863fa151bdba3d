package io.pktstore.kv.store;

/** Counters of a store's operations (read on the store's thread, or after it stopped). */
public final class StoreStats
{
    /** PUTs that stored a value. */
    public long puts;
    /** GETs (lookups by key). */
    public long gets;
    /** DELETEs that removed a key. */
    public long deletes;
    /** Scans. */
    public long scans;
    /** Writes refused (bad key, value too large, store failed). */
    public long refusals;
    /** Value bytes stored (as records, not copied). */
    public long valueBytesIn;
    /** Group commits (duty cycles with writes, plus splits of bursts larger than the link log). */
    public long commits;
    /** Link batches committed (each costs two barriers). */
    public long batchCommits;
    /** Datagrams persisted (once per buffer per batch). */
    public long segmentsPersisted;
    /** Keys copied because they arrived split across segments. */
    public long keyCopies;
    /** Bytes of those copies. */
    public long keyBytesCopied;
}
