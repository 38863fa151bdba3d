package io.pktstore.nic;

/** Where a device's receive timestamps come from. */
public enum TimestampSource
{
    /** No timestamps: {@link RxBurst#timestampNs(int)} is the caller's nowNs. */
    NONE,
    /** The kernel's software receive time, CLOCK_REALTIME (AF_PACKET on veth). */
    SOFTWARE,
    /** A NIC's PTP hardware clock. */
    HARDWARE,
    /** The timestamps stored in a capture file (pcap replay), original times. */
    CAPTURE
}
