package io.pktstore.kv.resp;

import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.ClusterMap;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerStats;
import io.pktstore.kv.server.Session;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.StoreStatus;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/**
 * One RESP2 connection: parses requests from the records as they arrive ({@link RespParser}), runs
 * them against the store, and writes Redis's replies (values as clones of the stored records: a GET's
 * value bytes on the wire are the bytes that arrived with the SET). Texts of errors are Redis 7's,
 * so clients that match on them (redis-cli, redis-py, redis-benchmark, twemproxy) behave as with Redis.
 */
public final class RespSession extends Session
{
    private static final int NONE = PacketRecord.NO_RECORD;
    /** Longest client name kept (CLIENT SETNAME). */
    private static final int MAX_NAME = 256;

    private final KvStore store;
    private final RespParser parser;
    private final Arguments args;
    private final RespCommandRunner runner;
    private final long name;
    private int nameLength = -1;
    private boolean authenticated;
    private long requestTimestampNs;
    private long clientId;

    /** @param server the server the session belongs to. */
    public RespSession(final KvServer server)
    {
        super(server);
        this.store = server.store();
        this.args = new Arguments(pool, scratch);
        this.parser = new RespParser(pool, scratch, server.config().maxArguments(), store.config().maxValueBytes());
        this.runner = new RespCommandRunner(this);
        this.name = UnsafeApi.allocateMemory(MAX_NAME);
    }

    @Override
    protected void onOpen()
    {
        authenticated = server.config().password() == null;
        nameLength = -1;
        clientId = server.nextClientId();
    }

    @Override
    protected void onClose()
    {
        parser.reset();
        args.clear();
    }

    @Override
    protected void runRequests(final long nowNs)
    {
        while (!closingAfterReply() && !outputWaiting())
        {
            if (!parser.midRequest())
            {
                requestTimestampNs = input.cursorTimestampNs();
            }
            final int result = parser.parse(input, args);
            switch (result)
            {
                case RespParser.NEED_MORE:
                    return;
                case RespParser.COMMAND_NAME:
                    decideOnArguments();
                    break;
                case RespParser.REQUEST:
                    run(nowNs);
                    args.clear();
                    break;
                case RespParser.PROTOCOL_ERROR:
                    server.stats().protocolErrors++;
                    args.clear();
                    error("ERR " + parser.error());
                    closeAfterReply();
                    return;
                default:
                    throw new IllegalStateException("parser result " + result);
            }
        }
    }

    /** The command is known before its arguments are read: a write the store cannot take skips them. */
    private void decideOnArguments()
    {
        final long address = args.address(0, 32);
        final RespCommands.Command command = address == 0 ? null : RespCommands.lookup(address, (int)args.length(0));
        if (command != null && command.writesData && !store.hasRoomForNewData())
        {
            parser.discardRest();
        }
    }

    private void run(final long nowNs)
    {
        final ServerStats stats = server.stats();
        stats.requests++;
        final long address = args.address(0, 32);
        final RespCommands.Command command = address == 0 ? null : RespCommands.lookup(address, (int)args.length(0));
        if (command == null)
        {
            stats.unknownCommands++;
            requestStarted(io.pktstore.kv.server.RequestLatency.OTHER);
            unknownCommand();
            return;
        }
        stats.commands[command.id]++;
        requestStarted(command.latencyKind);
        if (!authenticated && command.id != RespCommands.AUTH && command.id != RespCommands.HELLO
            && command.id != RespCommands.QUIT)
        {
            stats.authFailures++;
            error("NOAUTH Authentication required.");
            return;
        }
        if (!command.arityAllows(args.count()))
        {
            error("ERR wrong number of arguments for '" + command.name + "' command");
            return;
        }
        final ClusterMap cluster = server.config().cluster();
        if (cluster != null && command.firstKey != 0 && !routedHere(cluster, command))
        {
            return;
        }
        if (command.writesData && args.anyDiscarded())
        {
            stats.refusedFull++;
            error("ERR store full: no room for new data (delete keys to make room)");
            return;
        }
        runner.run(command, nowNs);
    }

    /**
     * Redis Cluster routing: every key of the request must hash to one slot (else CROSSSLOT) that this
     * node serves (else MOVED to the owner, which cluster-aware clients follow).
     *
     * @return true if the request runs here; false after its redirect or error was answered.
     */
    private boolean routedHere(final ClusterMap cluster, final RespCommands.Command command)
    {
        final int last = command.lastKey < 0 ? args.count() + command.lastKey : Math.min(command.lastKey, args.count() - 1);
        int slot = -1;
        for (int i = command.firstKey; i <= last; i += command.step)
        {
            final long key = args.key(i);
            if (key == 0)
            {
                continue;   // an invalid key: the command answers that itself
            }
            final int s = ClusterMap.slot(key, (int)args.length(i));
            if (slot >= 0 && s != slot)
            {
                error("CROSSSLOT Keys in request don't hash to the same slot");
                return false;
            }
            slot = s;
        }
        if (slot < 0 || cluster.ownsSlot(slot))
        {
            return true;
        }
        final ClusterMap.Node owner = cluster.ownerOf(slot);
        if (owner == null)
        {
            error("CLUSTERDOWN Hash slot not served");
        }
        else
        {
            server.stats().redirects++;
            error("MOVED " + slot + " " + owner.address());
        }
        return false;
    }

    private void unknownCommand()
    {
        final StringBuilder sb = new StringBuilder("ERR unknown command '").append(args.printable(0, 128))
            .append("', with args beginning with: ");
        for (int i = 1; i < args.count() && sb.length() < 512; i++)
        {
            sb.append('\'').append(args.printable(i, 128)).append("' ");
        }
        error(sb.toString());
    }

    // ------------------------------------------------------------------------------------------
    // What the command runner uses
    // ------------------------------------------------------------------------------------------

    KvStore store()
    {
        return store;
    }

    KvServer server()
    {
        return server;
    }

    Arguments args()
    {
        return args;
    }

    long requestTimestampNs()
    {
        return requestTimestampNs;
    }

    long clientId()
    {
        return clientId;
    }

    void authenticated(final boolean value)
    {
        authenticated = value;
    }

    boolean isAuthenticated()
    {
        return authenticated;
    }

    /** Sets the client's name from argument i (no spaces, at most MAX_NAME bytes). @return false if refused. */
    boolean setName(final int i)
    {
        final long length = args.length(i);
        if (length > MAX_NAME)
        {
            return false;
        }
        final long address = args.address(i, MAX_NAME);
        for (int k = 0; k < length; k++)
        {
            final int c = UnsafeApi.getByte(address + k) & 0xFF;
            if (c < '!' || c > '~')
            {
                return false;
            }
        }
        UnsafeApi.copyMemory(address, name, length);
        nameLength = length == 0 ? -1 : (int)length;
        return true;
    }

    /** Writes the client's name as a bulk, or a null bulk. */
    void writeName()
    {
        if (nameLength < 0)
        {
            nullBulk();
        }
        else
        {
            bulk(name, nameLength);
        }
    }

    /**
     * Copies argument i (at most a key's length) into the last kilobyte of the scratch, past any inline
     * line, so that two arguments can be read at once.
     *
     * @return the copy's address.
     */
    long copyToScratch(final Arguments arguments, final int i)
    {
        final long target = scratch + Session.SCRATCH_BYTES - NodeLayout.MAX_KEY_LENGTH;
        UnsafeApi.copyMemory(arguments.address(i, NodeLayout.MAX_KEY_LENGTH), target, arguments.length(i));
        return target;
    }

    /** The session must close after this reply. */
    void quit()
    {
        closeAfterReply();
    }

    // ------------------------------------------------------------------------------------------
    // Replies (RESP2)
    // ------------------------------------------------------------------------------------------

    private void failed(final boolean ok)
    {
        if (!ok)
        {
            // The arena has no buffer for a reply: the connection cannot be answered.
            abortForNoMemory();
        }
    }

    private void abortForNoMemory()
    {
        abortConnection();
    }

    void simple(final String text)
    {
        failed(output.writeByte('+') && output.writeAscii(text) && output.writeAscii("\r\n"));
    }

    void error(final String text)
    {
        server.stats().errorReplies++;
        // As Redis's addReplyErrorFormat: a CR or LF from the client (a command name, a byte after a
        // desync) would end the error line early and put the client out of step; each becomes a space.
        final String line = text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text
            : text.replace('\r', ' ').replace('\n', ' ');
        failed(output.writeByte('-') && output.writeAscii(line) && output.writeAscii("\r\n"));
    }

    void integer(final long value)
    {
        failed(output.writeByte(':') && output.writeLong(value) && output.writeAscii("\r\n"));
    }

    void arrayHeader(final long count)
    {
        failed(output.writeByte('*') && output.writeLong(count) && output.writeAscii("\r\n"));
    }

    void nullBulk()
    {
        failed(output.writeAscii("$-1\r\n"));
    }

    void nullArray()
    {
        failed(output.writeAscii("*-1\r\n"));
    }

    void bulk(final long address, final int length)
    {
        failed(output.writeByte('$') && output.writeLong(length) && output.writeAscii("\r\n")
            && output.write(address, length) && output.writeAscii("\r\n"));
    }

    void bulk(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        failed(output.writeByte('$') && output.writeLong(bytes.length) && output.writeAscii("\r\n"));
        final long tmp = scratchFor(bytes.length);
        UnsafeApi.copyMemory(bytes, UnsafeApi.arrayBaseOffset(byte[].class), null, tmp, bytes.length);
        failed(output.write(tmp, bytes.length) && output.writeAscii("\r\n"));
    }

    private long scratchFor(final int length)
    {
        if (length > Session.SCRATCH_BYTES)
        {
            throw new IllegalArgumentException("reply text of " + length + " bytes");
        }
        return scratch;
    }

    /** A bulk whose bytes are a clone of argument i's chain (ECHO, PING msg): nothing copied. */
    void bulkOfArgument(final int i)
    {
        final long length = args.length(i);
        failed(output.writeByte('$') && output.writeLong(length) && output.writeAscii("\r\n"));
        if (args.kind(i) == Arguments.SCRATCH)
        {
            failed(output.write(args.address(i, Integer.MAX_VALUE), (int)length));
        }
        else
        {
            final int first = args.takeChain(i);
            int last = first;
            while (last != NONE && store.nodes().next(last) != NONE)
            {
                last = store.nodes().next(last);
            }
            output.appendChain(first, last, length);
        }
        failed(output.writeAscii("\r\n"));
    }

    /**
     * A stored value as a bulk: the header written, the value's records cloned (the stored records are
     * never handed to the connection; clones survive an overwrite or delete of the key).
     */
    void bulkOfNode(final int node)
    {
        final long length = store.valueLength(node);
        failed(output.writeByte('$') && output.writeLong(length) && output.writeAscii("\r\n"));
        appendValue(node);
        failed(output.writeAscii("\r\n"));
    }

    /** Appends clones of a node's value records. */
    void appendValue(final int node)
    {
        final long length = store.valueLength(node);
        if (!output.appendClones(store.valueHead(node), length))
        {
            abortForNoMemory();
            return;
        }
        server.stats().valueBytesOut += length;
    }

    /** A key of the store as a bulk (SCAN, PKS.RANGE). */
    void bulkOfKey(final int node)
    {
        bulk(store.nodes().keyAddress(node), store.nodes().keyLength(node));
    }

    /** Writes a status for a store refusal. */
    void storeError(final int status)
    {
        switch (status)
        {
            case StoreStatus.DAMAGED:
                error("ERR key damaged: its stored data failed verification and is not served");
                break;
            case StoreStatus.BAD_KEY:
                error("ERR invalid key: pktstore keys are 1 to " + NodeLayout.MAX_KEY_LENGTH + " bytes");
                break;
            case StoreStatus.VALUE_TOO_LARGE:
                error("ERR value too large: at most " + store.config().maxValueBytes() + " bytes");
                break;
            case StoreStatus.FULL:
                server.stats().refusedFull++;
                error("ERR store full: no room for new data (delete keys to make room)");
                break;
            case StoreStatus.FAILED:
                error("ERR store failed: persistence failed, no write is acknowledged");
                break;
            default:
                error("ERR store status " + StoreStatus.name(status));
                break;
        }
    }
}
