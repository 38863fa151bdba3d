package io.pktstore.nic.afpacket;

/** The PACKET_MMAP ring format. */
public enum TpacketVersion
{
    /** Per-frame ring: each frame is handed over as soon as it arrives. Lowest latency; the default. */
    V2(1),
    /** Block ring: frames are handed over a block at a time (when full or its retire timer fires). Throughput. */
    V3(2);

    private final int kernelValue;

    TpacketVersion(final int kernelValue)
    {
        this.kernelValue = kernelValue;
    }

    /** @return the value for setsockopt(PACKET_VERSION): TPACKET_V2 = 1, TPACKET_V3 = 2. */
    public int kernelValue()
    {
        return kernelValue;
    }
}
