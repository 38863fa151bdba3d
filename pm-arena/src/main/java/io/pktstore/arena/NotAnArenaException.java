package io.pktstore.arena;

/**
 * The file or region does not start with the arena magic: it is not a pktstore arena (or it is
 * empty). Nothing was written to it.
 */
public class NotAnArenaException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public NotAnArenaException(final String message) {
        super(message);
    }
}
