package io.pktstore.kv.resp;

import org.agrona.UnsafeApi;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.List;

/**
 * The RESP commands the node answers: name, arity and key positions as Redis's COMMAND reports them
 * (clients such as redis-py build their routing from this table), flags, and an id the session
 * switches on. Looked up from the request's first argument without allocating (a hash of its
 * upper-cased bytes, then a byte comparison).
 */
public final class RespCommands
{
    /** One command. */
    public static final class Command
    {
        /** Switch id. */
        public final int id;
        /** Lower-case name, as Redis prints it in errors. */
        public final String name;
        /** Redis arity: positive = exactly that many arguments (with the name), negative = at least. */
        public final int arity;
        /** Redis command flags (COMMAND's third field). */
        public final List<String> flags;
        /** First key argument (1-based), 0 = none. */
        public final int firstKey;
        /** Last key argument, -1 = the last argument. */
        public final int lastKey;
        /** Step between keys. */
        public final int step;
        /** True if the command stores data (refused with "full" while the store is below its reserve). */
        public final boolean writesData;
        /** Which latency histogram its requests go to ({@code RequestLatency} kinds). */
        public final int latencyKind;

        Command(final int id, final String name, final int arity, final List<String> flags, final int firstKey,
                final int lastKey, final int step)
        {
            this.id = id;
            this.name = name;
            this.arity = arity;
            this.flags = flags;
            this.firstKey = firstKey;
            this.lastKey = lastKey;
            this.step = step;
            this.writesData = flags.contains("denyoom");
            this.latencyKind = flags.contains("write") ? io.pktstore.kv.server.RequestLatency.WRITE
                : flags.contains("readonly") ? io.pktstore.kv.server.RequestLatency.READ
                : io.pktstore.kv.server.RequestLatency.OTHER;
        }

        /** @return true if {@code count} arguments (with the name) satisfy the arity. */
        public boolean arityAllows(final int count)
        {
            return arity >= 0 ? count == arity : count >= -arity;
        }
    }

    public static final int SET = 1;
    public static final int GET = 2;
    public static final int DEL = 3;
    public static final int EXISTS = 4;
    public static final int MGET = 5;
    public static final int MSET = 6;
    public static final int STRLEN = 7;
    public static final int SCAN = 8;
    public static final int DBSIZE = 9;
    public static final int PING = 10;
    public static final int ECHO = 11;
    public static final int INFO = 12;
    public static final int QUIT = 13;
    public static final int SELECT = 14;
    public static final int HELLO = 15;
    public static final int CLIENT = 16;
    public static final int CONFIG = 17;
    public static final int COMMAND = 18;
    public static final int RANGE = 19;
    public static final int TS = 20;
    public static final int AUTH = 21;
    public static final int UNLINK = 22;
    public static final int SCRUB = 23;
    public static final int TYPE = 24;
    public static final int SETNX = 25;
    public static final int CLUSTER = 26;
    public static final int ASKING = 27;
    public static final int READONLY = 28;
    public static final int READWRITE = 29;
    public static final int TIME = 30;

    private static final List<String> WRITE = List.of("write", "denyoom");
    private static final List<String> READ = List.of("readonly", "fast");
    private static final List<String> ADMIN = List.of("loading", "stale");

    private static final Command[] ALL = {
        new Command(SET, "set", -3, WRITE, 1, 1, 1),
        new Command(SETNX, "setnx", 3, List.of("write", "denyoom", "fast"), 1, 1, 1),
        new Command(GET, "get", 2, READ, 1, 1, 1),
        new Command(DEL, "del", -2, List.of("write"), 1, -1, 1),
        new Command(UNLINK, "unlink", -2, List.of("write", "fast"), 1, -1, 1),
        new Command(EXISTS, "exists", -2, READ, 1, -1, 1),
        new Command(MGET, "mget", -2, READ, 1, -1, 1),
        new Command(MSET, "mset", -3, WRITE, 1, -1, 2),
        new Command(STRLEN, "strlen", 2, READ, 1, 1, 1),
        new Command(TYPE, "type", 2, READ, 1, 1, 1),
        new Command(SCAN, "scan", -2, List.of("readonly"), 0, 0, 0),
        new Command(DBSIZE, "dbsize", 1, READ, 0, 0, 0),
        new Command(PING, "ping", -1, List.of("fast", "stale"), 0, 0, 0),
        new Command(ECHO, "echo", 2, List.of("fast"), 0, 0, 0),
        new Command(INFO, "info", -1, ADMIN, 0, 0, 0),
        new Command(QUIT, "quit", -1, List.of("fast", "noauth"), 0, 0, 0),
        new Command(SELECT, "select", 2, List.of("loading", "stale", "fast"), 0, 0, 0),
        new Command(HELLO, "hello", -1, List.of("noscript", "loading", "stale", "fast", "noauth"), 0, 0, 0),
        new Command(AUTH, "auth", -2, List.of("noscript", "loading", "stale", "fast", "noauth"), 0, 0, 0),
        new Command(CLIENT, "client", -2, List.of("admin", "noscript", "loading", "stale"), 0, 0, 0),
        new Command(CONFIG, "config", -2, List.of("admin", "noscript", "loading", "stale"), 0, 0, 0),
        new Command(COMMAND, "command", -1, List.of("loading", "stale"), 0, 0, 0),
        new Command(TIME, "time", 1, List.of("loading", "stale", "fast"), 0, 0, 0),
        new Command(CLUSTER, "cluster", -2, List.of("stale"), 0, 0, 0),
        new Command(ASKING, "asking", 1, List.of("fast"), 0, 0, 0),
        new Command(READONLY, "readonly", 1, List.of("loading", "stale", "fast"), 0, 0, 0),
        new Command(READWRITE, "readwrite", 1, List.of("loading", "stale", "fast"), 0, 0, 0),
        new Command(RANGE, "pks.range", -3, List.of("readonly"), 0, 0, 0),
        new Command(TS, "pks.ts", 2, READ, 1, 1, 1),
        new Command(SCRUB, "pks.scrub", -1, List.of("admin"), 0, 0, 0),
    };

    /** FNV-1a 64 over the upper-cased name. */
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final Long2ObjectHashMap<Command> BY_HASH = new Long2ObjectHashMap<>();

    static
    {
        for (final Command c : ALL)
        {
            final byte[] upper = c.name.toUpperCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            long h = OFFSET_BASIS;
            for (final byte b : upper)
            {
                h = (h ^ (b & 0xFF)) * PRIME;
            }
            if (BY_HASH.put(h, c) != null)
            {
                throw new AssertionError("command hash collision: " + c.name);
            }
        }
    }

    private RespCommands()
    {
    }

    /** @return every command, in table order (for COMMAND). */
    public static Command[] all()
    {
        return ALL.clone();
    }

    /** @return the number of commands. */
    public static int count()
    {
        return ALL.length;
    }

    /**
     * @param name address of the command name's bytes.
     * @param length its length.
     * @return the command (any letter case), or null if there is none of that name.
     */
    public static Command lookup(final long name, final int length)
    {
        if (length < 1 || length > 32)
        {
            return null;
        }
        long h = OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            int b = UnsafeApi.getByte(name + i) & 0xFF;
            if (b >= 'a' && b <= 'z')
            {
                b -= 32;
            }
            h = (h ^ b) * PRIME;
        }
        final Command c = BY_HASH.get(h);
        if (c == null || c.name.length() != length)
        {
            return null;
        }
        for (int i = 0; i < length; i++)
        {
            final int b = UnsafeApi.getByte(name + i) & 0xFF;
            if (Character.toLowerCase(b) != c.name.charAt(i))
            {
                return null;
            }
        }
        return c;
    }

    /** @return the command with this lower-case name, or null. */
    public static Command byName(final String name)
    {
        for (final Command c : ALL)
        {
            if (c.name.equalsIgnoreCase(name))
            {
                return c;
            }
        }
        return null;
    }
}
