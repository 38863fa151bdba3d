package io.pktstore.arena;

/**
 * Formatting was refused because the file or region already holds data; a non-empty file is
 * never reformatted unless the caller explicitly asks to overwrite it.
 */
public class ArenaFileNotEmptyException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public ArenaFileNotEmptyException(final String message) {
        super(message);
    }
}
