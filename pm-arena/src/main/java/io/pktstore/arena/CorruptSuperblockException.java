package io.pktstore.arena;

/**
 * The superblock's checksum does not match its contents, or a checksummed field holds an
 * impossible value. Nothing was written to the file.
 */
public class CorruptSuperblockException extends ArenaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the file or value that caused it
     */
    public CorruptSuperblockException(final String message) {
        super(message);
    }
}
