package io.pktstore.kv.store;

import io.pktstore.kv.format.Engine;

/** The store contract on the persistent skip list. */
class SkipListStoreTest extends StoreContractTest
{
    @Override
    Engine engine()
    {
        return Engine.SKIPLIST;
    }
}
