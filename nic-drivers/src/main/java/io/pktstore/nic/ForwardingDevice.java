package io.pktstore.nic;

import java.util.Objects;

/**
 * Base of the "middleware" devices that wrap another device (fault injection, pcap recording): it
 * forwards everything to the inner device, so a wrapper overrides only what it changes. The wrapper's
 * name says what it adds, e.g. {@code fault(pks1234s)}; its statistics are the inner device's.
 */
public abstract class ForwardingDevice implements FrameDevice
{
    /** The wrapped device; closed when this is closed. */
    protected final FrameDevice inner;
    private final String label;

    /**
     * @param inner the device to wrap.
     * @param label what this wrapper adds, used in {@link #name()}.
     */
    protected ForwardingDevice(final FrameDevice inner, final String label)
    {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.label = label;
    }

    /** @return the wrapped device. */
    public FrameDevice inner()
    {
        return inner;
    }

    @Override
    public String name()
    {
        return label + "(" + inner.name() + ")";
    }

    @Override
    public DeviceCapabilities capabilities()
    {
        return inner.capabilities();
    }

    @Override
    public DeviceStatistics statistics()
    {
        return inner.statistics();
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        return inner.receive(burst, nowNs);
    }

    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        return inner.transmit(burst, nowNs);
    }

    @Override
    public boolean awaitReadable(final long timeoutNs)
    {
        return inner.awaitReadable(timeoutNs);
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
