package io.pktstore.arena;

/**
 * No free slot of the requested kind (record, buffer or overflow block). Nothing already stored
 * is affected, and space returns as soon as something is freed. The KV layer turns this into
 * HTTP 507 / RESP {@code -ERR}.
 */
public class ArenaFullException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public ArenaFullException(final String message) {
        super(message);
    }
}
