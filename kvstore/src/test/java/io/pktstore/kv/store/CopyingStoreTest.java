package io.pktstore.kv.store;

import io.pktstore.kv.format.Engine;

/**
 * The store contract on the copying comparison mode (LevelDB-style: keys and values copied into
 * separately allocated space with a CRC32C), so the benchmark compares two stores that both work.
 */
class CopyingStoreTest extends StoreContractTest
{
    @Override
    Engine engine()
    {
        return Engine.SKIPLIST;
    }

    @Override
    KvStoreConfig config()
    {
        return super.config().withWriteMode(KvStoreConfig.WriteMode.COPYING, true);
    }
}
