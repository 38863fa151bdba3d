/**
 * TCP's pure algorithms: each class has one job, takes time as {@code nowNs}, draws randomness
 * only from a source it is given, and allocates nothing after construction.
 * <ul>
 *   <li>{@link io.pktstore.stack.tcp.algo.SequenceNumbers}: modular 32-bit comparisons (RFC 9293 3.4).</li>
 *   <li>{@link io.pktstore.stack.tcp.algo.RetransmissionTimer}: SRTT/RTTVAR/RTO, backoff, Karn,
 *       the timer itself (RFC 6298; RFC 7323 4 for timestamp samples).</li>
 *   <li>{@link io.pktstore.stack.tcp.algo.IsnGenerator} and {@link io.pktstore.stack.tcp.algo.SipHash24}:
 *       keyed initial sequence numbers (RFC 6528).</li>
 *   <li>{@link io.pktstore.stack.tcp.algo.SynCookies}: stateless handshake under SYN flood (Linux
 *       scheme, MAC-hardened; window scale and SACK in the TSval low bits).</li>
 *   <li>{@link io.pktstore.stack.tcp.algo.OutOfOrderQueue}: the receive reassembly red-black tree,
 *       living in the packet records' link words; SACK blocks (RFC 2018).</li>
 * </ul>
 * Congestion control and SACK loss recovery ({@code io.pktstore.stack.tcp.LossRecovery}) live next to
 * the scoreboard they read, in {@code io.pktstore.stack.tcp}. The connection state machine there owns
 * the TCB and decides when to call these; the contracts (what the caller must check first) are in each class comment.
 */
package io.pktstore.stack.tcp.algo;
