package io.pktstore.stack.tcp;

import io.pktstore.stack.ip.Gather;
import io.pktstore.stack.ip.Ipv4Output;
import io.pktstore.stack.wire.InternetChecksum;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * An {@link Ipv4Output} that keeps every TCP segment the layer emits (copied out of the gather pieces
 * at once) and checks its checksum against the pseudo header, so a test sees exactly the wire bytes.
 */
final class CapturingIpv4Output implements Ipv4Output
{
    final ArrayDeque<byte[]> segments = new ArrayDeque<>();
    final ArrayDeque<Integer> destinations = new ArrayDeque<>();
    /** Addresses of the gather pieces of every emitted segment (piece 0 = TCP header). */
    final ArrayDeque<long[]> pieceAddresses = new ArrayDeque<>();
    private final int localIp;
    private final int mtu;
    int refuseNext;

    CapturingIpv4Output(final int localIp, final int mtu)
    {
        this.localIp = localIp;
        this.mtu = mtu;
    }

    @Override
    public int localIp()
    {
        return localIp;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int send(final int dstIp, final int protocol, final Gather payload, final long nowNs)
    {
        if (refuseNext > 0)
        {
            refuseNext--;
            return TX_FULL;
        }
        if (payload.totalLength() + 20 > mtu)
        {
            throw new AssertionError("segment of " + payload.totalLength() + " bytes exceeds MTU " + mtu);
        }
        final byte[] bytes = new byte[payload.totalLength()];
        int at = 0;
        for (int i = 0; i < payload.count(); i++)
        {
            new UnsafeBuffer(payload.address(i), payload.length(i)).getBytes(0, bytes, at, payload.length(i));
            at += payload.length(i);
        }
        final int sum = InternetChecksum.sum(new UnsafeBuffer(bytes), 0, bytes.length,
            InternetChecksum.pseudoHeaderIpv4(localIp, dstIp, protocol, bytes.length));
        if (!InternetChecksum.verifies(sum))
        {
            throw new AssertionError("emitted TCP segment has a wrong checksum");
        }
        final long[] addresses = new long[payload.count()];
        for (int i = 0; i < addresses.length; i++)
        {
            addresses[i] = payload.address(i);
        }
        pieceAddresses.add(addresses);
        segments.add(bytes);
        destinations.add(dstIp);
        return SENT;
    }
}
