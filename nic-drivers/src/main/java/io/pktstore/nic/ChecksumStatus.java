package io.pktstore.nic;

/**
 * How much is known about the transport checksum of a received frame. Plain {@code int} constants so
 * the value can live in a primitive slot array ({@link RxBurst}) without boxing.
 */
public final class ChecksumStatus
{
    /** Nothing was said about the checksum: the stack must verify it in software. */
    public static final int UNKNOWN = 0;

    /** Hardware or the kernel validated the checksum ({@code TP_STATUS_CSUM_VALID}, VNET_HDR DATA_VALID). */
    public static final int VERIFIED = 1;

    /**
     * {@code CHECKSUM_PARTIAL} ({@code TP_STATUS_CSUMNOTREADY}): the frame came from a local sender with
     * TX checksum offload, and the checksum field holds only the pseudo-header sum. The stack must
     * complete it; {@link RxBurst#csumStart(int)} / {@link RxBurst#csumOffset(int)} say where when known
     * (otherwise -1).
     */
    public static final int PARTIAL = 2;

    private ChecksumStatus()
    {
    }

    /**
     * @param status one of the constants of this class.
     * @return a short name for logs and test messages.
     */
    public static String name(final int status)
    {
        switch (status)
        {
            case UNKNOWN:
                return "UNKNOWN";
            case VERIFIED:
                return "VERIFIED";
            case PARTIAL:
                return "PARTIAL";
            default:
                return "INVALID(" + status + ")";
        }
    }
}
