package io.pktstore.arena;

/**
 * The file is a pktstore arena whose superblock promises more bytes than the file holds (it was
 * cut short). Nothing was written to it.
 */
public class TruncatedArenaException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public TruncatedArenaException(final String message) {
        super(message);
    }
}
