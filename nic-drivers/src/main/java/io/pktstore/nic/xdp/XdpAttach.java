package io.pktstore.nic.xdp;

/** Where the kernel runs the redirecting XDP program. */
public enum XdpAttach
{
    /** In the driver, before an skb exists (XDP_FLAGS_DRV_MODE): veth and most NIC drivers. */
    DRIVER(XdpAbi.XDP_FLAGS_DRV_MODE),
    /** Generic XDP on the skb (XDP_FLAGS_SKB_MODE): any interface, slower; copy mode only. */
    SKB(XdpAbi.XDP_FLAGS_SKB_MODE);

    private final int linkFlags;

    XdpAttach(final int linkFlags)
    {
        this.linkFlags = linkFlags;
    }

    int linkFlags()
    {
        return linkFlags;
    }
}
