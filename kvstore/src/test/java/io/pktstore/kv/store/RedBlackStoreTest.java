package io.pktstore.kv.store;

import io.pktstore.kv.format.Engine;

/** The store contract on the persistent red-black tree. */
class RedBlackStoreTest extends StoreContractTest
{
    @Override
    Engine engine()
    {
        return Engine.RBTREE;
    }
}
