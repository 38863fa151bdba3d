package io.pktstore.kv.server;

/**
 * The front ends' settings and limits (each refused request gets its protocol's clear error).
 *
 * @param respPort          RESP2 port (0 = none)
 * @param httpPort          HTTP/1.1 port (0 = none)
 * @param password          password for RESP AUTH and the HTTP bearer token; null = access control off
 * @param maxArguments      most arguments in one RESP request
 * @param maxRequestHead    longest HTTP request line plus headers, in bytes
 * @param maxRequestLine    longest HTTP request line (the URI: 414 beyond)
 * @param scrubRecordsPerCycle records an online scrub verifies per duty cycle
 * @param cluster           the Redis Cluster slot map this node serves in, or null (not a cluster node)
 */
public record ServerConfig(int respPort, int httpPort, String password, int maxArguments, int maxRequestHead,
                           int maxRequestLine, int scrubRecordsPerCycle, ClusterMap cluster)
{
    /** The default RESP port (Redis's). */
    public static final int DEFAULT_RESP_PORT = 6379;
    /** The default HTTP port. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    /** Checks the values. */
    public ServerConfig
    {
        if (respPort < 0 || respPort > 65535 || httpPort < 0 || httpPort > 65535)
        {
            throw new IllegalArgumentException("ports must be 0..65535");
        }
        if (respPort != 0 && respPort == httpPort)
        {
            throw new IllegalArgumentException("the RESP and HTTP ports must differ, both are " + respPort);
        }
        if (maxArguments < 3 || maxRequestHead < 256 || maxRequestLine < 64 || maxRequestLine > maxRequestHead
            || scrubRecordsPerCycle < 1)
        {
            throw new IllegalArgumentException("limits out of range: " + maxArguments + " arguments, "
                + maxRequestHead + " head bytes, " + maxRequestLine + " line bytes, " + scrubRecordsPerCycle + " scrub records");
        }
    }

    /** @return the defaults: ports 6379 and 8080, no password, 1 Mi arguments, 8 KiB heads, 4 KiB lines. */
    public static ServerConfig defaults()
    {
        return new ServerConfig(DEFAULT_RESP_PORT, DEFAULT_HTTP_PORT, null, 1 << 20, 8192, 4096, 64, null);
    }

    /** @return a copy with other ports. */
    public ServerConfig withPorts(final int resp, final int http)
    {
        return new ServerConfig(resp, http, password, maxArguments, maxRequestHead, maxRequestLine, scrubRecordsPerCycle,
            cluster);
    }

    /** @return a copy with a password (null: none). */
    public ServerConfig withPassword(final String newPassword)
    {
        return new ServerConfig(respPort, httpPort, newPassword, maxArguments, maxRequestHead, maxRequestLine,
            scrubRecordsPerCycle, cluster);
    }

    /** @return a copy with other request limits. */
    public ServerConfig withLimits(final int arguments, final int head, final int line)
    {
        return new ServerConfig(respPort, httpPort, password, arguments, head, line, scrubRecordsPerCycle, cluster);
    }

    /** @return a copy serving in a Redis Cluster with this slot map (null: no cluster). */
    public ServerConfig withCluster(final ClusterMap map)
    {
        return new ServerConfig(respPort, httpPort, password, maxArguments, maxRequestHead, maxRequestLine,
            scrubRecordsPerCycle, map);
    }
}
