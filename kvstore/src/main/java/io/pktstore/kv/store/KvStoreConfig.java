package io.pktstore.kv.store;

import io.pktstore.kv.format.NodeLayout;

/**
 * Settings of a store that are not part of its durable format (they may change between runs).
 *
 * @param maxValueBytes          longest value accepted (at least 8 MiB; default 64 MiB)
 * @param reserveRecordsPercent  free records kept back from new data, in percent of all records
 * @param reserveBuffersPercent  free buffers kept back from new data, in percent of all buffers
 * @param minReserveRecords      the records reserve is at least this many
 * @param minReserveBuffers      the buffers reserve is at least this many (RX needs one per burst slot)
 * @param seed                   seed of the skip list's tower heights (deterministic runs)
 * @param verifyAtRecovery       re-verify every stored segment's checksum at recovery (fields are
 *                               always checked)
 * @param writeMode              how a PUT keeps its data: {@link WriteMode#ZERO_COPY} (pktstore) or one of
 *                               the copying modes the benchmark compares it with
 * @param persistence            false only to measure persistence's share in benchmarks: nothing is
 *                               written back and nothing survives a crash
 */
public record KvStoreConfig(long maxValueBytes, int reserveRecordsPercent, int reserveBuffersPercent,
                            int minReserveRecords, int minReserveBuffers, long seed, boolean verifyAtRecovery,
                            WriteMode writeMode, boolean persistence)
{
    /** Default limit on values: 64 MiB. */
    public static final long DEFAULT_MAX_VALUE_BYTES = 64L << 20;

    /** How a PUT keeps the key and value it received. */
    public enum WriteMode
    {
        /** The received records are the data: range clones linked into the index (pktstore). */
        ZERO_COPY,
        /**
         * For comparison only (what LevelDB and NoveLSM do on a write): the key and value are copied into
         * separately allocated store buffers, a CRC32C is computed over them, persisted, inserted; the
         * received records are released.
         */
        COPYING,
        /** The copying store without its CRC32C (a benchmark stage switch; its copies do not verify at recovery). */
        COPYING_NO_CHECKSUM,
        /**
         * The copying store's allocation and insertion alone (a benchmark stage switch): the key is copied
         * (the index compares keys) but the value's store space is only allocated, not written, and has no
         * checksum. Values read back as garbage: for timing writes only.
         */
        COPYING_NO_COPY,
        /**
         * Request preparation alone (a benchmark stage switch): the front end parses the request and makes
         * its records as for any PUT, then the store releases them and answers as if stored. Nothing is kept.
         */
        PARSE_ONLY;

        /** @return true for the mode a serving node runs; every other mode exists to be measured against it. */
        public boolean serves()
        {
            return this == ZERO_COPY;
        }
    }

    /** Checks the values. */
    public KvStoreConfig
    {
        if (maxValueBytes < 0 || maxValueBytes > NodeLayout.MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException("maxValueBytes must be 0.." + NodeLayout.MAX_VALUE_LENGTH + ", got " + maxValueBytes);
        }
        if (reserveRecordsPercent < 0 || reserveRecordsPercent > 50 || reserveBuffersPercent < 0 || reserveBuffersPercent > 50)
        {
            throw new IllegalArgumentException("reserves must be 0..50 percent");
        }
        if (minReserveRecords < 0 || minReserveBuffers < 0)
        {
            throw new IllegalArgumentException("minimum reserves must not be negative");
        }
        if (writeMode == null)
        {
            throw new IllegalArgumentException("writeMode");
        }
    }

    /** @return the defaults: 64 MiB values, 2 % reserves (at least 256 records and 64 buffers), zero copy, persistent. */
    public static KvStoreConfig defaults()
    {
        return new KvStoreConfig(DEFAULT_MAX_VALUE_BYTES, 2, 2, 256, 64, 0x5EED_C0DEL, true, WriteMode.ZERO_COPY, true);
    }

    /** @return a copy with another value limit. */
    public KvStoreConfig withMaxValueBytes(final long bytes)
    {
        return new KvStoreConfig(bytes, reserveRecordsPercent, reserveBuffersPercent, minReserveRecords, minReserveBuffers,
            seed, verifyAtRecovery, writeMode, persistence);
    }

    /** @return a copy with other reserves. */
    public KvStoreConfig withReserves(final int recordsPercent, final int buffersPercent, final int minRecords,
                                      final int minBuffers)
    {
        return new KvStoreConfig(maxValueBytes, recordsPercent, buffersPercent, minRecords, minBuffers, seed, verifyAtRecovery,
            writeMode, persistence);
    }

    /** @return a copy with another tower seed. */
    public KvStoreConfig withSeed(final long newSeed)
    {
        return new KvStoreConfig(maxValueBytes, reserveRecordsPercent, reserveBuffersPercent, minReserveRecords,
            minReserveBuffers, newSeed, verifyAtRecovery, writeMode, persistence);
    }

    /** @return a copy that does (or skips) the checksum pass at recovery. */
    public KvStoreConfig withVerifyAtRecovery(final boolean verify)
    {
        return new KvStoreConfig(maxValueBytes, reserveRecordsPercent, reserveBuffersPercent, minReserveRecords,
            minReserveBuffers, seed, verify, writeMode, persistence);
    }

    /** @return true if a serving node may run with these settings (zero copy, persistent): the others are benchmark stages. */
    public boolean servesData()
    {
        return writeMode.serves() && persistence;
    }

    /** @return a copy with another write mode and persistence (benchmarks). */
    public KvStoreConfig withWriteMode(final WriteMode mode, final boolean persist)
    {
        return new KvStoreConfig(maxValueBytes, reserveRecordsPercent, reserveBuffersPercent, minReserveRecords,
            minReserveBuffers, seed, verifyAtRecovery, mode, persist);
    }
}
