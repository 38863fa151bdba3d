package io.pktstore.stack;

import io.pktstore.stack.wire.Ipv4Address;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Immutable configuration of one {@link NetworkStack}. Build with {@link #builder()}; every value is
 * checked in {@link Builder#build()} and a bad one is refused with a message naming it.
 */
public final class StackConfig
{
    /** How the agent's thread waits when a duty cycle found no work. */
    public enum IdleMode
    {
        /** Spin: lowest latency, one core at 100%. */
        BUSY_SPIN,
        /** Spin, then yield, then park with growing sleeps: low CPU when idle, up to 1 ms late on wake-up. */
        BACKOFF,
        /**
         * Block on the device as soon as a duty cycle finds no work, until a frame may be readable or the
         * stack's next timer is due (at most {@link #DEVICE_WAIT_MAX_BLOCK_NS}), as a kernel server blocks in
         * epoll: no CPU when idle, a wake-up on the frame, and no spins or yields that would make the scheduler
         * let the thread wait behind CPU-bound work on a shared core; see {@link DeviceWaitIdleStrategy}. The
         * mode for a node that shares its machine.
         */
        DEVICE_WAIT;

        /**
         * {@link #DEVICE_WAIT}'s spin after the last work: none. With a CPU-bound process on the machine a
         * 50 us spin gave a round-trip p99 2.6 to 32 times the kernel's in StackVsKernelBenchmark, no spin
         * 1.0 to 2.6 times, at the same median.
         */
        static final long DEVICE_WAIT_SPIN_NS = 0;

        /**
         * {@link #DEVICE_WAIT}'s longest block when no timer is due sooner: how late work handed to the stack's
         * thread from elsewhere (a task queue polled in the duty cycle) or a stop request may be noticed. Timers
         * do not wait for it ({@link NetworkStack#quietWaitNs}).
         */
        public static final long DEVICE_WAIT_MAX_BLOCK_NS = TimeUnit.MILLISECONDS.toNanos(10);

        /**
         * @return a new idle strategy of this kind.
         * @throws IllegalStateException for {@link #DEVICE_WAIT}, which needs the stack: use
         *         {@link #newIdleStrategy(NetworkStack)}.
         */
        public IdleStrategy newIdleStrategy()
        {
            switch (this)
            {
                case BUSY_SPIN:
                    return new BusySpinIdleStrategy();
                case BACKOFF:
                    return new BackoffIdleStrategy(64, 64, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
                default:
                    throw new IllegalStateException(this + " waits on the stack's device: call newIdleStrategy(stack)");
            }
        }

        /**
         * @param stack the stack the strategy idles (its device and timers: used by {@link #DEVICE_WAIT} only).
         * @return a new idle strategy of this kind.
         */
        public IdleStrategy newIdleStrategy(final NetworkStack stack)
        {
            return this == DEVICE_WAIT ? new DeviceWaitIdleStrategy(stack.device(), DEVICE_WAIT_SPIN_NS,
                DEVICE_WAIT_MAX_BLOCK_NS, stack::quietWaitNs) : newIdleStrategy();
        }
    }

    private final long mac;
    private final int ip;
    private final int prefixLength;
    private final int gateway;
    private final int mtu;
    private final int rxBurst;
    private final int txBurst;
    private final int maxGatherPieces;
    private final int ttl;
    private final int neighbourCapacity;
    private final long neighbourTtlNs;
    private final long arpRetryIntervalNs;
    private final int arpMaxRequests;
    private final IdleMode idleMode;

    private StackConfig(final Builder b)
    {
        mac = b.mac;
        ip = b.ip;
        prefixLength = b.prefixLength;
        gateway = b.gateway;
        mtu = b.mtu;
        rxBurst = b.rxBurst;
        txBurst = b.txBurst;
        maxGatherPieces = b.maxGatherPieces;
        ttl = b.ttl;
        neighbourCapacity = b.neighbourCapacity;
        neighbourTtlNs = b.neighbourTtlNs;
        arpRetryIntervalNs = b.arpRetryIntervalNs;
        arpMaxRequests = b.arpMaxRequests;
        idleMode = b.idleMode;
    }

    /** @return a builder with defaults (MTU 1500, bursts 32, neighbour TTL 60 s, ARP retry 1 s x 3, BACKOFF). */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return our MAC. */
    public long mac()
    {
        return mac;
    }

    /** @return our IPv4 address (host int). */
    public int ip()
    {
        return ip;
    }

    /** @return the subnet prefix length. */
    public int prefixLength()
    {
        return prefixLength;
    }

    /** @return the default gateway, or 0 for none (then only the subnet is reachable). */
    public int gateway()
    {
        return gateway;
    }

    /** @return the IP MTU. */
    public int mtu()
    {
        return mtu;
    }

    /** @return frames per receive call. */
    public int rxBurst()
    {
        return rxBurst;
    }

    /** @return frames per transmit call (the TX burst is flushed early when full). */
    public int txBurst()
    {
        return txBurst;
    }

    /** @return the most payload pieces one {@link io.pktstore.stack.ip.Gather} sent may have. */
    public int maxGatherPieces()
    {
        return maxGatherPieces;
    }

    /** @return TTL of datagrams we send. */
    public int ttl()
    {
        return ttl;
    }

    /** @return the neighbour cache's capacity in entries. */
    public int neighbourCapacity()
    {
        return neighbourCapacity;
    }

    /** @return how long a learned neighbour is used without re-confirmation. */
    public long neighbourTtlNs()
    {
        return neighbourTtlNs;
    }

    /** @return the least time between two ARP requests for the same neighbour. */
    public long arpRetryIntervalNs()
    {
        return arpRetryIntervalNs;
    }

    /** @return unanswered requests after which a neighbour is given up (counted, and retried later from scratch). */
    public int arpMaxRequests()
    {
        return arpMaxRequests;
    }

    /** @return the idle mode of the runner thread. */
    public IdleMode idleMode()
    {
        return idleMode;
    }

    @Override
    public String toString()
    {
        return "StackConfig{mac=" + MacAddress.toString(mac) + ", ip=" + Ipv4Address.toString(ip) + "/" + prefixLength +
            ", gateway=" + Ipv4Address.toString(gateway) + ", mtu=" + mtu + ", rxBurst=" + rxBurst +
            ", txBurst=" + txBurst + ", idle=" + idleMode + "}";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder
    {
        private long mac = -1;
        private int ip;
        private int prefixLength = 24;
        private int gateway;
        private int mtu = 1500;
        private int rxBurst = 32;
        private int txBurst = 32;
        private int maxGatherPieces = 8;
        private int ttl = 64;
        private int neighbourCapacity = 256;
        private long neighbourTtlNs = TimeUnit.SECONDS.toNanos(60);
        private long arpRetryIntervalNs = TimeUnit.SECONDS.toNanos(1);
        private int arpMaxRequests = 3;
        private IdleMode idleMode = IdleMode.BACKOFF;

        private Builder()
        {
        }

        /**
         * @param mac our MAC (unicast, non-zero).
         * @return this.
         */
        public Builder mac(final long mac)
        {
            this.mac = mac;
            return this;
        }

        /**
         * @param mac our MAC as "aa:bb:cc:dd:ee:ff".
         * @return this.
         */
        public Builder mac(final String mac)
        {
            return mac(MacAddress.parse(mac));
        }

        /**
         * @param ip our address.
         * @param prefixLength subnet prefix 1..32.
         * @return this.
         */
        public Builder ip(final int ip, final int prefixLength)
        {
            this.ip = ip;
            this.prefixLength = prefixLength;
            return this;
        }

        /**
         * @param cidr our address as "198.18.0.1/24".
         * @return this.
         */
        public Builder ip(final String cidr)
        {
            final int slash = cidr.indexOf('/');
            if (slash < 0)
            {
                throw new IllegalArgumentException("ip must be address/prefix, e.g. 198.18.0.1/24, was '" + cidr + "'");
            }
            final int prefix;
            try
            {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
            }
            return ip(Ipv4Address.parse(cidr.substring(0, slash)), prefix);
        }

        /**
         * @param gateway default gateway, 0 for none.
         * @return this.
         */
        public Builder gateway(final int gateway)
        {
            this.gateway = gateway;
            return this;
        }

        /**
         * @param mtu IP MTU, 576..9000.
         * @return this.
         */
        public Builder mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        /**
         * @param rxBurst frames per receive, 1..1024.
         * @return this.
         */
        public Builder rxBurst(final int rxBurst)
        {
            this.rxBurst = rxBurst;
            return this;
        }

        /**
         * @param txBurst frames per transmit, 1..1024.
         * @return this.
         */
        public Builder txBurst(final int txBurst)
        {
            this.txBurst = txBurst;
            return this;
        }

        /**
         * @param maxGatherPieces payload pieces per datagram, 1..64.
         * @return this.
         */
        public Builder maxGatherPieces(final int maxGatherPieces)
        {
            this.maxGatherPieces = maxGatherPieces;
            return this;
        }

        /**
         * @param ttl TTL of datagrams we send, 1..255.
         * @return this.
         */
        public Builder ttl(final int ttl)
        {
            this.ttl = ttl;
            return this;
        }

        /**
         * @param capacity neighbour cache entries, 1..65536.
         * @return this.
         */
        public Builder neighbourCapacity(final int capacity)
        {
            this.neighbourCapacity = capacity;
            return this;
        }

        /**
         * @param ttlNs neighbour lifetime before re-confirmation, &gt; 0.
         * @return this.
         */
        public Builder neighbourTtlNs(final long ttlNs)
        {
            this.neighbourTtlNs = ttlNs;
            return this;
        }

        /**
         * @param intervalNs least time between ARP requests for one neighbour, &gt; 0.
         * @return this.
         */
        public Builder arpRetryIntervalNs(final long intervalNs)
        {
            this.arpRetryIntervalNs = intervalNs;
            return this;
        }

        /**
         * @param maxRequests unanswered requests before giving up, 1..100.
         * @return this.
         */
        public Builder arpMaxRequests(final int maxRequests)
        {
            this.arpMaxRequests = maxRequests;
            return this;
        }

        /**
         * @param mode idle mode of the runner.
         * @return this.
         */
        public Builder idleMode(final IdleMode mode)
        {
            this.idleMode = mode;
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws IllegalArgumentException naming the first bad value.
         */
        public StackConfig build()
        {
            if (mac < 0 || mac == 0 || mac > MacAddress.BROADCAST || MacAddress.isMulticast(mac))
            {
                throw new IllegalArgumentException("mac must be a unicast, non-zero 48-bit address, was " +
                    (mac < 0 ? "unset" : MacAddress.toString(mac)));
            }
            if (ip == 0 || Ipv4Address.isMartianSource(ip))
            {
                throw new IllegalArgumentException("ip must be a unicast address, was " + Ipv4Address.toString(ip));
            }
            if (prefixLength < 1 || prefixLength > 32)
            {
                throw new IllegalArgumentException("prefixLength must be 1..32, was " + prefixLength);
            }
            if (gateway != 0 && (gateway & Ipv4Address.netmask(prefixLength)) != (ip & Ipv4Address.netmask(prefixLength)))
            {
                throw new IllegalArgumentException("gateway " + Ipv4Address.toString(gateway) + " is not on our subnet " +
                    Ipv4Address.toString(ip) + "/" + prefixLength);
            }
            check("mtu", mtu, 576, 9000);
            check("rxBurst", rxBurst, 1, 1024);
            check("txBurst", txBurst, 1, 1024);
            check("maxGatherPieces", maxGatherPieces, 1, 64);
            check("ttl", ttl, 1, 255);
            check("neighbourCapacity", neighbourCapacity, 1, 65536);
            check("arpMaxRequests", arpMaxRequests, 1, 100);
            if (neighbourTtlNs <= 0 || arpRetryIntervalNs <= 0)
            {
                throw new IllegalArgumentException("neighbourTtlNs and arpRetryIntervalNs must be > 0, were " +
                    neighbourTtlNs + ", " + arpRetryIntervalNs);
            }
            if (idleMode == null)
            {
                throw new IllegalArgumentException("idleMode must be set");
            }
            return new StackConfig(this);
        }

        private static void check(final String name, final int value, final int min, final int max)
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + value);
            }
        }
    }
}
