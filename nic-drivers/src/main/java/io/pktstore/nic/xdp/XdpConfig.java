package io.pktstore.nic.xdp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to open an {@link AfXdpDevice}. Immutable; build with {@link #builder(String)}.
 */
public final class XdpConfig
{
    /** Where Debian's libxdp1 (and libxdp builds elsewhere) install the default AF_XDP program. */
    static final List<Path> PROGRAM_SEARCH_PATH = List.of(
        Path.of("/usr/lib/x86_64-linux-gnu/bpf/xsk_def_xdp_prog.o"),
        Path.of("/usr/lib/bpf/xsk_def_xdp_prog.o"),
        Path.of("/usr/local/lib/bpf/xsk_def_xdp_prog.o"),
        Path.of("/usr/lib64/bpf/xsk_def_xdp_prog.o"));

    private final String interfaceName;
    private final int queueId;
    private final XdpMode mode;
    private final XdpAttach attach;
    private final int ringSize;
    private final int txCopySlots;
    private final int busyPollSpins;
    private final boolean scatterGather;
    private final Path programObject;

    private XdpConfig(final Builder b)
    {
        interfaceName = b.interfaceName;
        queueId = b.queueId;
        mode = b.mode;
        attach = b.attach;
        ringSize = b.ringSize;
        txCopySlots = b.txCopySlots;
        busyPollSpins = b.busyPollSpins;
        scatterGather = b.scatterGather;
        programObject = b.programObject;
    }

    /**
     * @param interfaceName the interface whose traffic the device takes over.
     * @return a builder with defaults: queue 0, copy mode, driver attach, rings of 1024 entries,
     *         256 TX copy slots, no busy-poll spins, libxdp's program from its usual place.
     */
    public static Builder builder(final String interfaceName)
    {
        return new Builder(interfaceName);
    }

    /** @return the interface. */
    public String interfaceName()
    {
        return interfaceName;
    }

    /** @return the RX queue the socket is bound to (the program redirects that queue's frames). */
    public int queueId()
    {
        return queueId;
    }

    /** @return copy or zero-copy. */
    public XdpMode mode()
    {
        return mode;
    }

    /** @return driver or generic (skb) attach of the program. */
    public XdpAttach attach()
    {
        return attach;
    }

    /**
     * @return entries of each of the four rings (fill, completion, RX, TX); the fill ring is kept
     *         full, so this many buffers are lent to the kernel.
     */
    public int ringSize()
    {
        return ringSize;
    }

    /**
     * @return buffers the device keeps for the frame bytes it must copy on transmit (headers built
     *         outside the UMEM); one per frame in flight that has any.
     */
    public int txCopySlots()
    {
        return txCopySlots;
    }

    /** @return ring checks before awaitReadable blocks in poll(). */
    public int busyPollSpins()
    {
        return busyPollSpins;
    }

    /**
     * @return true to ask for XDP_USE_SG, so a frame's pieces that lie in the owner's buffers are sent
     *         from there (the kernel falls back to one buffer per frame if it refuses); false to copy
     *         every frame whole into a copy slot.
     */
    public boolean scatterGather()
    {
        return scatterGather;
    }

    /** @return the BPF object holding the redirect program (libxdp's xsk_def_xdp_prog.o). */
    public Path programObject()
    {
        return programObject;
    }

    @Override
    public String toString()
    {
        return "XdpConfig{" + interfaceName + " queue " + queueId + ", " + mode + ", " + attach + " attach, rings " +
            ringSize + ", tx copy slots " + txCopySlots + (scatterGather ? ", scatter-gather" : "") + ", program " + programObject + '}';
    }

    /** Builder with validated setters. */
    public static final class Builder
    {
        private final String interfaceName;
        private int queueId;
        private XdpMode mode = XdpMode.COPY;
        private XdpAttach attach = XdpAttach.DRIVER;
        private int ringSize = 1024;
        private int txCopySlots = 256;
        private int busyPollSpins;
        private boolean scatterGather = true;
        private Path programObject;

        private Builder(final String interfaceName)
        {
            this.interfaceName = Objects.requireNonNull(interfaceName, "interfaceName");
            if (interfaceName.isEmpty() || interfaceName.length() > 15)
            {
                throw new IllegalArgumentException("interface name must be 1..15 characters, was '" + interfaceName + "'");
            }
        }

        /**
         * @param queueId the RX queue, >= 0.
         * @return this.
         */
        public Builder queueId(final int queueId)
        {
            if (queueId < 0)
            {
                throw new IllegalArgumentException("queueId must be >= 0, was " + queueId);
            }
            this.queueId = queueId;
            return this;
        }

        /**
         * @param mode copy or zero-copy.
         * @return this.
         */
        public Builder mode(final XdpMode mode)
        {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param attach driver or skb.
         * @return this.
         */
        public Builder attach(final XdpAttach attach)
        {
            this.attach = Objects.requireNonNull(attach, "attach");
            return this;
        }

        /**
         * @param ringSize entries per ring, a power of two in 64..16384.
         * @return this.
         */
        public Builder ringSize(final int ringSize)
        {
            if (ringSize < 64 || ringSize > 16384 || Integer.bitCount(ringSize) != 1)
            {
                throw new IllegalArgumentException("ringSize must be a power of two in 64..16384, was " + ringSize);
            }
            this.ringSize = ringSize;
            return this;
        }

        /**
         * @param txCopySlots 1..65536.
         * @return this.
         */
        public Builder txCopySlots(final int txCopySlots)
        {
            if (txCopySlots < 1 || txCopySlots > 65536)
            {
                throw new IllegalArgumentException("txCopySlots must be in 1..65536, was " + txCopySlots);
            }
            this.txCopySlots = txCopySlots;
            return this;
        }

        /**
         * @param spins >= 0.
         * @return this.
         */
        public Builder busyPollSpins(final int spins)
        {
            if (spins < 0)
            {
                throw new IllegalArgumentException("busyPollSpins must be >= 0, was " + spins);
            }
            this.busyPollSpins = spins;
            return this;
        }

        /**
         * @param scatterGather see {@link XdpConfig#scatterGather()} (default true).
         * @return this.
         */
        public Builder scatterGather(final boolean scatterGather)
        {
            this.scatterGather = scatterGather;
            return this;
        }

        /**
         * @param programObject the BPF object file with the redirect program "xsk_def_prog" and its
         *        XSKMAP "xsks_map" (libxdp's layout).
         * @return this.
         */
        public Builder programObject(final Path programObject)
        {
            this.programObject = Objects.requireNonNull(programObject, "programObject");
            return this;
        }

        /**
         * @return the configuration.
         * @throws IllegalStateException if no program object was given and libxdp's is not installed.
         */
        public XdpConfig build()
        {
            if (programObject == null)
            {
                programObject = PROGRAM_SEARCH_PATH.stream().filter(Files::isReadable).findFirst().orElseThrow(() ->
                    new IllegalStateException("AF_XDP needs libxdp's redirect program xsk_def_xdp_prog.o, found in none " +
                        "of " + PROGRAM_SEARCH_PATH + ": install Debian's libxdp1 (apt-get install libxdp1)"));
            }
            return new XdpConfig(this);
        }
    }
}
