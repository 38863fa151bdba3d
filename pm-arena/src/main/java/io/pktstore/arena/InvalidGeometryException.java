package io.pktstore.arena;

/**
 * Arena geometry arguments that cannot describe an arena (counts, buffer size, or file size out
 * of range, or a geometry that does not fit its file).
 */
public class InvalidGeometryException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public InvalidGeometryException(final String message) {
        super(message);
    }
}
