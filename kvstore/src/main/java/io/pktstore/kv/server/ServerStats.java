package io.pktstore.kv.server;

/** Counters of the front ends (read on the stack's thread, or from a snapshot). */
public final class ServerStats
{
    /** Most command ids counted individually. */
    public static final int COMMAND_IDS = 64;

    /** Requests run, by command id (RESP) or method (HTTP, see the HTTP session). */
    public final long[] commands = new long[COMMAND_IDS];
    /** Requests run in all. */
    public long requests;
    /** Lookups that found their key. */
    public long keyspaceHits;
    /** Lookups that did not. */
    public long keyspaceMisses;
    /** Requests answered with an error. */
    public long errorReplies;
    /** Malformed streams (answered, then closed). */
    public long protocolErrors;
    /** Writes refused because the store was below its reserve. */
    public long refusedFull;
    /** Wrong passwords and requests without authentication. */
    public long authFailures;
    /** Unknown commands. */
    public long unknownCommands;
    /** Group commits run by the server's hook. */
    public long groupCommits;
    /** Requests redirected to another cluster node (MOVED). */
    public long redirects;
    /** Value bytes sent in replies, as clones of stored records. */
    public long valueBytesOut;
}
