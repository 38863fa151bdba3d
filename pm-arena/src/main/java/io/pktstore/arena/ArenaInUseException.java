package io.pktstore.arena;

/**
 * The arena file is mapped by another open region (another process, or another open in this one):
 * two owners would each rebuild free lists the other is using and hand out the same buffers. The
 * file is left untouched.
 */
public class ArenaInUseException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file
     */
    public ArenaInUseException(final String message) {
        super(message);
    }
}
