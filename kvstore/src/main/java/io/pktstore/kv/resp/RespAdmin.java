package io.pktstore.kv.resp;

import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.store.Scrubber;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Administrative RESP commands with Redis's reply shapes: CONFIG GET (what redis-benchmark and
 * redis-cli ask), COMMAND (the table cluster-aware clients such as redis-py build their routing from),
 * and PKS.SCRUB. Not on the hot path (allocates).
 */
final class RespAdmin
{
    private RespAdmin()
    {
    }

    /** CONFIG GET pattern [pattern ...] / CONFIG RESETSTAT / CONFIG SET (refused). */
    static void config(final RespSession session, final Arguments args)
    {
        if (args.is(1, "GET") && args.count() >= 3)
        {
            final Map<String, String> known = parameters(session.server());
            final Map<String, String> found = new LinkedHashMap<>();
            for (int i = 2; i < args.count(); i++)
            {
                final String pattern = args.printable(i, 256).toLowerCase(java.util.Locale.ROOT);
                for (final Map.Entry<String, String> e : known.entrySet())
                {
                    if (Glob.matches(pattern, e.getKey()))
                    {
                        found.put(e.getKey(), e.getValue());
                    }
                }
            }
            session.arrayHeader(2L * found.size());
            for (final Map.Entry<String, String> e : found.entrySet())
            {
                session.bulk(e.getKey());
                session.bulk(e.getValue());
            }
        }
        else if (args.is(1, "RESETSTAT") && args.count() == 2)
        {
            session.simple("OK");
        }
        else if (args.is(1, "SET"))
        {
            session.error("ERR CONFIG SET is not supported by pktstore: restart the node with other flags");
        }
        else
        {
            session.error("ERR unknown subcommand '" + args.printable(1, 64) + "'. Try CONFIG HELP.");
        }
    }

    private static Map<String, String> parameters(final KvServer server)
    {
        final Map<String, String> p = new LinkedHashMap<>();
        p.put("save", "");
        p.put("appendonly", "no");
        p.put("appendfsync", "always");
        p.put("databases", "1");
        p.put("maxmemory", Long.toString(server.store().arena().geometry().requiredBytes()));
        p.put("maxmemory-policy", "noeviction");
        p.put("port", Integer.toString(server.config().respPort()));
        p.put("proto-max-bulk-len", Long.toString(server.store().config().maxValueBytes()));
        p.put("cluster-enabled", "no");
        p.put("timeout", "0");
        p.put("tcp-keepalive", "0");
        p.put("maxclients", "4096");
        return p;
    }

    /** COMMAND [COUNT | DOCS ... | INFO name ... | LIST | GETKEYS command args ...]. */
    static void command(final RespSession session, final Arguments args)
    {
        if (args.count() == 1)
        {
            final RespCommands.Command[] all = RespCommands.all();
            session.arrayHeader(all.length);
            for (final RespCommands.Command c : all)
            {
                entry(session, c);
            }
        }
        else if (args.is(1, "COUNT") && args.count() == 2)
        {
            session.integer(RespCommands.count());
        }
        else if (args.is(1, "DOCS"))
        {
            session.arrayHeader(0);   // redis-cli accepts an empty map
        }
        else if (args.is(1, "INFO"))
        {
            session.arrayHeader(args.count() - 2);
            for (int i = 2; i < args.count(); i++)
            {
                final RespCommands.Command c = RespCommands.byName(args.printable(i, 64));
                if (c == null)
                {
                    session.nullArray();
                }
                else
                {
                    entry(session, c);
                }
            }
        }
        else if (args.is(1, "LIST") && args.count() == 2)
        {
            final RespCommands.Command[] all = RespCommands.all();
            session.arrayHeader(all.length);
            for (final RespCommands.Command c : all)
            {
                session.bulk(c.name);
            }
        }
        else if (args.is(1, "GETKEYS") && args.count() >= 3)
        {
            getKeys(session, args);
        }
        else
        {
            session.error("ERR unknown subcommand '" + args.printable(1, 64) + "'. Try COMMAND HELP.");
        }
    }

    /** One COMMAND entry, Redis 7's ten fields. */
    private static void entry(final RespSession session, final RespCommands.Command c)
    {
        session.arrayHeader(10);
        session.bulk(c.name);
        session.integer(c.arity);
        session.arrayHeader(c.flags.size());
        for (final String flag : c.flags)
        {
            session.simple(flag);
        }
        session.integer(c.firstKey);
        session.integer(c.lastKey);
        session.integer(c.step);
        session.arrayHeader(0);   // ACL categories
        session.arrayHeader(0);   // tips
        session.arrayHeader(0);   // key specifications
        session.arrayHeader(0);   // subcommands
    }

    private static void getKeys(final RespSession session, final Arguments args)
    {
        final RespCommands.Command c = RespCommands.byName(args.printable(2, 64));
        if (c == null)
        {
            session.error("ERR Invalid command specified");
            return;
        }
        if (c.firstKey == 0)
        {
            session.error("ERR The command has no key arguments");
            return;
        }
        final int count = args.count() - 2;
        final int last = c.lastKey < 0 ? count + c.lastKey : c.lastKey;
        final List<Integer> keys = new ArrayList<>();
        for (int i = c.firstKey; i <= last && i < count; i += c.step)
        {
            keys.add(i + 2);
        }
        session.arrayHeader(keys.size());
        for (final int i : keys)
        {
            session.bulk(args.printable(i, 1024));
        }
    }

    /** PKS.SCRUB [START | STATUS]: start an online scrub pass, or report on it. */
    static void scrub(final RespSession session, final Arguments args)
    {
        final Scrubber scrubber = session.server().scrubber();
        if (args.count() == 1 || args.count() == 2 && args.is(1, "START"))
        {
            scrubber.start();
            session.simple("OK");
        }
        else if (args.count() == 2 && args.is(1, "STATUS"))
        {
            session.bulk("running:" + (scrubber.running() ? 1 : 0) + "\r\npasses:" + scrubber.passes()
                + "\r\nnodes_checked:" + scrubber.nodesChecked() + "\r\nrecords_checked:" + scrubber.recordsChecked()
                + "\r\ndamaged_found:" + scrubber.damagedFound() + "\r\nlast_pass_nodes:" + scrubber.passNodes()
                + "\r\nlast_pass_damaged:" + scrubber.passDamaged() + "\r\nindex_problem:"
                + (scrubber.indexProblem() == null ? "none" : scrubber.indexProblem()) + "\r\n");
        }
        else
        {
            session.error("ERR syntax error");
        }
    }

    /** Glob matching of ASCII strings for CONFIG GET patterns. */
    static final class Glob
    {
        private Glob()
        {
        }

        static boolean matches(final String pattern, final String text)
        {
            return match(pattern, 0, text, 0);
        }

        private static boolean match(final String p, final int pi, final String s, final int si)
        {
            if (pi == p.length())
            {
                return si == s.length();
            }
            final char c = p.charAt(pi);
            if (c == '*')
            {
                for (int k = si; k <= s.length(); k++)
                {
                    if (match(p, pi + 1, s, k))
                    {
                        return true;
                    }
                }
                return false;
            }
            return si < s.length() && (c == '?' || c == s.charAt(si)) && match(p, pi + 1, s, si + 1);
        }
    }
}
