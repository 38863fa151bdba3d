package io.pktstore.nic.xdp;

/** How the kernel moves frames between the NIC and the UMEM. */
public enum XdpMode
{
    /**
     * The kernel copies each frame between its own buffers and the UMEM (XDP_COPY): works on every
     * interface, veth included. User space still copies nothing.
     */
    COPY,
    /**
     * The NIC's DMA writes straight into the UMEM (XDP_ZEROCOPY): only on drivers with AF_XDP
     * zero-copy support (e.g. ice, i40e, ixgbe, mlx5, igc, stmmac); veth refuses it.
     */
    ZERO_COPY
}
