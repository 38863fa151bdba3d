package io.pktstore.nic.afpacket;

import java.util.Objects;

/**
 * How to open an {@link AfPacketDevice}: interface, ring format and geometry, and socket options.
 * Immutable; build with {@link #builder(String)}. Geometry rules (checked by {@link Builder#build()}):
 * block sizes are multiples of 4096, frame sizes multiples of 16 and at most the block size; the
 * ring holds {@code blockCount * (blockSize / frameSize)} frames.
 */
public final class AfPacketConfig
{
    private static final int PAGE = 4096;

    private final String interfaceName;
    private final TpacketVersion version;
    private final int rxBlockSize;
    private final int rxBlockCount;
    private final int rxFrameSize;
    private final int v3RetireBlockTimeoutMs;
    private final int txBlockSize;
    private final int txBlockCount;
    private final int txFrameSize;
    private final boolean vnetHdr;
    private final boolean qdiscBypass;
    private final boolean ignoreOutgoing;
    private final boolean promiscuous;
    private final int busyPollSpins;
    private final int fanoutGroup;
    private final long stationMac;
    private final int stationIp;

    private AfPacketConfig(final Builder b)
    {
        interfaceName = b.interfaceName;
        version = b.version;
        rxBlockSize = b.rxBlockSize;
        rxBlockCount = b.rxBlockCount;
        rxFrameSize = b.rxFrameSize;
        v3RetireBlockTimeoutMs = b.v3RetireBlockTimeoutMs;
        txBlockSize = b.txBlockSize;
        txBlockCount = b.txBlockCount;
        txFrameSize = b.txFrameSize;
        vnetHdr = b.vnetHdr;
        qdiscBypass = b.qdiscBypass;
        ignoreOutgoing = b.ignoreOutgoing;
        promiscuous = b.promiscuous;
        busyPollSpins = b.busyPollSpins;
        fanoutGroup = b.fanoutGroup;
        stationMac = b.stationMac;
        stationIp = b.stationIp;
    }

    /**
     * @param interfaceName the interface to bind, e.g. a veth end created by the test host.
     * @return a builder with defaults: V2, RX 64 blocks of 256 KiB with 2 KiB frames (8192 frames),
     *         TX 16 blocks of 256 KiB with 2 KiB frames (2048 frames), V3 retire timeout 2 ms,
     *         no VNET header, no qdisc bypass, outgoing ignored, not promiscuous, 0 busy-poll spins.
     */
    public static Builder builder(final String interfaceName)
    {
        return new Builder(interfaceName);
    }

    /** @return the interface name. */
    public String interfaceName()
    {
        return interfaceName;
    }

    /** @return the RX ring format. */
    public TpacketVersion version()
    {
        return version;
    }

    /** @return RX ring block size in bytes. */
    public int rxBlockSize()
    {
        return rxBlockSize;
    }

    /** @return RX ring block count. */
    public int rxBlockCount()
    {
        return rxBlockCount;
    }

    /**
     * @return RX ring frame size in bytes: V2's slot size (a longer frame arrives truncated, with its
     *         original wireLength); V3 packs variable-sized packets into blocks, so there it only sizes
     *         the kernel's frame count and a packet may use up to a block.
     */
    public int rxFrameSize()
    {
        return rxFrameSize;
    }

    /** @return V3 only: ms after which the kernel hands over a partly filled block. */
    public int v3RetireBlockTimeoutMs()
    {
        return v3RetireBlockTimeoutMs;
    }

    /** @return TX ring block size in bytes. */
    public int txBlockSize()
    {
        return txBlockSize;
    }

    /** @return TX ring block count. */
    public int txBlockCount()
    {
        return txBlockCount;
    }

    /** @return TX ring frame size in bytes (largest transmitted frame + header). */
    public int txFrameSize()
    {
        return txFrameSize;
    }

    /** @return true if PACKET_VNET_HDR is on (checksum status + csum_start/offset, TX checksum offload). */
    public boolean vnetHdr()
    {
        return vnetHdr;
    }

    /** @return true if PACKET_QDISC_BYPASS is on (faster TX; tcpdump will not see our frames). */
    public boolean qdiscBypass()
    {
        return qdiscBypass;
    }

    /** @return true if PACKET_IGNORE_OUTGOING is on (our own TX frames do not appear in RX). */
    public boolean ignoreOutgoing()
    {
        return ignoreOutgoing;
    }

    /** @return true if the interface is put in promiscuous mode via PACKET_ADD_MEMBERSHIP. */
    public boolean promiscuous()
    {
        return promiscuous;
    }

    /** @return how many empty ring checks {@code awaitReadable} spins before it falls back to poll(). */
    public int busyPollSpins()
    {
        return busyPollSpins;
    }

    /**
     * @return the PACKET_FANOUT group id (hash mode: all frames of one flow go to the same member), or
     *         -1 when the socket is not in a fanout group.
     */
    public int fanoutGroup()
    {
        return fanoutGroup;
    }

    /** @return true if a station filter is set ({@link Builder#stationFilter}). */
    public boolean hasStationFilter()
    {
        return stationMac != 0;
    }

    /** @return the station filter's MAC (48 bits), 0 = no filter. */
    public long stationMac()
    {
        return stationMac;
    }

    /** @return the station filter's IPv4 address (host order). */
    public int stationIp()
    {
        return stationIp;
    }

    /** @return RX frames in the ring (V2 meaning; V3 approximate). */
    public int rxFrameCount()
    {
        return rxBlockCount * (rxBlockSize / rxFrameSize);
    }

    /** @return TX frames in the ring. */
    public int txFrameCount()
    {
        return txBlockCount * (txBlockSize / txFrameSize);
    }

    @Override
    public String toString()
    {
        return "AfPacketConfig{" + interfaceName + ", " + version + ", rx=" + rxBlockCount + "x" + rxBlockSize + "/" +
            rxFrameSize + ", tx=" + txBlockCount + "x" + txBlockSize + "/" + txFrameSize + ", vnetHdr=" + vnetHdr +
            ", qdiscBypass=" + qdiscBypass + ", ignoreOutgoing=" + ignoreOutgoing + ", promiscuous=" + promiscuous +
            ", busyPollSpins=" + busyPollSpins + ", fanoutGroup=" + fanoutGroup + '}';
    }

    /** Builder of {@link AfPacketConfig}. */
    public static final class Builder
    {
        private final String interfaceName;
        private TpacketVersion version = TpacketVersion.V2;
        private int rxBlockSize = 256 * 1024;
        private int rxBlockCount = 64;
        private int rxFrameSize = 2048;
        private int v3RetireBlockTimeoutMs = 2;
        private int txBlockSize = 256 * 1024;
        private int txBlockCount = 16;
        private int txFrameSize = 2048;
        private boolean vnetHdr;
        private boolean qdiscBypass;
        private boolean ignoreOutgoing = true;
        private boolean promiscuous;
        private int busyPollSpins;
        private int fanoutGroup = -1;
        private long stationMac;
        private int stationIp;

        private Builder(final String interfaceName)
        {
            this.interfaceName = Objects.requireNonNull(interfaceName, "interfaceName");
        }

        /**
         * @param version ring format.
         * @return this.
         */
        public Builder version(final TpacketVersion version)
        {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * @param blockSize bytes per block (multiple of 4096).
         * @param blockCount number of blocks.
         * @param frameSize bytes per frame slot (multiple of 16, at most blockSize).
         * @return this.
         */
        public Builder rxRing(final int blockSize, final int blockCount, final int frameSize)
        {
            rxBlockSize = blockSize;
            rxBlockCount = blockCount;
            rxFrameSize = frameSize;
            return this;
        }

        /**
         * @param blockSize bytes per block (multiple of 4096).
         * @param blockCount number of blocks.
         * @param frameSize bytes per frame slot (multiple of 16, at most blockSize).
         * @return this.
         */
        public Builder txRing(final int blockSize, final int blockCount, final int frameSize)
        {
            txBlockSize = blockSize;
            txBlockCount = blockCount;
            txFrameSize = frameSize;
            return this;
        }

        /**
         * @param ms V3 block retire timeout in ms (at least 1).
         * @return this.
         */
        public Builder v3RetireBlockTimeoutMs(final int ms)
        {
            v3RetireBlockTimeoutMs = ms;
            return this;
        }

        /**
         * @param on PACKET_VNET_HDR.
         * @return this.
         */
        public Builder vnetHdr(final boolean on)
        {
            vnetHdr = on;
            return this;
        }

        /**
         * @param on PACKET_QDISC_BYPASS.
         * @return this.
         */
        public Builder qdiscBypass(final boolean on)
        {
            qdiscBypass = on;
            return this;
        }

        /**
         * @param on PACKET_IGNORE_OUTGOING.
         * @return this.
         */
        public Builder ignoreOutgoing(final boolean on)
        {
            ignoreOutgoing = on;
            return this;
        }

        /**
         * Receive only the frames of one station among several on the interface (shards of a node,
         * each with its own MAC and address): frames addressed to {@code mac}, and ARP packets whose
         * target address is {@code ip} (requests are broadcast). A classic BPF program attached with
         * SO_ATTACH_FILTER, so the kernel does not copy other stations' frames into this ring at all.
         *
         * @param mac the station's MAC (48 bits, not 0).
         * @param ip the station's IPv4 address (host order).
         * @return this.
         */
        public Builder stationFilter(final long mac, final int ip)
        {
            if (mac == 0 || (mac >>> 48) != 0)
            {
                throw new IllegalArgumentException("station MAC must be a non-zero 48-bit value");
            }
            stationMac = mac;
            stationIp = ip;
            return this;
        }

        /**
         * @param on PACKET_MR_PROMISC membership (a station whose MAC is not the interface's needs it on a
         *           real NIC, which otherwise drops its frames in hardware).
         * @return this.
         */
        public Builder promiscuous(final boolean on)
        {
            promiscuous = on;
            return this;
        }

        /**
         * @param spins empty ring checks before awaitReadable blocks in poll() (>= 0).
         * @return this.
         */
        public Builder busyPollSpins(final int spins)
        {
            busyPollSpins = spins;
            return this;
        }

        /**
         * Joins a PACKET_FANOUT group in hash mode, so several sockets (one per shard thread) on the same
         * interface share its frames by flow hash. Outgoing frames stay hidden from the group when
         * {@link #ignoreOutgoing} is on (PACKET_FANOUT_FLAG_IGNORE_OUTGOING; the socket option does not
         * apply inside a group).
         *
         * @param groupId 0..65535, the same for every member.
         * @return this.
         */
        public Builder fanoutGroup(final int groupId)
        {
            if (groupId < 0 || groupId > 0xFFFF)
            {
                throw new IllegalArgumentException("fanout group id must be within 0..65535, was " + groupId);
            }
            fanoutGroup = groupId;
            return this;
        }

        /**
         * @return the config.
         * @throws IllegalArgumentException naming the first geometry rule broken.
         */
        public AfPacketConfig build()
        {
            if (interfaceName.isEmpty() || interfaceName.length() > 15)
            {
                throw new IllegalArgumentException("interface name must be 1..15 characters: '" + interfaceName + "'");
            }
            checkRing("rx", rxBlockSize, rxBlockCount, rxFrameSize);
            checkRing("tx", txBlockSize, txBlockCount, txFrameSize);
            if (v3RetireBlockTimeoutMs < 1)
            {
                throw new IllegalArgumentException("v3RetireBlockTimeoutMs must be >= 1, was " + v3RetireBlockTimeoutMs);
            }
            if (busyPollSpins < 0)
            {
                throw new IllegalArgumentException("busyPollSpins must be >= 0, was " + busyPollSpins);
            }
            return new AfPacketConfig(this);
        }

        private static void checkRing(final String ring, final int blockSize, final int blockCount, final int frameSize)
        {
            if (blockSize <= 0 || blockSize % PAGE != 0)
            {
                throw new IllegalArgumentException(ring + " block size must be a positive multiple of 4096, was " + blockSize);
            }
            if (blockCount <= 0)
            {
                throw new IllegalArgumentException(ring + " block count must be positive, was " + blockCount);
            }
            if (frameSize < 128 || frameSize % 16 != 0 || frameSize > blockSize)
            {
                throw new IllegalArgumentException(ring + " frame size must be a multiple of 16 in 128.." + blockSize +
                    ", was " + frameSize);
            }
            if ((long)blockSize * blockCount > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(ring + " ring larger than 2 GiB: " + blockCount + " x " + blockSize);
            }
        }
    }
}
