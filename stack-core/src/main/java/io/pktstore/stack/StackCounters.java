package io.pktstore.stack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stack's counters below TCP: one per event and one per reason a frame is dropped, so every
 * received frame is explained. Plain {@code long}s in an array indexed by the constants below,
 * written by the stack's thread only; other threads read a consistent copy through
 * {@link NetworkStack#readCounters}.
 *
 * <p>Accounting rule (tests rely on it): every received frame ends in exactly one of
 * {@link #DROP_REASONS}, or in {@link #ARP_RECEIVED_OK}, {@link #IP_DELIVERED},
 * {@link #ICMP_ECHO_REPLIED} or {@link #ICMP_IGNORED}.
 */
public final class StackCounters
{
    /** Frames received from the device. */
    public static final int RX_FRAMES = 0;
    /** Bytes received from the device. */
    public static final int RX_BYTES = 1;
    /** Drop: received into a fallback buffer because the arena had no free buffer. */
    public static final int RX_DROP_NO_ARENA_BUFFER = 2;
    /** Drop: frame shorter than an Ethernet header. */
    public static final int ETH_DROP_TRUNCATED = 3;
    /** Drop: destination MAC neither ours nor broadcast. */
    public static final int ETH_DROP_NOT_FOR_US = 4;
    /** Drop: source MAC is a group address. */
    public static final int ETH_DROP_BAD_SOURCE = 5;
    /** Drop: EtherType neither IPv4 nor ARP (IPv6, VLAN tags, LLDP, ...). */
    public static final int ETH_DROP_UNKNOWN_TYPE = 6;
    /** Drop: ARP shorter than 28 bytes. */
    public static final int ARP_DROP_TRUNCATED = 7;
    /** Drop: ARP not for Ethernet/IPv4. */
    public static final int ARP_DROP_UNSUPPORTED = 8;
    /** Drop: ARP operation neither request nor reply. */
    public static final int ARP_DROP_BAD_OPERATION = 9;
    /** Drop: ARP sender MAC is a group address or zero, or its frame source differs. */
    public static final int ARP_DROP_BAD_SENDER = 10;
    /** Drop: another host claims our IP address. */
    public static final int ARP_DROP_ADDRESS_CONFLICT = 11;
    /** Not an error: an ARP packet for another target (after merging a known sender). */
    public static final int ARP_NOT_FOR_US = 12;
    /** An ARP packet for us was processed (request answered or reply learned). */
    public static final int ARP_RECEIVED_OK = 13;
    /** ARP replies we sent. */
    public static final int ARP_REPLIES_SENT = 14;
    /** ARP requests we sent to resolve a neighbour. */
    public static final int ARP_REQUESTS_SENT = 15;
    /** Gratuitous ARP announcements we sent. */
    public static final int ARP_ANNOUNCEMENTS_SENT = 16;
    /** Neighbour entries evicted because the cache was full. */
    public static final int ARP_CACHE_EVICTIONS = 17;
    /** Neighbours given up on after the last unanswered request. */
    public static final int ARP_RESOLVE_FAILURES = 18;
    /** Drop: IPv4 shorter than 20 bytes. */
    public static final int IP_DROP_TRUNCATED = 19;
    /** Drop: version not 4. */
    public static final int IP_DROP_BAD_VERSION = 20;
    /** Drop: IHL below 5 or beyond the frame. */
    public static final int IP_DROP_BAD_HEADER_LENGTH = 21;
    /** Drop: total length below the header or beyond the frame. */
    public static final int IP_DROP_BAD_TOTAL_LENGTH = 22;
    /** Drop: header checksum failed. */
    public static final int IP_DROP_BAD_CHECKSUM = 23;
    /** Drop: destination is not our address. */
    public static final int IP_DROP_NOT_FOR_US = 24;
    /** Drop: source is a martian (0/8, 127/8, multicast, reserved, broadcast) or our own address. */
    public static final int IP_DROP_BAD_SOURCE = 25;
    /** Drop: TTL 0 (no router forwards it; RFC 1122 3.2.1.7 lets hosts accept TTL 1). */
    public static final int IP_DROP_TTL_ZERO = 26;
    /** Drop: a fragment (no reassembly; we always send with DF). */
    public static final int IP_DROP_FRAGMENT = 27;
    /** Drop: no transport registered for the protocol. */
    public static final int IP_DROP_UNKNOWN_PROTOCOL = 28;
    /** Not a drop: datagrams whose options were skipped. */
    public static final int IP_OPTIONS_SKIPPED = 29;
    /** Datagrams handed to a transport. */
    public static final int IP_DELIVERED = 30;
    /** Drop: TCP datagram shorter than a TCP header. */
    public static final int TCP_DROP_TRUNCATED = 31;
    /** Drop: TCP checksum failed in software. */
    public static final int TCP_DROP_BAD_CHECKSUM = 32;
    /** Drop: CHECKSUM_PARTIAL frame whose csum_start/csum_offset do not point at the TCP checksum. */
    public static final int TCP_DROP_BAD_PARTIAL = 33;
    /** TCP checksums trusted because the driver said hardware verified them. */
    public static final int TCP_CHECKSUM_HARDWARE = 34;
    /** TCP checksums verified in software. */
    public static final int TCP_CHECKSUM_SOFTWARE_VERIFIED = 35;
    /** TCP checksums completed in software for CHECKSUM_PARTIAL frames. */
    public static final int TCP_CHECKSUM_COMPLETED = 36;
    /** Drop: ICMP shorter than 8 bytes. */
    public static final int ICMP_DROP_TRUNCATED = 37;
    /** Drop: ICMP checksum failed. */
    public static final int ICMP_DROP_BAD_CHECKSUM = 38;
    /** Echo requests answered. */
    public static final int ICMP_ECHO_REPLIED = 39;
    /** ICMP messages of other types, accepted and ignored. */
    public static final int ICMP_IGNORED = 40;
    /** Drop: an echo reply could not be queued (TX burst gather limit). */
    public static final int ICMP_DROP_REPLY_FAILED = 41;
    /** Frames queued for transmission. */
    public static final int TX_FRAMES = 42;
    /** Frames the device did not accept (ring full). */
    public static final int TX_DROP_DEVICE_FULL = 43;
    /** Datagrams refused: no route. */
    public static final int TX_NO_ROUTE = 44;
    /** Datagrams refused: neighbour being resolved. */
    public static final int TX_NEIGHBOUR_PENDING = 45;
    /** Datagrams refused: larger than the MTU or the gather limit. */
    public static final int TX_TOO_BIG = 46;
    /** Times the TX burst filled up and was flushed before the end of the duty cycle. */
    public static final int TX_EARLY_FLUSHES = 47;
    /** Drop: a transport threw out of onDatagram (a bug; the frame is dropped, the loop goes on). */
    public static final int RX_DROP_TRANSPORT_ERROR = 48;

    /**
     * Drop: an IPv4 datagram for our unicast address arrived in a link-layer broadcast frame
     * (RFC 1122 3.3.6: silently discard; also stops broadcast-amplified echo requests).
     */
    public static final int IP_DROP_LINK_BROADCAST = 49;

    /** Datagrams copied to wait for an unresolved neighbour (Ipv4Output returned SENT for them). */
    public static final int ARP_QUEUED = 50;
    /** Waiting datagrams sent once their neighbour was resolved. */
    public static final int ARP_QUEUE_SENT = 51;
    /** Waiting datagrams dropped because resolution timed out. */
    public static final int ARP_QUEUE_DROPS = 52;
    /**
     * A transport threw out of its poll (timers, queued sends), e.g. an application callback called from
     * a timer: counted and kept as the last transport error; the duty cycle goes on.
     */
    public static final int TRANSPORT_POLL_ERRORS = 53;
    /** The duty-cycle hook threw: counted and kept as the last hook error; the duty cycle goes on. */
    public static final int CYCLE_HOOK_ERRORS = 54;

    /** Duty cycles run ({@link NetworkStack#doWork}). */
    public static final int DUTY_CYCLES = 55;
    /** Duty cycles whose receive returned at least one frame. */
    public static final int RX_BURSTS = 56;
    /** Duty cycles whose receive filled the whole burst (more frames may have waited in the ring). */
    public static final int RX_BURSTS_FULL = 57;
    /** TX flushes that handed at least one frame to the device (for AF_PACKET: one kick system call each). */
    public static final int TX_FLUSHES = 58;

    /** Number of counters. */
    public static final int COUNT = 59;

    private static final String[] NAMES = {
        "rx.frames", "rx.bytes", "rx.drop.noArenaBuffer",
        "eth.drop.truncated", "eth.drop.notForUs", "eth.drop.badSource", "eth.drop.unknownType",
        "arp.drop.truncated", "arp.drop.unsupported", "arp.drop.badOperation", "arp.drop.badSender",
        "arp.drop.addressConflict", "arp.notForUs", "arp.receivedOk", "arp.repliesSent", "arp.requestsSent",
        "arp.announcementsSent", "arp.cacheEvictions", "arp.resolveFailures",
        "ip.drop.truncated", "ip.drop.badVersion", "ip.drop.badHeaderLength", "ip.drop.badTotalLength",
        "ip.drop.badChecksum", "ip.drop.notForUs", "ip.drop.badSource", "ip.drop.ttlZero", "ip.drop.fragment",
        "ip.drop.unknownProtocol", "ip.optionsSkipped", "ip.delivered",
        "tcp.drop.truncated", "tcp.drop.badChecksum", "tcp.drop.badPartial",
        "tcp.checksum.hardware", "tcp.checksum.softwareVerified", "tcp.checksum.completed",
        "icmp.drop.truncated", "icmp.drop.badChecksum", "icmp.echoReplied", "icmp.ignored", "icmp.drop.replyFailed",
        "tx.frames", "tx.drop.deviceFull", "tx.noRoute", "tx.neighbourPending", "tx.tooBig", "tx.earlyFlushes",
        "rx.drop.transportError", "ip.drop.linkBroadcast", "arp.queued", "arp.queueSent", "arp.queueDrops",
        "transport.pollErrors", "cycleHook.errors",
        "rx.dutyCycles", "rx.bursts", "rx.burstsFull", "tx.flushes",
    };

    /** The counters that end a received frame's life as a drop (see the accounting rule). */
    public static final int[] DROP_REASONS = {
        RX_DROP_NO_ARENA_BUFFER, ETH_DROP_TRUNCATED, ETH_DROP_NOT_FOR_US, ETH_DROP_BAD_SOURCE,
        ETH_DROP_UNKNOWN_TYPE, ARP_DROP_TRUNCATED, ARP_DROP_UNSUPPORTED, ARP_DROP_BAD_OPERATION,
        ARP_DROP_BAD_SENDER, ARP_DROP_ADDRESS_CONFLICT, ARP_NOT_FOR_US, IP_DROP_TRUNCATED, IP_DROP_BAD_VERSION,
        IP_DROP_BAD_HEADER_LENGTH, IP_DROP_BAD_TOTAL_LENGTH, IP_DROP_BAD_CHECKSUM, IP_DROP_NOT_FOR_US,
        IP_DROP_BAD_SOURCE, IP_DROP_TTL_ZERO, IP_DROP_FRAGMENT, IP_DROP_UNKNOWN_PROTOCOL, TCP_DROP_TRUNCATED,
        TCP_DROP_BAD_CHECKSUM, TCP_DROP_BAD_PARTIAL, ICMP_DROP_TRUNCATED, ICMP_DROP_BAD_CHECKSUM,
        ICMP_DROP_REPLY_FAILED, RX_DROP_TRANSPORT_ERROR, IP_DROP_LINK_BROADCAST,
    };

    private final long[] values = new long[COUNT];

    static
    {
        if (NAMES.length != COUNT)
        {
            throw new AssertionError("StackCounters: " + NAMES.length + " names for " + COUNT + " counters");
        }
    }

    /** @param id a counter constant. */
    public void increment(final int id)
    {
        values[id]++;
    }

    /**
     * @param id a counter constant.
     * @param delta amount to add.
     */
    public void add(final int id, final long delta)
    {
        values[id] += delta;
    }

    /**
     * @param id a counter constant.
     * @return its value.
     */
    public long get(final int id)
    {
        return values[id];
    }

    /**
     * @param id a counter constant.
     * @return its name, e.g. "ip.drop.badChecksum".
     */
    public static String name(final int id)
    {
        return NAMES[id];
    }

    /**
     * Copies every counter (for {@link CounterSnapshot}).
     *
     * @param from source.
     * @param into destination.
     */
    public static void copy(final StackCounters from, final StackCounters into)
    {
        System.arraycopy(from.values, 0, into.values, 0, COUNT);
    }

    /** @return the sum of all {@link #DROP_REASONS}. */
    public long totalDrops()
    {
        long sum = 0;
        for (final int id : DROP_REASONS)
        {
            sum += values[id];
        }
        return sum;
    }

    /** @return name -&gt; value of every counter, in id order (allocates: not for the hot path). */
    public Map<String, Long> snapshot()
    {
        final Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++)
        {
            map.put(NAMES[i], values[i]);
        }
        return map;
    }

    /** @return the non-zero counters as "name=value" lines (allocates). */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < COUNT; i++)
        {
            if (values[i] != 0)
            {
                sb.append(NAMES[i]).append('=').append(values[i]).append('\n');
            }
        }
        return sb.toString();
    }
}
