package io.pktstore.kv.bench;

/**
 * A running system that serves a store of its own arena: on close the server stops first, then the
 * store commits and closes and the arena file goes.
 */
abstract class StoreServing implements BenchSystem.Running
{
    private final BenchArena arena;

    StoreServing(final BenchArena arena)
    {
        this.arena = arena;
    }

    @Override
    public final int port(final Protocol protocol)
    {
        return FrontEnds.port(protocol);
    }

    /** Stops whatever serves the store (idempotent). */
    abstract void stopServing() throws Exception;

    @Override
    public final void close() throws Exception
    {
        try
        {
            stopServing();
        }
        finally
        {
            try
            {
                arena.store().close();
            }
            finally
            {
                arena.close();
            }
        }
    }
}
