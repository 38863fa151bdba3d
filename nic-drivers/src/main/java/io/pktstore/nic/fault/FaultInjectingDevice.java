package io.pktstore.nic.fault;

import java.util.SplittableRandom;

import io.pktstore.nic.ForwardingDevice;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.internal.Frames;

/**
 * Wraps any {@link FrameDevice} and drops, duplicates, reorders, corrupts (one bit flip) and delays
 * frames at seeded random, each at its configured rate ({@link FaultConfig}), counting what it did
 * ({@link #counters()}). Delay and reorder run on the injected {@code nowNs}: a delayed RX frame is
 * returned by the first receive call with {@code nowNs >= arrival + delayNs}; delayed TX frames are
 * passed to the inner device by a later transmit or receive call (an empty transmit flushes).
 *
 * <p>Frames are staged in the injector's own pre-allocated slots, so nothing is allocated per frame.
 * {@link #statistics()} is the inner device's: the injector's effect is in {@link #counters()}.
 */
public final class FaultInjectingDevice extends ForwardingDevice
{
    private final FaultConfig config;
    private final FaultCounters counters = new FaultCounters();
    private final FaultStage rxStage;
    private final FaultStage txStage;
    private final RxBurst innerRx;
    private final TxBurst innerTx;
    private final int[] slotOfRx;

    /**
     * @param inner the device to wrap; closed when this is closed.
     * @param config rates and direction.
     * @param seed seed of the generator all fault decisions come from.
     */
    public FaultInjectingDevice(final FrameDevice inner, final FaultConfig config, final long seed)
    {
        super(inner, "fault");
        this.config = java.util.Objects.requireNonNull(config, "config");
        if (inner.capabilities().receivesInPlace() && config.direction() != FaultConfig.Direction.TX)
        {
            // Held and duplicated frames are copies in the injector's own memory, not the owner's buffers.
            throw new IllegalArgumentException("receive-side fault injection copies frames, so it cannot wrap " +
                inner.name() + ", which hands over its own buffers: inject faults on TX only, or on another device");
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final FaultConfig.Direction d = config.direction();
        rxStage = d != FaultConfig.Direction.TX ? new FaultStage(config, random.split(), counters) : null;
        txStage = d != FaultConfig.Direction.RX ? new FaultStage(config, random.split(), counters) : null;
        final int burst = Math.max(1, config.holdFrames() / 4);
        innerRx = new RxBurst(burst);
        slotOfRx = new int[burst];
        innerTx = new TxBurst(1, 1);
    }

    /** @return what the injector did so far. */
    public FaultCounters counters()
    {
        return counters;
    }

    /** @return the configuration. */
    public FaultConfig config()
    {
        return config;
    }

    @Override
    public int receive(final RxBurst burst, final long nowNs)
    {
        if (txStage != null)
        {
            flushTx(nowNs);
        }
        if (rxStage == null)
        {
            return inner.receive(burst, nowNs);
        }
        pullFromInner(nowNs);
        int n = 0;
        while (n < burst.capacity() && rxStage.nextDue(nowNs))
        {
            final int length = rxStage.outLength();
            if (length > burst.bufferCapacity(n))
            {
                inner.statistics().onRxOversize();
                continue;
            }
            Frames.copy(rxStage.outAddress(), burst.bufferAddress(n), length);
            burst.setFrame(n, length, length, rxStage.outTimestamp(), rxStage.outChecksum(), rxStage.outCsumStart(),
                rxStage.outCsumOffset());
            n++;
        }
        rxStage.recycleOut();
        return n;
    }

    private void pullFromInner(final long nowNs)
    {
        // Pull a full inner burst only when every pulled frame could also be duplicated.
        final int room = innerRx.capacity();
        if (rxStage.freeSlots() < 2 * room)
        {
            return;
        }
        for (int i = 0; i < room; i++)
        {
            final int slot = rxStage.takeSlot();
            innerRx.setBuffer(i, rxStage.slotAddress(slot), rxStage.slotSize());
            slotOfRx[i] = slot;
        }
        final int got = inner.receive(innerRx, nowNs);
        for (int i = 0; i < got; i++)
        {
            rxStage.offer(slotOfRx[i], innerRx.frameLength(i), innerRx.timestampNs(i), innerRx.checksumStatus(i),
                innerRx.csumStart(i), innerRx.csumOffset(i), nowNs);
        }
        for (int i = got; i < room; i++)
        {
            rxStage.giveBack(slotOfRx[i]);
        }
    }

    @Override
    public int transmit(final TxBurst burst, final long nowNs)
    {
        if (txStage == null)
        {
            return inner.transmit(burst, nowNs);
        }
        final int frames = burst.frameCount();
        int accepted = 0;
        for (; accepted < frames; accepted++)
        {
            final int length = burst.frameLength(accepted);
            if (length > txStage.slotSize())
            {
                inner.statistics().onTxOversize();
                continue;
            }
            if (txStage.freeSlots() < 2)
            {
                break;
            }
            final int slot = txStage.takeSlot();
            Frames.gather(burst, accepted, txStage.slotAddress(slot));
            // On TX the checksum fields carry the caller's completion request, if any.
            txStage.offer(slot, length, nowNs, 0, burst.checksumStart(accepted), burst.checksumOffset(accepted), nowNs);
        }
        if (accepted < frames)
        {
            inner.statistics().onTxRingFull(frames - accepted);
        }
        flushTx(nowNs);
        return accepted;
    }

    private void flushTx(final long nowNs)
    {
        while (txStage.nextDue(nowNs))
        {
            innerTx.clear();
            innerTx.beginFrame();
            innerTx.addSegment(txStage.outAddress(), txStage.outLength());
            if (txStage.outCsumStart() >= 0)
            {
                innerTx.requestChecksum(txStage.outCsumStart(), txStage.outCsumOffset());
            }
            if (inner.transmit(innerTx, nowNs) == 0)
            {
                txStage.unreadOut(nowNs);
                return;
            }
        }
        txStage.recycleOut();
    }

    @Override
    public boolean awaitReadable(final long timeoutNs)
    {
        if (rxStage != null && rxStage.pendingCount() > 0)
        {
            return true;
        }
        return inner.awaitReadable(timeoutNs);
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
