package io.pktstore.kv.format;

import java.util.Locale;

/** The ordered index a store was created with; recorded in the arena's KV marker. */
public enum Engine
{
    /** Persistent skip list: the level-0 list is durable, upper levels are rebuilt at recovery. */
    SKIPLIST(1),
    /** Persistent red-black tree: every link durable, multi-word updates through the link log. */
    RBTREE(2);

    private final int id;

    Engine(final int id)
    {
        this.id = id;
    }

    /** @return the id stored in the marker. */
    public int id()
    {
        return id;
    }

    /** @return the engine with this marker id, or null. */
    public static Engine byId(final int id)
    {
        for (final Engine e : values())
        {
            if (e.id == id)
            {
                return e;
            }
        }
        return null;
    }

    /** @return the name used on the command line ("skiplist", "rbtree"). */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
