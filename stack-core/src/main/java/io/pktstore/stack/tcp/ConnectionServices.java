package io.pktstore.stack.tcp;

import io.pktstore.stack.record.PacketRecordPool;

/**
 * What every connection of one {@link TcpLayer} shares, handed to each connection once when the layer
 * pre-allocates it: settings, the record pool, counters, the segment writer, the deferred record release,
 * the challenge-ACK budget, the timestamp clock, and the {@link TcpConnection.Owner} that settles a
 * connection after an application call. Single-threaded.
 */
final class ConnectionServices
{
    final TcpConfig config;
    final PacketRecordPool pool;
    final TcpCounters counters;
    final SegmentWriter writer;
    final DeferredRecordRelease deferredRelease;
    final ChallengeAckLimiter challengeAcks;
    final TcpConnection.Owner owner;
    private final int tsOffset;

    ConnectionServices(
        final TcpConfig config,
        final PacketRecordPool pool,
        final TcpCounters counters,
        final SegmentWriter writer,
        final DeferredRecordRelease deferredRelease,
        final int tsOffset,
        final TcpConnection.Owner owner)
    {
        this.config = config;
        this.pool = pool;
        this.counters = counters;
        this.writer = writer;
        this.deferredRelease = deferredRelease;
        this.challengeAcks = new ChallengeAckLimiter(config, counters);
        this.tsOffset = tsOffset;
        this.owner = owner;
    }

    /** Our timestamp clock (RFC 7323): milliseconds plus a keyed offset. */
    int tsNow(final long nowNs)
    {
        return (int)(nowNs / 1_000_000L) + tsOffset;
    }

    /** @return the MSS we announce: MTU minus the 20-byte IPv4 and 20-byte TCP headers. */
    int localMss()
    {
        return writer.mtu() - 40;
    }
}
