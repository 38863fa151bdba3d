package io.pktstore.kv.store;

import io.pktstore.arena.ArenaException;

/** An arena that holds no key-value store, another engine's, or another KV format version. */
public final class KvFormatException extends ArenaException
{
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the arena. */
    public KvFormatException(final String message)
    {
        super(message);
    }
}
