package io.pktstore.nic.fault;

/** What a {@link FaultInjectingDevice} did, counted per frame. Plain getters; updated by the owning thread. */
public final class FaultCounters
{
    long seen;
    long dropped;
    long duplicated;
    long reordered;
    long corrupted;
    long delayed;
    long holdOverflow;

    /** @return frames that entered the injector. */
    public long seen()
    {
        return seen;
    }

    /** @return frames discarded on purpose. */
    public long dropped()
    {
        return dropped;
    }

    /** @return frames delivered a second time (each counts once). */
    public long duplicated()
    {
        return duplicated;
    }

    /** @return frames that were held back and actually overtaken by a later frame. */
    public long reordered()
    {
        return reordered;
    }

    /** @return frames with one bit flipped. */
    public long corrupted()
    {
        return corrupted;
    }

    /** @return frames held for the configured delay. */
    public long delayed()
    {
        return delayed;
    }

    /** @return duplicates not made because the hold buffers were full (the original still passes). */
    public long holdOverflow()
    {
        return holdOverflow;
    }

    @Override
    public String toString()
    {
        return "FaultCounters{seen=" + seen + ", dropped=" + dropped + ", duplicated=" + duplicated + ", reordered=" +
            reordered + ", corrupted=" + corrupted + ", delayed=" + delayed + ", holdOverflow=" + holdOverflow + '}';
    }
}
