/**
 * TCP connections of the stack (RFC 9293 with MSS, window scaling, timestamps/PAWS, SACK-permitted and
 * SACK blocks on our ACKs, RFC 6298 RTO with Karn and backoff (ended by timestamp samples, RFC 7323),
 * RFC 5681 congestion control with RFC 6675 SACK loss recovery (RFC 6582 NewReno without SACK blocks),
 * RFC 3042 limited transmit, delayed ACKs, zero-window probing, RFC 5961 RST/SYN/ACK
 * checks with rate-limited challenge ACKs, keyed ISNs, SYN cookies beyond the listen backlog).
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.pktstore.stack.tcp.TcpLayer}: the {@code TransportHandler} for protocol 6. Demux by
 *       4-tuple (one long key in a primitive map), listen table, RST for closed ports, one Agrona
 *       {@code DeadlineTimerWheel} for every connection's timers, pre-allocated connection objects.</li>
 *   <li>{@link io.pktstore.stack.tcp.TcpConnection}: the TCB and its event processing: a fast path for
 *       what an established connection expects next (header prediction), the slow path of RFC 9293
 *       3.10.7's checks, the timers; every state change through one method, checked against the table in
 *       {@link io.pktstore.stack.tcp.TcpState}. Its state is grouped, one reset each: {@code SendSpace},
 *       {@code ReceiveSpace}, {@code NegotiatedOptions}, {@code ConnectionTimers}, the retransmission
 *       timer, and {@code LossRecovery} (congestion window, the {@code SackScoreboard}, RFC 6675's pipe
 *       and NextSeg).</li>
 *   <li>{@code ApplicationEvents}: what the application must hear, collected during processing and
 *       delivered by the layer when it settles the connection, after the segment (callbacks never run
 *       inside processing). {@code Transmitter}: everything a connection puts on the wire.</li>
 *   <li>{@code SendQueue}: the send/retransmission queue, a chain of packet records; segments gather
 *       from their buffers. {@code SegmentWriter}: header + options into a ring slot, checksum once.</li>
 *   <li>The out-of-order tree ({@code tcp.algo.OutOfOrderQueue}), RTO, ISN and cookie
 *       algorithms and the header/option flyweights ({@code tcp.wire}) live in their own packages.</li>
 * </ul>
 *
 * <h2>Zero-copy contract with the application</h2>
 * <ol>
 *   <li>In-order data arrives as packet records ({@link io.pktstore.stack.tcp.TcpHandler#onData});
 *       the record covers exactly the new bytes (dataOffset/dataLength/tcpSeq already trimmed of
 *       anything received before) and keeps the frame's checksum, checksum state and timestamp. The
 *       application owns it: keep it, send it, or release it to the pool.</li>
 *   <li>Delivered bytes count against the receive window until
 *       {@link io.pktstore.stack.tcp.TcpConnection#consumed} is called: that is flow control.</li>
 *   <li>{@link io.pktstore.stack.tcp.TcpConnection#sendRecords} takes ownership of as much of a record
 *       chain as the send buffer holds and transmits from the records' buffers; it returns the first
 *       record it did not take (the rest stays the caller's); records are released when acknowledged
 *       (send clones to keep the bytes). {@link io.pktstore.stack.tcp.TcpConnection#send} copies bytes once into arena
 *       buffers.</li>
 *   <li>Everything runs on the stack's thread; callbacks must not block; nothing on the per-segment
 *       path allocates (HotPathAllocationTest).</li>
 * </ol>
 *
 * <h2>Known gaps</h2>
 * No accept queue (an ESTABLISHED passive connection is handed to the listener's handler at once, the
 * backlog bounds only half-open connections); no urgent data. Loss detection is RFC 6675's with lost
 * retransmissions found by send order ({@code ResendLog}), not RACK-TLP's clock: no reordering window (a
 * reordering path would see needless resends) and no tail loss probe (a loss with nothing sent after it
 * waits for the rescue retransmission or the RTO); no PRR (RFC 6937) pacing of recovery transmissions.
 */
package io.pktstore.stack.tcp;
