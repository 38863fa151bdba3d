package io.pktstore.kv.server;

/** Counters of the front ends (read on the stack's thread, or from a snapshot). */
public final class ServerStats
{
    /** Most command ids counted individually. */
    public static final int COMMAND_IDS = 64;

    /** Highest HTTP status code counted in {@link #httpResponses}. */
    public static final int MAX_HTTP_STATUS = 599;
    /** HTTP method ids counted in {@link #httpRequests} (see {@code kv.http.HttpMethods}). */
    public static final int HTTP_METHOD_IDS = 16;

    /** RESP requests run, by command id. */
    public final long[] commands = new long[COMMAND_IDS];
    /** HTTP requests whose head was read, by method id. */
    public final long[] httpRequests = new long[HTTP_METHOD_IDS];
    /** HTTP responses sent, by status code (index = code; 100 Continue included). */
    public final long[] httpResponses = new long[MAX_HTTP_STATUS + 1];
    /** Requests run in all (both protocols). */
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
