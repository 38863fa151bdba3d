package io.pktstore.nic.afpacket;

/**
 * Byte layouts of the kernel's PACKET_MMAP structures (x86-64, include/uapi/linux/if_packet.h and
 * virtio_net.h), as offsets. Static constants only.
 *
 * <pre>
 * tpacket2_hdr (32 B, one per V2 frame slot; the frame itself starts at slot + tp_mac)
 *   0       4       8       12  14  16      20      24  26  28      32
 *   +-------+-------+-------+---+---+-------+-------+---+---+-------+
 *   |status |len    |snaplen|mac|net|sec    |nsec   |vci|vtp|pad    |
 *   +-------+-------+-------+---+---+-------+-------+---+---+-------+
 *
 * tpacket_block_desc (48 B at the start of each V3 block)
 *   0        4              8        12       16          20      24       32         40
 *   +--------+--------------+--------+--------+-----------+-------+--------+----------+----------+
 *   |version |offset_to_priv|status  |num_pkts|off_1st_pkt|blk_len|seq u64 |ts_first  |ts_last   |
 *   +--------+--------------+--------+--------+-----------+-------+--------+----------+----------+
 *
 * tpacket3_hdr (48 B before each V3 packet; the next packet is at this + tp_next_offset)
 *   0          4      8       12      16     20      24  26  28      32 ...
 *   +----------+------+-------+-------+------+-------+---+---+-------+--------
 *   |next_off  |sec   |nsec   |snaplen|len   |status |mac|net|rxhash |vlan...
 *   +----------+------+-------+-------+------+-------+---+---+-------+--------
 *
 * virtio_net_hdr (10 B, right before the frame at tp_mac when PACKET_VNET_HDR is on;
 *                 on TX it is the first 10 bytes of the data)
 *   0     1        2        4        6          8           10
 *   +-----+--------+--------+--------+----------+-----------+
 *   |flags|gso_type|hdr_len |gso_size|csum_start|csum_offset|
 *   +-----+--------+--------+--------+----------+-----------+
 * </pre>
 */
final class TpacketLayout
{
    static final int TP2_STATUS_OFFSET = 0;
    static final int TP2_LEN_OFFSET = 4;
    static final int TP2_SNAPLEN_OFFSET = 8;
    static final int TP2_MAC_OFFSET = 12;
    static final int TP2_SEC_OFFSET = 16;
    static final int TP2_NSEC_OFFSET = 20;
    static final int TP2_HDR_LENGTH = 32;

    static final int BLOCK_STATUS_OFFSET = 8;
    static final int BLOCK_NUM_PKTS_OFFSET = 12;
    static final int BLOCK_FIRST_PKT_OFFSET = 16;
    static final int BLOCK_LEN_OFFSET = 20;
    static final int BLOCK_DESC_LENGTH = 48;

    static final int TP3_NEXT_OFFSET_OFFSET = 0;
    static final int TP3_SEC_OFFSET = 4;
    static final int TP3_NSEC_OFFSET = 8;
    static final int TP3_SNAPLEN_OFFSET = 12;
    static final int TP3_LEN_OFFSET = 16;
    static final int TP3_STATUS_OFFSET = 20;
    static final int TP3_MAC_OFFSET = 24;
    static final int TP3_HDR_LENGTH = 48;

    static final int VNET_FLAGS_OFFSET = 0;
    static final int VNET_GSO_TYPE_OFFSET = 1;
    static final int VNET_CSUM_START_OFFSET = 6;
    static final int VNET_CSUM_OFFSET_OFFSET = 8;
    static final int VNET_HDR_LENGTH = 10;
    static final int VNET_F_NEEDS_CSUM = 1;
    static final int VNET_F_DATA_VALID = 2;

    /** TX data starts here in a slot: TPACKET_ALIGN(sizeof hdr + sizeof sockaddr_ll) - sizeof sockaddr_ll. */
    static final int TX_DATA_OFFSET_V2 = 32;
    static final int TX_DATA_OFFSET_V3 = 48;

    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_LOSING = 4;
    static final int TP_STATUS_CSUMNOTREADY = 8;
    static final int TP_STATUS_CSUM_VALID = 0x80;

    static final int TP_STATUS_AVAILABLE = 0;
    static final int TP_STATUS_SEND_REQUEST = 1;
    static final int TP_STATUS_SENDING = 2;
    static final int TP_STATUS_WRONG_FORMAT = 4;

    /** Socket options (SOL_PACKET). */
    static final int PACKET_ADD_MEMBERSHIP = 1;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_TX_RING = 13;
    static final int PACKET_VNET_HDR = 15;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_FANOUT_HASH = 0;
    static final int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int PACKET_MR_PROMISC = 1;
    /** ETH_P_ALL (0x0003) in network byte order, as the short the kernel reads on little-endian. */
    static final short ETH_P_ALL_BE = 0x0300;

    private TpacketLayout()
    {
    }

    /**
     * Addresses of the frame slots of a frame-based ring (V2 RX, V2/V3 TX): slot i lives at
     * {@code base + (i / framesPerBlock) * blockSize + (i % framesPerBlock) * frameSize}; frames never
     * span blocks, so a block may end in unused slack.
     */
    static long[] slotAddresses(final long base, final int blockSize, final int blockCount, final int frameSize)
    {
        final int perBlock = blockSize / frameSize;
        final long[] slots = new long[perBlock * blockCount];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = base + (long)(i / perBlock) * blockSize + (long)(i % perBlock) * frameSize;
        }
        return slots;
    }
}
