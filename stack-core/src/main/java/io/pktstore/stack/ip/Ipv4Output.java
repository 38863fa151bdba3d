package io.pktstore.stack.ip;

/**
 * Sends IPv4 datagrams: builds the Ethernet and IPv4 headers (in per-frame scratch memory of the
 * stack), resolves the next hop's MAC through ARP and queues the frame in the stack's TX burst,
 * which is flushed to the device at the end of the duty cycle.
 *
 * <p>Results are plain int codes so the hot path allocates nothing and throws nothing.
 */
public interface Ipv4Output
{
    /**
     * Queued for transmission at the end of this duty cycle, or, while the neighbour is being
     * resolved, copied to wait for the ARP reply (a few per neighbour; dropped if it never comes).
     */
    int SENT = 0;
    /** The destination is not on our subnet and no gateway is configured (or it is unusable). */
    int NO_ROUTE = 1;
    /**
     * The neighbour's MAC is unknown and its waiting queue is full: an ARP request was sent (or is
     * pending); the caller retransmits later.
     */
    int NEIGHBOUR_PENDING = 2;
    /**
     * The TX burst is full for this duty cycle; try again next cycle. Reserved: the stack's own
     * implementation flushes a full burst early instead (counted as tx.earlyFlushes), so today it
     * never returns this; frames the device refuses at the flush are counted as tx.drop.deviceFull.
     */
    int TX_FULL = 3;
    /** The payload does not fit the MTU (payload + 20 byte IPv4 header > {@link #mtu()}); nothing sent. */
    int TOO_BIG = 4;

    /** @return our IPv4 address as a host int (198.18.0.1 = 0xC6120001). */
    int localIp();

    /** @return the IP MTU in bytes (IPv4 header + transport payload), e.g. 1500. */
    int mtu();

    /**
     * Sends one datagram without fragmentation (DF set).
     *
     * @param dstIp destination address as a host int.
     * @param protocol IP protocol number (6 TCP).
     * @param payload the transport header and data pieces; they must stay valid and unchanged until
     *                the stack flushes TX at the end of this duty cycle.
     * @param nowNs the duty cycle's clock (neighbour cache timing).
     * @return {@link #SENT}, {@link #NO_ROUTE}, {@link #NEIGHBOUR_PENDING}, {@link #TX_FULL} or {@link #TOO_BIG}.
     */
    int send(int dstIp, int protocol, Gather payload, long nowNs);

    /**
     * @param result a result code of {@link #send}.
     * @return its name, for logs and test messages.
     */
    static String resultName(final int result)
    {
        switch (result)
        {
            case SENT: return "SENT";
            case NO_ROUTE: return "NO_ROUTE";
            case NEIGHBOUR_PENDING: return "NEIGHBOUR_PENDING";
            case TX_FULL: return "TX_FULL";
            case TOO_BIG: return "TOO_BIG";
            default: return "UNKNOWN(" + result + ")";
        }
    }
}
