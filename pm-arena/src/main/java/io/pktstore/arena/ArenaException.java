package io.pktstore.arena;

/**
 * Base of every error the arena reports. Unchecked: callers on the hot path use the non-throwing
 * allocation methods (which return {@link Arena#NONE}); everything else gets one of the typed
 * subclasses, whose message names the file or value at fault.
 */
public class ArenaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the file or value that caused it
     */
    public ArenaException(final String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure (usually an I/O error)
     */
    public ArenaException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
