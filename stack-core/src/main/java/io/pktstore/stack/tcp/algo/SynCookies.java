package io.pktstore.stack.tcp.algo;

import java.util.random.RandomGenerator;

/**
 * Stateless SYN cookies in the Linux style (net/ipv4/syncookies.c), used when the SYN backlog is
 * full: the SYN-ACK's sequence number encodes everything needed to create the connection when
 * the final ACK of the handshake returns, so a SYN flood costs no memory.
 *
 * <pre>
 *   cookie = H1(4-tuple) + peerIsn + (count &lt;&lt; 24) + data          (mod 2^32)
 *
 *    31         24 23                                   3 2     0
 *   +-------------+--------------------------------------+-------+
 *   | count (8 b) |  MAC(4-tuple, count, peerIsn, idx)   |  idx  |   = cookie - H1 - peerIsn
 *   |             |  low 21 bits                         | 3 bits|
 *   +-------------+--------------------------------------+-------+
 * </pre>
 * H1 and MAC are SipHash-2-4 under two independent 128-bit keys. {@code count} is a time counter of
 * {@link #PERIOD_NS} (64 s) slots; a cookie validates while its count is the current one or one of
 * the previous {@code maxAgeSlots - 1} (Linux: MAX_SYNCOOKIE_AGE = 2, i.e. 64..128 s of validity).
 * {@code idx} indexes an 8-entry MSS table.
 * <p>
 * Validation subtracts H1 + peerIsn, reads count from the top 8 bits and checks its age, then
 * recomputes the MAC for that count, peer ISN and the encoded idx. A forged cookie passes with
 * probability 2^-21 per guess, the same as Linux's 24-bit field with 2 index bits; unlike Linux's
 * additive encoding, the MAC also covers the MSS index and the peer's ISN, so a valid cookie with a
 * few low bits changed (or replayed with a shifted sequence number) does not validate to another MSS.
 * <p>
 * The cookie cannot hold window scale or SACK-permitted. As Linux does
 * (cookie_init_timestamp), when the peer sent timestamps they ride in the low 6 bits of our TSval
 * and come back in the ACK's TSecr: {@link #encodeTimestamp}, {@link #decodeWindowScale},
 * {@link #decodeSackPermitted}. Without timestamps, a cookie connection has no window scaling and
 * no SACK. Allocation-free.
 */
public final class SynCookies
{
    /** Length of one time slot of the cookie counter: 64 s. */
    public static final long PERIOD_NS = 64_000_000_000L;
    /** Linux's MAX_SYNCOOKIE_AGE: the current slot and the previous one are accepted. */
    public static final int DEFAULT_MAX_AGE_SLOTS = 2;
    /** Bits of the cookie below the counter. */
    public static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    private static final int INDEX_BITS = 3;
    private static final int INDEX_MASK = (1 << INDEX_BITS) - 1;
    private static final int MAC_MASK = COOKIE_MASK >>> INDEX_BITS;
    /** Bits of TSval that carry the options: 4 window scale, 1 SACK, 1 ECN (Linux TSBITS). */
    public static final int TS_OPTION_BITS = 6;
    private static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    private static final int TS_WSCALE_MASK = 0x0F;
    private static final int TS_SACK = 1 << 4;

    /** {@link #decodeWindowScale}: the peer offered no window scale. */
    public static final int NO_WINDOW_SCALE = -1;
    /** {@link #validate}: the cookie is forged, corrupted, or too old. */
    public static final int INVALID = -1;

    private static final int[] MSS_TABLE = {536, 1200, 1300, 1360, 1400, 1440, 1460, 8960};

    private final long h1k0;
    private final long h1k1;
    private final long h2k0;
    private final long h2k1;
    private final int maxAgeSlots;

    /**
     * @param keySource   source of the two 128-bit keys (TcpLayer: a generator seeded from TcpConfig's secret seed).
     * @param maxAgeSlots slots accepted, 1..255 (1 = current slot only).
     */
    public SynCookies(final RandomGenerator keySource, final int maxAgeSlots)
    {
        if (maxAgeSlots < 1 || maxAgeSlots > 255)
        {
            throw new IllegalArgumentException("maxAgeSlots " + maxAgeSlots + " outside 1..255");
        }
        this.h1k0 = keySource.nextLong();
        this.h1k1 = keySource.nextLong();
        this.h2k0 = keySource.nextLong();
        this.h2k1 = keySource.nextLong();
        this.maxAgeSlots = maxAgeSlots;
    }

    /**
     * @param keySource source of the secrets. Accepts the current and previous slot (Linux).
     */
    public SynCookies(final RandomGenerator keySource)
    {
        this(keySource, DEFAULT_MAX_AGE_SLOTS);
    }

    /** @return how many MSS values a cookie can encode. */
    public static int mssTableSize()
    {
        return MSS_TABLE.length;
    }

    /**
     * @param index 0 .. {@link #mssTableSize()} - 1.
     * @return that MSS.
     */
    public static int mssAt(final int index)
    {
        return MSS_TABLE[index];
    }

    /**
     * Index of the largest table MSS not above the peer's MSS; 0 (536) when the peer's is smaller, as Linux.
     *
     * @param peerMss MSS the peer announced in its SYN (536 if it sent none, RFC 9293 3.7.1).
     * @return the table index.
     */
    public static int mssIndex(final int peerMss)
    {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && peerMss < MSS_TABLE[i])
        {
            i--;
        }
        return i;
    }

    /**
     * @param nowNs caller's clock.
     * @return the current cookie time counter (64 s slots), 8 bits used.
     */
    public static int timeCounter(final long nowNs)
    {
        return (int)(nowNs / PERIOD_NS);
    }

    /**
     * Makes the cookie to use as our ISN in the SYN-ACK.
     *
     * @param localIp    our IPv4 address.
     * @param localPort  our port.
     * @param remoteIp   peer IPv4 address.
     * @param remotePort peer port.
     * @param peerIsn    SEG.SEQ of the peer's SYN.
     * @param peerMss    MSS from the peer's SYN (536 if absent).
     * @param nowNs      caller's clock.
     * @return the ISN to send. {@link #mssAt}({@link #mssIndex}(peerMss)) is the MSS it encodes.
     */
    public int encode(
        final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int peerIsn, final int peerMss, final long nowNs)
    {
        final int count = timeCounter(nowNs) & 0xFF;
        final int index = mssIndex(peerMss);
        final int data = (mac(localIp, localPort, remoteIp, remotePort, peerIsn, count, index) << INDEX_BITS) | index;
        return h1(localIp, localPort, remoteIp, remotePort) + peerIsn + (count << COOKIE_BITS) + data;
    }

    /**
     * Checks the cookie returned in the handshake's final ACK.
     *
     * @param localIp    our IPv4 address.
     * @param localPort  our port.
     * @param remoteIp   peer IPv4 address.
     * @param remotePort peer port.
     * @param peerIsn    the peer's ISN: SEG.SEQ - 1 of the ACK (its SYN took one sequence number).
     * @param cookie     our ISN as echoed: SEG.ACK - 1.
     * @param nowNs      caller's clock.
     * @return the encoded MSS, or {@link #INVALID} if forged, corrupted or older than the accepted slots.
     */
    public int validate(
        final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int peerIsn, final int cookie, final long nowNs)
    {
        final int count = timeCounter(nowNs) & 0xFF;
        final int reduced = cookie - (h1(localIp, localPort, remoteIp, remotePort) + peerIsn);
        final int cookieCount = reduced >>> COOKIE_BITS;
        final int age = (count - cookieCount) & 0xFF;
        if (age >= maxAgeSlots)
        {
            return INVALID;
        }
        final int index = reduced & INDEX_MASK;
        final int mac = (reduced & COOKIE_MASK) >>> INDEX_BITS;
        if (mac != mac(localIp, localPort, remoteIp, remotePort, peerIsn, cookieCount, index))
        {
            return INVALID;
        }
        return MSS_TABLE[index];
    }

    private int h1(final int localIp, final int localPort, final int remoteIp, final int remotePort)
    {
        return (int)SipHash24.hash16(h1k0, h1k1, tupleWord(localIp, remoteIp), portWord(localPort, remotePort, 0));
    }

    private int mac(
        final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int peerIsn, final int count, final int index)
    {
        final long m1 = portWord(localPort, remotePort, count) | ((long)index << 40);
        return (int)SipHash24.hash24(h2k0, h2k1, tupleWord(localIp, remoteIp), m1, peerIsn & 0xFFFF_FFFFL) & MAC_MASK;
    }

    private static long tupleWord(final int localIp, final int remoteIp)
    {
        return (localIp & 0xFFFF_FFFFL) | ((long)remoteIp << 32);
    }

    private static long portWord(final int localPort, final int remotePort, final int count)
    {
        return (localPort & 0xFFFFL) | ((remotePort & 0xFFFFL) << 16) | ((long)count << 32);
    }

    /**
     * TSval for a cookie SYN-ACK, carrying the options the cookie cannot (Linux cookie_init_timestamp):
     * low 4 bits the peer's window shift (0xF = none), bit 4 SACK-permitted; bit 5 (ECN) is 0. The
     * value never exceeds {@code tsNow} so the peer sees a clock that does not jump forward.
     *
     * @param tsNow           our timestamp clock now.
     * @param peerWindowScale the shift the peer offered (0..14), or {@link #NO_WINDOW_SCALE}.
     * @param sackPermitted   whether the peer sent SACK-permitted.
     * @return the TSval to send.
     */
    public static int encodeTimestamp(final int tsNow, final int peerWindowScale, final boolean sackPermitted)
    {
        int options = peerWindowScale < 0 ? TS_WSCALE_MASK : Math.min(peerWindowScale, 14);
        if (sackPermitted)
        {
            options |= TS_SACK;
        }
        int ts = (tsNow & ~TS_OPTION_MASK) | options;
        if (Integer.compareUnsigned(ts, tsNow) > 0)
        {
            ts -= 1 << TS_OPTION_BITS;
        }
        return ts;
    }

    /**
     * @param tsEcr TSecr of the handshake's final ACK (our cookie TSval echoed).
     * @return the peer's window shift 0..14, or {@link #NO_WINDOW_SCALE} (all four bits set: 15 is
     *         never a valid shift, RFC 7323 2.3, so it doubles as "none").
     */
    public static int decodeWindowScale(final int tsEcr)
    {
        final int shift = tsEcr & TS_WSCALE_MASK;
        return shift == TS_WSCALE_MASK ? NO_WINDOW_SCALE : shift;
    }

    /**
     * @param tsEcr TSecr of the handshake's final ACK.
     * @return whether the peer had offered SACK-permitted.
     */
    public static boolean decodeSackPermitted(final int tsEcr)
    {
        return (tsEcr & TS_SACK) != 0;
    }
}
