package io.pktstore.nic.xdp;

/**
 * The kernel's AF_XDP interface (linux/if_xdp.h, as of Linux 6.18; Debian 12's header predates
 * XDP_USE_SG and XDP_PKT_CONTD, so every number is spelled out here). Constants only.
 *
 * <pre>
 * struct xdp_umem_reg (32 B; a shorter option length makes the kernel ignore flags)
 *   0        8        16           20         24      28
 *   +--------+--------+------------+----------+-------+-----------------+
 *   | addr   | len    | chunk_size | headroom | flags | tx_metadata_len |
 *   +--------+--------+------------+----------+-------+-----------------+
 *
 * struct sockaddr_xdp (16 B)
 *   0        2       4         8          12
 *   +--------+-------+---------+----------+-------------------+
 *   | family | flags | ifindex | queue_id | shared_umem_fd    |
 *   +--------+-------+---------+----------+-------------------+
 *
 * struct xdp_mmap_offsets (128 B): rx@0 tx@32 fill@64 completion@96, each a struct xdp_ring_offset
 *   { u64 producer@0; u64 consumer@8; u64 desc@16; u64 flags@24 }: byte offsets in the ring's mapping
 *
 * struct xdp_desc (16 B, RX and TX rings)          fill / completion ring entry (8 B)
 *   0        8       12                              0
 *   +--------+-------+---------+                     +------+
 *   | addr   | len   | options |                     | addr |
 *   +--------+-------+---------+                     +------+
 *
 * struct xdp_statistics (48 B): rx_dropped@0 rx_invalid_descs@8 tx_invalid_descs@16
 *   rx_ring_full@24 rx_fill_ring_empty_descs@32 tx_ring_empty_descs@40 (u64, cumulative)
 * </pre>
 *
 * In unaligned-chunk mode an RX descriptor's addr carries the chunk's base in bits 0..47 and the
 * frame's offset from it in bits 48..63 ({@link #UNALIGNED_OFFSET_SHIFT}).
 */
final class XdpAbi
{
    static final int AF_XDP = 44;
    static final int SOCK_RAW = 3;
    static final int SOL_XDP = 283;

    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;

    static final long PGOFF_RX_RING = 0L;
    static final long PGOFF_TX_RING = 0x80000000L;
    static final long PGOFF_FILL_RING = 0x100000000L;
    static final long PGOFF_COMPLETION_RING = 0x180000000L;

    /** sockaddr_xdp flags. */
    static final int BIND_COPY = 1 << 1;
    static final int BIND_ZEROCOPY = 1 << 2;
    static final int BIND_USE_NEED_WAKEUP = 1 << 3;
    static final int BIND_USE_SG = 1 << 4;

    /** xdp_umem_reg flags. */
    static final int UMEM_UNALIGNED_CHUNK_FLAG = 1;
    static final int UMEM_REG_LENGTH = 32;

    /** The smallest UMEM chunk the kernel takes (XDP_UMEM_MIN_CHUNK_SIZE). */
    static final int MIN_CHUNK_SIZE = 2048;
    /** The largest without huge pages (PAGE_SIZE on x86-64). */
    static final int MAX_CHUNK_SIZE = 4096;
    /** Headroom the kernel keeps in front of every received frame (XDP_PACKET_HEADROOM). */
    static final int XDP_PACKET_HEADROOM = io.pktstore.nic.FrameBuffers.KERNEL_HEADROOM;
    static final int PAGE_SIZE = 4096;

    /** xdp_ring_offset flags bit: the kernel needs a syscall to make progress. */
    static final int RING_NEED_WAKEUP = 1;
    /** xdp_desc options bit: more descriptors of the same packet follow. */
    static final int PKT_CONTD = 1;

    static final int UNALIGNED_OFFSET_SHIFT = 48;
    static final long UNALIGNED_ADDR_MASK = (1L << UNALIGNED_OFFSET_SHIFT) - 1;

    static final int SOCKADDR_XDP_LENGTH = 16;
    static final int MMAP_OFFSETS_LENGTH = 128;
    static final int RING_OFFSET_LENGTH = 32;
    static final int STATISTICS_LENGTH = 48;
    static final int DESC_SIZE = 16;
    static final int ADDR_SIZE = 8;

    /** Bits of XDP_FLAGS_* for BPF_LINK_CREATE (linux/if_link.h). */
    static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    /** enum bpf_attach_type: BPF_XDP. */
    static final int BPF_XDP = 37;

    private XdpAbi()
    {
    }
}
