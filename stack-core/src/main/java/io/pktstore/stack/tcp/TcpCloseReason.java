package io.pktstore.stack.tcp;

/**
 * Why a connection ended, passed to {@link TcpHandler#onClosed}. Plain int constants so the callback
 * needs no object.
 */
public final class TcpCloseReason
{
    /** Both sides closed and every FIN was acknowledged (or TIME_WAIT ended). */
    public static final int NORMAL = 0;
    /** The peer sent an acceptable RST. */
    public static final int RESET_BY_PEER = 1;
    /** Retransmissions went unanswered too often (RTO give-up limit). */
    public static final int TIMED_OUT = 2;
    /** The application aborted the connection (we sent RST). */
    public static final int ABORTED = 3;
    /** An active open was refused by RST in SYN_SENT. */
    public static final int REFUSED = 4;

    private TcpCloseReason()
    {
    }

    /** @param reason a constant of this class. @return its name for logs and test messages. */
    public static String name(final int reason)
    {
        switch (reason)
        {
            case NORMAL: return "NORMAL";
            case RESET_BY_PEER: return "RESET_BY_PEER";
            case TIMED_OUT: return "TIMED_OUT";
            case ABORTED: return "ABORTED";
            case REFUSED: return "REFUSED";
            default: return "UNKNOWN(" + reason + ")";
        }
    }
}
