package io.pktstore.stack.tcp;

import io.pktstore.stack.tcp.wire.TcpHeader;
import io.pktstore.stack.tcp.wire.TcpOptions;

/**
 * One received segment, parsed and length-checked by {@link TcpLayer}: a reusable holder valid only
 * while the layer processes it. Offsets are within the arena payload buffer that holds the frame.
 */
final class InboundSegment
{
    /** Parsed options (cleared when the segment has none). */
    final TcpOptions options = new TcpOptions();
    int bufferIndex;
    long bufferAddress;
    int frameLength;
    int l3Offset;
    int l4Offset;
    long timestampNs;
    int checksumState;
    int srcIp;
    int srcPort;
    int dstPort;
    int seq;
    int ack;
    int flags;
    int window;
    int tcpChecksum;
    /** Offset of the first payload byte in the buffer. */
    int payloadOffset;
    int payloadLength;
    /** Set once a packet record has adopted the segment's buffer (it must not be reused from then on). */
    boolean bufferAdopted;

    boolean has(final int flag)
    {
        return (flags & flag) != 0;
    }

    /** @return SEG.LEN: payload bytes plus one each for SYN and FIN. */
    int sequenceLength()
    {
        return payloadLength + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
    }
}
