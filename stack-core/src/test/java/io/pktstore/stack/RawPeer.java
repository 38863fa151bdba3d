package io.pktstore.stack;

import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A test peer that sends and receives raw frames as byte arrays on a {@link FrameDevice}. */
public final class RawPeer
{
    private final FrameDevice device;
    private final UnsafeBuffer txMemory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16384, 64));
    private final TxBurst tx = new TxBurst(1, 1);
    private final RxBurst rx = new RxBurst(64);
    private final UnsafeBuffer[] rxMemory = new UnsafeBuffer[64];

    /** @param device the peer's end of the link. */
    public RawPeer(final FrameDevice device)
    {
        this.device = device;
        for (int i = 0; i < rxMemory.length; i++)
        {
            final ByteBuffer bb = BufferUtil.allocateDirectAligned(16384, 64);
            rxMemory[i] = new UnsafeBuffer(bb);
            rx.setBuffer(i, rxMemory[i].addressOffset(), 16384);
        }
    }

    /** Sends one frame; returns frames accepted (0 or 1). */
    public int send(final byte[] frame, final long nowNs)
    {
        txMemory.putBytes(0, frame);
        tx.clear();
        tx.beginFrame();
        tx.addSegment(txMemory.addressOffset(), frame.length);
        return device.transmit(tx, nowNs);
    }

    /** Receives and discards everything pending without allocating. @return frames drained. */
    public int drain(final long nowNs)
    {
        int total = 0;
        int n;
        while ((n = device.receive(rx, nowNs)) > 0)
        {
            total += n;
        }
        return total;
    }

    /** Receives everything pending. */
    public List<byte[]> receiveAll(final long nowNs)
    {
        final List<byte[]> frames = new ArrayList<>();
        int n;
        while ((n = device.receive(rx, nowNs)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                final byte[] f = new byte[rx.frameLength(i)];
                rxMemory[i].getBytes(0, f);
                frames.add(f);
            }
        }
        return frames;
    }
}
