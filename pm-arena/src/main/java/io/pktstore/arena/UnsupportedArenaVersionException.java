package io.pktstore.arena;

/**
 * The file is a pktstore arena, but of a format version this code does not read. Nothing was
 * written to it.
 */
public class UnsupportedArenaVersionException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public UnsupportedArenaVersionException(final String message) {
        super(message);
    }
}
