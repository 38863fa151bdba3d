package io.pktstore.kv.resp;

import io.pktstore.kv.format.NodeLayout;
import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.PasswordCheck;
import io.pktstore.kv.server.ScanCursors;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.StoreStatus;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

/**
 * Runs one parsed RESP request against the store and writes its reply through the session. The
 * request's arity was checked; each command checks its own options. The hot commands (GET, SET, MGET,
 * MSET, DEL, EXISTS) allocate nothing; the administrative ones (INFO, COMMAND, CONFIG) may.
 */
final class RespCommandRunner
{
    private static final int NONE = PacketRecord.NO_RECORD;
    private static final String SYNTAX = "ERR syntax error";
    private static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    /** Redis's version string as clients read it from INFO and HELLO. */
    static final String REDIS_VERSION = "7.0.15";

    private final RespSession session;
    private final KvStore store;
    private final Arguments args;
    private final int[] scanNodes = new int[1024];

    RespCommandRunner(final RespSession session)
    {
        this.session = session;
        this.store = session.store();
        this.args = session.args();
    }

    void run(final RespCommands.Command command, final long nowNs)
    {
        switch (command.id)
        {
            case RespCommands.GET:
                get();
                break;
            case RespCommands.SET:
                set();
                break;
            case RespCommands.SETNX:
                setnx();
                break;
            case RespCommands.DEL:
            case RespCommands.UNLINK:
                del();
                break;
            case RespCommands.EXISTS:
                exists();
                break;
            case RespCommands.MGET:
                mget();
                break;
            case RespCommands.MSET:
                mset();
                break;
            case RespCommands.STRLEN:
                strlen();
                break;
            case RespCommands.TYPE:
                type();
                break;
            case RespCommands.SCAN:
                scan();
                break;
            case RespCommands.DBSIZE:
                session.integer(store.count());
                break;
            case RespCommands.PING:
                ping();
                break;
            case RespCommands.ECHO:
                session.bulkOfArgument(1);
                break;
            case RespCommands.INFO:
                session.bulk(RespInfo.text(session.server(), args));
                break;
            case RespCommands.QUIT:
                session.simple("OK");
                session.quit();
                break;
            case RespCommands.SELECT:
                select();
                break;
            case RespCommands.HELLO:
                hello();
                break;
            case RespCommands.AUTH:
                auth();
                break;
            case RespCommands.CLIENT:
                client();
                break;
            case RespCommands.CONFIG:
                RespAdmin.config(session, args);
                break;
            case RespCommands.COMMAND:
                RespAdmin.command(session, args);
                break;
            case RespCommands.TIME:
                time(nowNs);
                break;
            case RespCommands.RANGE:
                range();
                break;
            case RespCommands.TS:
                ts();
                break;
            case RespCommands.SCRUB:
                RespAdmin.scrub(session, args);
                break;
            case RespCommands.CLUSTER:
                RespCluster.cluster(session, args);
                break;
            case RespCommands.ASKING:
            case RespCommands.READONLY:
            case RespCommands.READWRITE:
                if (session.server().config().cluster() == null)
                {
                    session.error("ERR This instance has cluster support disabled");
                }
                else
                {
                    session.simple("OK");
                }
                break;
            default:
                session.error("ERR command not implemented");
                break;
        }
    }

    // ------------------------------------------------------------------------------------------

    /** @return the key of argument i, or 0 after answering its error. */
    private long key(final int i)
    {
        final long key = args.key(i);
        if (key == 0)
        {
            session.storeError(StoreStatus.BAD_KEY);
        }
        return key;
    }

    private void get()
    {
        final long key = key(1);
        if (key == 0)
        {
            return;
        }
        final int node = store.get(key, (int)args.length(1));
        reply(node);
    }

    /** Writes a lookup's result: the value, a null bulk, or the refusal. */
    private void reply(final int node)
    {
        if (node >= 0)
        {
            session.server().stats().keyspaceHits++;
            session.bulkOfNode(node);
        }
        else if (node == StoreStatus.NOT_FOUND)
        {
            session.server().stats().keyspaceMisses++;
            session.nullBulk();
        }
        else
        {
            session.storeError(node);
        }
    }

    private void set()
    {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        for (int i = 3; i < args.count(); i++)
        {
            if (args.is(i, "NX") && !xx)
            {
                nx = true;
            }
            else if (args.is(i, "XX") && !nx)
            {
                xx = true;
            }
            else if (args.is(i, "GET"))
            {
                get = true;
            }
            else if (args.is(i, "EX") || args.is(i, "PX") || args.is(i, "EXAT") || args.is(i, "PXAT")
                || args.is(i, "KEEPTTL"))
            {
                session.error("ERR pktstore does not expire keys: EX, PX, EXAT, PXAT and KEEPTTL are not supported");
                return;
            }
            else
            {
                session.error(SYNTAX);
                return;
            }
        }
        final long key = key(1);
        if (key == 0)
        {
            return;
        }
        if (!nx && !xx && !get)
        {
            // A plain SET needs no lookup of its own: the store's upsert finds the key anyway (one index
            // search per SET, not two: the benchmark's profile showed the second at ~8% of the thread).
            final int status = put(1, 2);
            if (status < 0)
            {
                session.storeError(status);
            }
            else
            {
                session.simple("OK");
            }
            return;
        }
        final int existing = store.get(key, (int)args.length(1));
        if (existing == StoreStatus.DAMAGED && get)
        {
            session.storeError(existing);
            return;
        }
        final boolean exists = existing >= 0 || existing == StoreStatus.DAMAGED;
        if (get)
        {
            // The old value (clones: they outlive the overwrite below).
            if (existing >= 0)
            {
                session.bulkOfNode(existing);
            }
            else
            {
                session.nullBulk();
            }
        }
        if (nx && exists || xx && !exists)
        {
            if (!get)
            {
                session.nullBulk();
            }
            return;
        }
        final int status = put(1, 2);
        if (status < 0)
        {
            if (!get)
            {
                session.storeError(status);
            }
            return;
        }
        if (!get)
        {
            session.simple("OK");
        }
    }

    private void setnx()
    {
        final long key = key(1);
        if (key == 0)
        {
            return;
        }
        final int existing = store.get(key, (int)args.length(1));
        if (existing >= 0 || existing == StoreStatus.DAMAGED)
        {
            session.integer(0);
            return;
        }
        final int status = put(1, 2);
        if (status < 0)
        {
            session.storeError(status);
            return;
        }
        session.integer(1);
    }

    /** Stores argument v under argument k, moving their records into the store. */
    private int put(final int k, final int v)
    {
        final int keyRecord = args.takeKeyRecord(k, store, session.requestTimestampNs());
        if (keyRecord == NONE)
        {
            return args.length(k) >= 1 && args.length(k) <= NodeLayout.MAX_KEY_LENGTH ? StoreStatus.FULL : StoreStatus.BAD_KEY;
        }
        final long length = args.length(v);
        final int valueHead;
        if (args.kind(v) == Arguments.SCRATCH && length > 0)
        {
            valueHead = store.copyValue(args.address(v, Integer.MAX_VALUE), length, session.requestTimestampNs());
            if (valueHead == NONE)
            {
                session.server().pool().release(keyRecord);
                return StoreStatus.FULL;
            }
        }
        else
        {
            valueHead = args.takeChain(v);
        }
        return store.put(keyRecord, valueHead, length);
    }

    private void del()
    {
        long deleted = 0;
        for (int i = 1; i < args.count(); i++)
        {
            final long key = args.key(i);
            if (key != 0 && store.delete(key, (int)args.length(i)) == StoreStatus.DELETED)
            {
                deleted++;
            }
        }
        session.integer(deleted);
    }

    private void exists()
    {
        long found = 0;
        for (int i = 1; i < args.count(); i++)
        {
            final long key = args.key(i);
            if (key != 0 && store.exists(key, (int)args.length(i)))
            {
                found++;
            }
        }
        session.integer(found);
    }

    private void mget()
    {
        session.arrayHeader(args.count() - 1);
        for (int i = 1; i < args.count(); i++)
        {
            final long key = args.key(i);
            if (key == 0)
            {
                session.nullBulk();
                continue;
            }
            reply(store.get(key, (int)args.length(i)));
        }
    }

    private void mset()
    {
        if ((args.count() - 1) % 2 != 0)
        {
            session.error("ERR wrong number of arguments for 'mset' command");
            return;
        }
        for (int i = 1; i < args.count(); i += 2)
        {
            if (args.key(i) == 0)
            {
                session.storeError(StoreStatus.BAD_KEY);
                return;   // nothing stored: MSET checks every key before it stores one
            }
        }
        for (int i = 1; i < args.count(); i += 2)
        {
            final int status = put(i, i + 1);
            if (status < 0)
            {
                session.storeError(status);
                return;
            }
        }
        session.simple("OK");
    }

    private void strlen()
    {
        final long key = key(1);
        if (key == 0)
        {
            return;
        }
        final int node = store.get(key, (int)args.length(1));
        if (node >= 0)
        {
            session.integer(store.valueLength(node));
        }
        else if (node == StoreStatus.NOT_FOUND)
        {
            session.integer(0);
        }
        else
        {
            session.storeError(node);
        }
    }

    private void type()
    {
        final long key = args.key(1);
        session.simple(key != 0 && store.exists(key, (int)args.length(1)) ? "string" : "none");
    }

    private void ping()
    {
        if (args.count() > 2)
        {
            session.error("ERR wrong number of arguments for 'ping' command");
        }
        else if (args.count() == 2)
        {
            session.bulkOfArgument(1);
        }
        else
        {
            session.simple("PONG");
        }
    }

    private void select()
    {
        final long db = args.integer(1);
        if (db == Arguments.NOT_AN_INTEGER)
        {
            session.error(NOT_INTEGER);
        }
        else if (db != 0 && session.server().config().cluster() != null)
        {
            session.error("ERR SELECT is not allowed in cluster mode");
        }
        else if (db != 0)
        {
            session.error("ERR DB index is out of range");
        }
        else
        {
            session.simple("OK");
        }
    }

    private void time(final long nowNs)
    {
        final long micros = System.currentTimeMillis() * 1000 + (nowNs / 1000) % 1000;
        session.arrayHeader(2);
        final String seconds = Long.toString(micros / 1_000_000);
        final String rest = Long.toString(micros % 1_000_000);
        session.bulk(seconds);
        session.bulk(rest);
    }

    private void ts()
    {
        final long key = key(1);
        if (key == 0)
        {
            return;
        }
        final int node = store.get(key, (int)args.length(1));
        if (node >= 0)
        {
            session.integer(store.valueTimestampNs(node));
        }
        else if (node == StoreStatus.NOT_FOUND)
        {
            session.nullBulk();
        }
        else
        {
            session.storeError(node);
        }
    }

    // ------------------------------------------------------------------------------------------
    // SCAN and PKS.RANGE: ordered reads
    // ------------------------------------------------------------------------------------------

    /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: keys in order, resumable by a numeric cursor. */
    private void scan()
    {
        final long cursor = args.integer(1);
        if (cursor == Arguments.NOT_AN_INTEGER || cursor < 0)
        {
            session.error("ERR invalid cursor");
            return;
        }
        int match = -1;
        long count = 10;
        boolean stringType = true;
        for (int i = 2; i < args.count(); i++)
        {
            if (args.is(i, "MATCH") && i + 1 < args.count())
            {
                match = ++i;
            }
            else if (args.is(i, "COUNT") && i + 1 < args.count())
            {
                count = args.integer(++i);
                if (count == Arguments.NOT_AN_INTEGER)
                {
                    session.error(NOT_INTEGER);
                    return;
                }
                if (count < 1)
                {
                    session.error(SYNTAX);
                    return;
                }
            }
            else if (args.is(i, "TYPE") && i + 1 < args.count())
            {
                stringType = args.is(++i, "string");
            }
            else
            {
                session.error(SYNTAX);
                return;
            }
        }
        final ScanCursors cursors = session.server().cursors();
        final int fromLength;
        final long from;
        if (cursor == 0)
        {
            fromLength = 0;
            from = 0;
        }
        else
        {
            fromLength = cursors.lookup(cursor);
            if (fromLength < 0)
            {
                session.error("ERR invalid cursor");
                return;
            }
            from = cursors.keyAddress(cursor);
        }
        final int limit = (int)Math.min(count, scanNodes.length);
        final int n = stringType ? store.scan(from, fromLength, false, 0, -1, scanNodes, limit) : 0;
        final long next = n == limit && n > 0
            ? cursors.save(store.nodes().keyAddress(scanNodes[n - 1]), store.nodes().keyLength(scanNodes[n - 1])) : 0;
        int matching = 0;
        for (int i = 0; i < n; i++)
        {
            if (match < 0 || GlobMatcher.matches(args, match, store.nodes().keyAddress(scanNodes[i]),
                store.nodes().keyLength(scanNodes[i])))
            {
                scanNodes[matching++] = scanNodes[i];
            }
        }
        session.arrayHeader(2);
        session.bulk(Long.toString(next));
        session.arrayHeader(matching);
        for (int i = 0; i < matching; i++)
        {
            session.bulkOfKey(scanNodes[i]);
        }
    }

    /**
     * PKS.RANGE start end [LIMIT n]: keys k with start &lt;= k &lt; end (an empty start or end is open), with
     * their values, as a flat array key, value, key, value (at most n pairs, default 100, most 1024).
     */
    private void range()
    {
        long limit = 100;
        if (args.count() == 5 && args.is(3, "LIMIT"))
        {
            limit = args.integer(4);
            if (limit == Arguments.NOT_AN_INTEGER || limit < 0)
            {
                session.error(NOT_INTEGER);
                return;
            }
        }
        else if (args.count() != 3)
        {
            session.error(SYNTAX);
            return;
        }
        final long startLength = args.length(1);
        final long endLength = args.length(2);
        if (startLength > NodeLayout.MAX_KEY_LENGTH || endLength > NodeLayout.MAX_KEY_LENGTH)
        {
            session.storeError(StoreStatus.BAD_KEY);
            return;
        }
        // Both bounds must be readable at once: the end is copied to the session's scratch when needed.
        final long start = startLength == 0 ? 0 : args.address(1, NodeLayout.MAX_KEY_LENGTH);
        long end = 0;
        if (endLength > 0)
        {
            end = session.copyToScratch(args, 2);
        }
        final int n = store.scan(start, (int)startLength, true, end, endLength == 0 ? -1 : (int)endLength, scanNodes,
            (int)Math.min(limit, scanNodes.length));
        session.arrayHeader(2L * n);
        for (int i = 0; i < n; i++)
        {
            session.bulkOfKey(scanNodes[i]);
            if (store.isDamaged(scanNodes[i]))
            {
                session.storeError(StoreStatus.DAMAGED);
            }
            else
            {
                session.bulkOfNode(scanNodes[i]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Connection commands
    // ------------------------------------------------------------------------------------------

    private void auth()
    {
        final String password = session.server().config().password();
        if (args.count() > 3)
        {
            session.error(SYNTAX);
            return;
        }
        if (password == null)
        {
            session.error("ERR AUTH <password> called without any password configured for the default user. "
                + "Are you sure your configuration is correct?");
            return;
        }
        final int passwordArgument = args.count() - 1;
        if (args.count() == 3 && !args.is(1, "default") || !PasswordCheck.matches(args, passwordArgument, password))
        {
            session.server().stats().authFailures++;
            session.error("WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        session.authenticated(true);
        session.simple("OK");
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]]: RESP2 only. */
    private void hello()
    {
        int i = 1;
        if (args.count() > 1)
        {
            final long version = args.integer(1);
            if (version == Arguments.NOT_AN_INTEGER || version < 2 || version > 3)
            {
                session.error("NOPROTO unsupported protocol version");
                return;
            }
            if (version == 3)
            {
                session.error("NOPROTO sorry, this protocol version is not supported.");
                return;
            }
            i = 2;
        }
        int nameArgument = -1;
        while (i < args.count())
        {
            if (args.is(i, "AUTH") && i + 2 < args.count())
            {
                final String password = session.server().config().password();
                if (password == null || !args.is(i + 1, "default") || !PasswordCheck.matches(args, i + 2, password))
                {
                    session.server().stats().authFailures++;
                    session.error(password == null
                        ? "ERR AUTH <password> called without any password configured for the default user. "
                            + "Are you sure your configuration is correct?"
                        : "WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }
                session.authenticated(true);
                i += 3;
            }
            else if (args.is(i, "SETNAME") && i + 1 < args.count())
            {
                nameArgument = i + 1;
                i += 2;
            }
            else
            {
                session.error("ERR Syntax error in HELLO option '" + args.printable(i, 64) + "'");
                return;
            }
        }
        if (!session.isAuthenticated())
        {
            session.server().stats().authFailures++;
            session.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
                + "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                + "protocol version at the same time");
            return;
        }
        if (nameArgument >= 0 && !session.setName(nameArgument))
        {
            session.error("ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        session.arrayHeader(14);
        session.bulk("server");
        session.bulk("redis");
        session.bulk("version");
        session.bulk(REDIS_VERSION);
        session.bulk("proto");
        session.integer(2);
        session.bulk("id");
        session.integer(session.clientId());
        session.bulk("mode");
        session.bulk(session.server().config().cluster() == null ? "standalone" : "cluster");
        session.bulk("role");
        session.bulk("master");
        session.bulk("modules");
        session.arrayHeader(0);
    }

    private void client()
    {
        if (args.is(1, "SETNAME") && args.count() == 3)
        {
            if (session.setName(2))
            {
                session.simple("OK");
            }
            else
            {
                session.error("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        else if (args.is(1, "GETNAME") && args.count() == 2)
        {
            session.writeName();
        }
        else if (args.is(1, "ID") && args.count() == 2)
        {
            session.integer(session.clientId());
        }
        else if (args.is(1, "SETINFO") && args.count() == 4)
        {
            if (args.is(2, "LIB-NAME") || args.is(2, "LIB-VER"))
            {
                session.simple("OK");
            }
            else
            {
                session.error("ERR Unrecognized option '" + args.printable(2, 64) + "'");
            }
        }
        else if (args.is(1, "INFO") && args.count() == 2)
        {
            session.bulk("id=" + session.clientId() + " laddr=" + session.connection().localPort() + " db=0 cmd=client|info\n");
        }
        else if (args.is(1, "NO-EVICT") || args.is(1, "NO-TOUCH") || args.is(1, "REPLY") && args.count() == 3 && args.is(2, "ON"))
        {
            session.simple("OK");
        }
        else
        {
            session.error("ERR unknown subcommand '" + args.printable(1, 64) + "'. Try CLIENT HELP.");
        }
    }
}
