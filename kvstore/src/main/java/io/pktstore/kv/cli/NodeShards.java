package io.pktstore.kv.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A node's shards, each an arena file with its store and, once started, a {@link StorageNode} (its
 * own thread, socket and stack). They share nothing; this class only opens, starts, watches and
 * closes them together. A shard that fails is reported by index and address as soon as it is seen,
 * the others keep serving, and the node's exit status says a shard failed.
 */
final class NodeShards implements AutoCloseable
{
    /** Opens one shard's store file. */
    interface StoreOpener
    {
        StoreFile open(ShardPlan.Shard shard);
    }

    /** Starts one shard's node on its store. */
    interface NodeStarter
    {
        StorageNode start(ShardPlan.Shard shard, StoreFile storeFile) throws Exception;
    }

    private List<ShardPlan.Shard> shards;
    private final List<StoreFile> stores;
    private final List<StorageNode> nodes = new ArrayList<>();
    private final boolean[] failureReported;
    private boolean nodesStopped;

    private NodeShards(final List<ShardPlan.Shard> shards, final List<StoreFile> stores)
    {
        this.shards = shards;
        this.stores = stores;
        failureReported = new boolean[shards.size()];
    }

    /**
     * Opens (recovers) every shard's store. If one cannot be opened, the ones already open are
     * closed cleanly and the error, naming the shard's file, is thrown.
     */
    static NodeShards open(final List<ShardPlan.Shard> shards, final StoreOpener opener)
    {
        final List<StoreFile> stores = new ArrayList<>(shards.size());
        try
        {
            for (final ShardPlan.Shard shard : shards)
            {
                stores.add(opener.open(shard));
            }
        }
        catch (final RuntimeException e)
        {
            closeAll(stores, e);
            throw e;
        }
        return new NodeShards(shards, stores);
    }

    /** @return the shards, in index order. */
    List<ShardPlan.Shard> shards()
    {
        return shards;
    }

    /** @return shard {@code index}'s store file. */
    StoreFile store(final int index)
    {
        return stores.get(index);
    }

    /**
     * Starts every shard's node, in index order (if one fails to start, close() stops the others).
     *
     * @param stations the final plan: the same shards and files as opened, now with the interface's MAC.
     */
    void start(final List<ShardPlan.Shard> stations, final NodeStarter starter) throws Exception
    {
        for (int i = 0; i < shards.size(); i++)
        {
            if (!stations.get(i).arena().equals(shards.get(i).arena()))
            {
                throw new IllegalArgumentException("shard " + i + " moved from " + shards.get(i).arena());
            }
        }
        shards = stations;
        for (int i = 0; i < shards.size(); i++)
        {
            nodes.add(starter.start(shards.get(i), stores.get(i)));
        }
    }

    /**
     * Waits until {@code stop} opens or {@code timeoutMs} passes (0: no limit), printing each shard's
     * failure once, as soon as it is seen.
     *
     * @return true if {@code stop} opened.
     */
    boolean await(final CountDownLatch stop, final long timeoutMs, final PrintWriter out) throws InterruptedException
    {
        final long deadline = timeoutMs == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            reportFailures(out);
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            if (stop.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS))
            {
                return true;
            }
        }
    }

    /** Prints the failures not printed yet. @return true if any shard has failed. */
    boolean reportFailures(final PrintWriter out)
    {
        boolean any = false;
        for (int i = 0; i < nodes.size(); i++)
        {
            final Throwable failure = nodes.get(i).failure();
            if (failure != null)
            {
                any = true;
                if (!failureReported[i])
                {
                    failureReported[i] = true;
                    out.println("pktstore: " + shards.get(i).label() + "the node failed: " + failure
                        + (shards.size() > 1 ? " (the other shards keep serving)" : ""));
                    out.flush();
                }
            }
        }
        return any;
    }

    /** Stops every node's thread (the stores stay open); again is a no-op. */
    void stopNodes()
    {
        if (nodesStopped)
        {
            return;
        }
        nodesStopped = true;
        RuntimeException first = null;
        for (int i = nodes.size() - 1; i >= 0; i--)
        {
            try
            {
                nodes.get(i).close();
            }
            catch (final RuntimeException e)
            {
                first = first == null ? e : first;
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    /** @return each shard's summary line (read after {@link #stopNodes()}). */
    List<String> summaries()
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++)
        {
            lines.add(shards.get(i).label() + nodes.get(i).summary());
        }
        return lines;
    }

    /** Stops the nodes, then commits and closes every store cleanly. */
    @Override
    public void close()
    {
        RuntimeException failure = null;
        try
        {
            stopNodes();
        }
        catch (final RuntimeException e)
        {
            failure = e;
        }
        failure = closeAll(stores, failure);
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * Closes every store, even after one fails to close.
     *
     * @return {@code primary}, or the first close failure when there was none (later ones suppressed).
     */
    private static RuntimeException closeAll(final List<StoreFile> stores, final RuntimeException primary)
    {
        RuntimeException first = primary;
        for (int i = stores.size() - 1; i >= 0; i--)
        {
            try
            {
                stores.get(i).close();
            }
            catch (final RuntimeException e)
            {
                if (first == null)
                {
                    first = e;
                }
                else
                {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }
}
