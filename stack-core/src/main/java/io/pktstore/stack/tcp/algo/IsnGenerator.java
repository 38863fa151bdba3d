package io.pktstore.stack.tcp.algo;

import java.util.random.RandomGenerator;

/**
 * Initial sequence numbers per RFC 6528 section 3:
 * <pre>
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * </pre>
 * M is a timer that ticks every 4 microseconds (RFC 9293 3.4.1), here {@code nowNs / 4000}
 * truncated to 32 bits, so successive incarnations of one 4-tuple get increasing ISNs and old
 * duplicates are rejected; F is SipHash-2-4 keyed with a 128-bit key (as Linux's
 * secure_tcp_seq), so an off-path attacker cannot predict another connection's ISN.
 * The key comes from the caller: TcpLayer draws it from a generator seeded with TcpConfig's seed, 64
 * secret bits from SecureRandom unless a test or replay fixes it (so the key holds 64 bits of entropy).
 * <p>
 * The 4-tuple is packed into the two message words as
 * {@code m0 = localIp (low 32 bits) | remoteIp << 32}, {@code m1 = localPort | remotePort << 16};
 * IPv4 addresses and ports are host-order ints as read from the headers. Stateless, allocation-free.
 */
public final class IsnGenerator
{
    /** Length of one tick of M: 4 microseconds. */
    public static final long TICK_NS = 4_000L;

    private final long k0;
    private final long k1;

    /**
     * @param k0 secret key bytes 0..7.
     * @param k1 secret key bytes 8..15.
     */
    public IsnGenerator(final long k0, final long k1)
    {
        this.k0 = k0;
        this.k1 = k1;
    }

    /**
     * @param keySource source of the 128-bit key (two longs).
     * @return a generator keyed from two longs of {@code keySource}.
     */
    public static IsnGenerator fromRandom(final RandomGenerator keySource)
    {
        return new IsnGenerator(keySource.nextLong(), keySource.nextLong());
    }

    /**
     * @param localIp    our IPv4 address.
     * @param localPort  our port.
     * @param remoteIp   peer IPv4 address.
     * @param remotePort peer port.
     * @param nowNs      caller's clock (any monotonic origin; only differences matter to M).
     * @return the ISN for a connection on this 4-tuple created now.
     */
    public int isn(final int localIp, final int localPort, final int remoteIp, final int remotePort, final long nowNs)
    {
        return clockComponent(nowNs) + secretComponent(localIp, localPort, remoteIp, remotePort);
    }

    /**
     * M of RFC 6528: a 32-bit counter ticking every 4 us.
     *
     * @param nowNs caller's clock.
     * @return M.
     */
    public static int clockComponent(final long nowNs)
    {
        return (int)(nowNs / TICK_NS);
    }

    /**
     * F of RFC 6528: the keyed hash of the 4-tuple, low 32 bits of SipHash-2-4.
     *
     * @param localIp    our IPv4 address.
     * @param localPort  our port.
     * @param remoteIp   peer IPv4 address.
     * @param remotePort peer port.
     * @return F.
     */
    public int secretComponent(final int localIp, final int localPort, final int remoteIp, final int remotePort)
    {
        final long m0 = (localIp & 0xFFFF_FFFFL) | ((long)remoteIp << 32);
        final long m1 = (localPort & 0xFFFFL) | ((remotePort & 0xFFFFL) << 16);
        return (int)SipHash24.hash16(k0, k1, m0, m1);
    }
}
