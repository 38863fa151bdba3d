package io.pktstore.kv.store;

/**
 * Result codes of the store's operations: ints, so the request path allocates nothing and throws
 * nothing for outcomes a client can cause. Negative codes are absence or refusals; the front ends
 * turn each into its protocol's answer (for example FULL into HTTP 507 and RESP "-ERR ... full").
 * A lookup returns the node (a record index, 0 or more) or a negative code.
 */
public final class StoreStatus
{
    /** A new key was stored. */
    public static final int INSERTED = 1;
    /** An existing key's value was replaced. */
    public static final int REPLACED = 2;
    /** The key was removed. */
    public static final int DELETED = 3;
    /** No such key. */
    public static final int NOT_FOUND = -1;
    /**
     * The key's stored data failed verification (recovery or scrub), or the key lies where a key
     * whose own bytes were damaged used to be: it is never served as data.
     */
    public static final int DAMAGED = -2;
    /** Key longer than {@code NodeLayout.MAX_KEY_LENGTH} or empty. */
    public static final int BAD_KEY = -3;
    /** Value longer than the store's limit. */
    public static final int VALUE_TOO_LARGE = -4;
    /** Below the reserve of free records or buffers: new data is refused, deletes still work. */
    public static final int FULL = -5;
    /** The store stopped: persistence failed, nothing more is acknowledged. */
    public static final int FAILED = -6;

    private StoreStatus()
    {
    }

    /** @return a short name for logs and tests. */
    public static String name(final int status)
    {
        switch (status)
        {
            case INSERTED: return "INSERTED";
            case REPLACED: return "REPLACED";
            case DELETED: return "DELETED";
            case NOT_FOUND: return "NOT_FOUND";
            case DAMAGED: return "DAMAGED";
            case BAD_KEY: return "BAD_KEY";
            case VALUE_TOO_LARGE: return "VALUE_TOO_LARGE";
            case FULL: return "FULL";
            case FAILED: return "FAILED";
            default: return "status " + status;
        }
    }
}
