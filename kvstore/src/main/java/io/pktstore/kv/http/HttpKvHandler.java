package io.pktstore.kv.http;

import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.OutputChain;
import io.pktstore.kv.server.ServerStats;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.StoreStatus;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

/**
 * The key-value resources: {@code PUT/GET/HEAD/DELETE /kv/<key>} and the ordered scan
 * {@code GET/HEAD /kv?...}. A PUT stores the key's record (a range clone of the request line, or the
 * store's copy of a decoded key) and the body's clone chain; a GET answers a head written into a buffer
 * followed by clones of the stored value's records. Allocation-free for PUT, GET, HEAD and DELETE.
 */
final class HttpKvHandler
{
    /** Body of a 503 for a failed store. */
    static final String STORE_FAILED = "store failed: persistence failed, no write is acknowledged";
    /** Body of a 507. */
    static final String STORE_FULL = "store full: no room for new data (delete keys to make room)";
    /** Response header with a value's receive timestamp (ns, the stack's clock). */
    static final String TIMESTAMP = "X-Pktstore-Timestamp";
    /** Response header of a scan page that is not the last: resume with {@code after=} this key. */
    static final String NEXT_AFTER = "X-Pktstore-Next-After";

    private static final int NONE = PacketRecord.NO_RECORD;

    private final KvStore store;
    private final OutputChain output;
    private final HttpResponses responses;
    private final ServerStats stats;
    private final Arguments args;
    private final long area;
    private final ScanQuery query = new ScanQuery();
    private final int[] scanNodes = new int[ScanQuery.MAX_LIMIT + 1];
    /** Encoding of one key (every byte may become three). */
    private final long encoded = UnsafeApi.allocateMemory(3L * NodeLayout.MAX_KEY_LENGTH);

    HttpKvHandler(final KvStore store, final OutputChain output, final HttpResponses responses, final ServerStats stats,
                  final Arguments args, final long area)
    {
        this.store = store;
        this.output = output;
        this.responses = responses;
        this.stats = stats;
        this.args = args;
        this.area = area;
    }

    /** Runs a request on {@code /kv/<key>} (the method is one of GET, HEAD, PUT, DELETE). */
    void key(final HttpRequestHead head, final boolean close, final long requestTimestampNs)
    {
        switch (head.method())
        {
            case HttpMethods.PUT:
                put(head, close, requestTimestampNs);
                break;
            case HttpMethods.GET:
            case HttpMethods.HEAD:
                get(head, close, head.method() == HttpMethods.HEAD);
                break;
            case HttpMethods.DELETE:
                delete(head, close);
                break;
            default:
                throw new IllegalStateException("method " + head.method());
        }
    }

    /** Argument 0 is the key, argument 1 the body (or DISCARDED if the arena ran out while it arrived). */
    private void put(final HttpRequestHead head, final boolean close, final long requestTimestampNs)
    {
        if (args.kind(1) == Arguments.DISCARDED)
        {
            storeError(StoreStatus.FULL, head, close);
            return;
        }
        final int keyRecord = args.takeKeyRecord(0, store, requestTimestampNs);
        if (keyRecord == NONE)
        {
            storeError(StoreStatus.FULL, head, close);
            return;
        }
        final long length = args.length(1);
        final int status = store.put(keyRecord, args.takeChain(1), length);
        if (status == StoreStatus.INSERTED)
        {
            responses.status(201);
            responses.header("Content-Length", 0);
            responses.endHead(close, head.minorVersion());
        }
        else if (status == StoreStatus.REPLACED)
        {
            responses.status(204);
            responses.endHead(close, head.minorVersion());
        }
        else
        {
            storeError(status, head, close);
        }
    }

    private void get(final HttpRequestHead head, final boolean close, final boolean headOnly)
    {
        final int node = store.get(area + head.keyOffset(), head.keyLength());
        if (node < 0)
        {
            if (node == StoreStatus.NOT_FOUND)
            {
                stats.keyspaceMisses++;
            }
            storeError(node, head, close);
            return;
        }
        stats.keyspaceHits++;
        final long length = store.valueLength(node);
        responses.status(200);
        responses.header("Content-Type", "application/octet-stream");
        responses.header("Content-Length", length);
        responses.header(TIMESTAMP, store.valueTimestampNs(node));
        responses.endHead(close, head.minorVersion());
        if (!headOnly)
        {
            // The stored records themselves are never handed to the connection (it takes ownership and
            // rewrites them): clones share their buffers and survive an overwrite or delete of the key.
            responses.check(output.appendClones(store.valueHead(node), length));
            stats.valueBytesOut += length;
        }
    }

    private void delete(final HttpRequestHead head, final boolean close)
    {
        final int status = store.delete(area + head.keyOffset(), head.keyLength());
        if (status == StoreStatus.DELETED)
        {
            responses.status(204);
            responses.endHead(close, head.minorVersion());
        }
        else
        {
            storeError(status, head, close);
        }
    }

    /**
     * The ordered scan: one percent-encoded key per line ({@code \n}), at most {@code limit}; when more
     * keys follow, {@link #NEXT_AFTER} names the last one (resume with {@code after=} it).
     */
    void scan(final HttpRequestHead head, final boolean close)
    {
        final boolean headOnly = head.method() == HttpMethods.HEAD;
        if (!query.parse(area, head.queryOffset(), head.queryLength()))
        {
            stats.errorReplies++;
            responses.text(400, query.error, null, null, close, head.minorVersion(), headOnly);
            return;
        }
        final int found = store.scan(area + query.lowOffset, query.lowLength, query.lowInclusive,
            area + query.endOffset, query.endLength, scanNodes, query.limit + 1);
        final boolean more = found > query.limit;
        final int count = Math.min(found, query.limit);
        long length = 0;
        for (int i = 0; i < count; i++)
        {
            final int node = scanNodes[i];
            length += PercentCoding.encodedLength(store.nodes().keyAddress(node), store.nodes().keyLength(node)) + 1;
        }
        responses.status(200);
        responses.header("Content-Type", HttpResponses.TEXT);
        responses.header("Content-Length", length);
        if (more)
        {
            final int last = scanNodes[count - 1];
            final int n = PercentCoding.encode(store.nodes().keyAddress(last), store.nodes().keyLength(last), encoded);
            responses.header(NEXT_AFTER, encoded, n);
        }
        responses.endHead(close, head.minorVersion());
        if (!headOnly)
        {
            for (int i = 0; i < count; i++)
            {
                final int node = scanNodes[i];
                final int n = PercentCoding.encode(store.nodes().keyAddress(node), store.nodes().keyLength(node), encoded);
                responses.body(encoded, n);
                responses.bodyByte('\n');
            }
        }
    }

    /** Answers a lookup's absence or a store's refusal. */
    private void storeError(final int status, final HttpRequestHead head, final boolean close)
    {
        final boolean headOnly = head.method() == HttpMethods.HEAD;
        final int minor = head.minorVersion();
        stats.errorReplies++;
        switch (status)
        {
            case StoreStatus.NOT_FOUND:
                responses.text(404, "no such key", null, null, close, minor, headOnly);
                break;
            case StoreStatus.DAMAGED:
                responses.text(500, "key damaged: its stored data failed verification and is not served", null, null,
                    close, minor, headOnly);
                break;
            case StoreStatus.BAD_KEY:
                responses.text(400, "keys are 1 to " + NodeLayout.MAX_KEY_LENGTH + " bytes", null, null, close, minor,
                    headOnly);
                break;
            case StoreStatus.VALUE_TOO_LARGE:
                responses.text(413, "body larger than the store's value limit", null, null, close, minor, headOnly);
                break;
            case StoreStatus.FULL:
                stats.refusedFull++;
                responses.text(507, STORE_FULL, null, null, close, minor, headOnly);
                break;
            case StoreStatus.FAILED:
                responses.text(503, STORE_FAILED, null, null, close, minor, headOnly);
                break;
            default:
                responses.text(500, "unexpected store status", null, null, close, minor, headOnly);
                break;
        }
    }
}
