package io.pktstore.kv.bench;

/**
 * A system under test: something that answers the load generator's requests at
 * {@link BenchHost#SERVER_IP} on a protocol's port. Started fresh for every round (a new arena, a new
 * Redis data directory), stopped after it.
 */
public interface BenchSystem
{
    /** @return a short name used in files and tables, e.g. "pktstore-skiplist". */
    String name();

    /** @return one line on what it is, for the tables' legends. */
    String description();

    /**
     * Starts it on the host, ready to serve {@code workload}.
     *
     * @return the running system; closing it stops it and removes its files.
     */
    Running start(BenchHost host, Workload workload) throws Exception;

    /** A started system. */
    interface Running extends AutoCloseable
    {
        /** @return the port for {@code protocol}. */
        int port(Protocol protocol);

        /**
         * Stops serving (after the generator is done) and reports the median time a write spent inside
         * the node, from the end of its parse to the release of its reply after the group commit
         * ({@link io.pktstore.kv.server.RequestLatency}): the store's share measured on the server alone,
         * free of the network's and the client's noise.
         *
         * @return microseconds, or NaN for a system that does not measure it (no store, not ours).
         */
        default double nodeWriteMicrosP50()
        {
            return Double.NaN;
        }

        /** @return a failure the system saw while serving (checked after each run), or null. */
        default Throwable failure()
        {
            return null;
        }
    }
}
