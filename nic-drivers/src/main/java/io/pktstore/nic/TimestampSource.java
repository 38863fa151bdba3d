package io.pktstore.nic;

/** Where a device's receive timestamps come from. */
public enum TimestampSource
{
    /** No timestamps: {@link RxBurst#timestampNs(int)} is the caller's nowNs. */
    NONE,
    /** The kernel's software receive time, CLOCK_REALTIME (AF_PACKET on veth). */
    SOFTWARE,
    /**
     * CLOCK_REALTIME read by the driver when it took the frames off the receive ring: the kernel gives
     * none (AF_XDP descriptors carry no timestamp), so it is later than the arrival by the time the
     * frame waited in the ring.
     */
    DRIVER,
    /** A NIC's PTP hardware clock. */
    HARDWARE,
    /** The timestamps stored in a capture file (pcap replay), original times. */
    CAPTURE
}
