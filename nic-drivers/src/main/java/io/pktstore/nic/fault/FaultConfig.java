package io.pktstore.nic.fault;

/**
 * What a {@link FaultInjectingDevice} does to frames: each rate is the probability, per frame, of one
 * fault. Decisions are drawn in a fixed order (drop, corrupt, duplicate, delay, reorder) from the
 * device's seeded generator, so a seed replays the same faults for the same frame sequence.
 * Immutable; build with {@link #builder()}.
 */
public final class FaultConfig
{
    /** Which direction of the wrapped device faults apply to. */
    public enum Direction
    {
        /** Frames coming out of the inner device's receive. */
        RX,
        /** Frames given to transmit before they reach the inner device. */
        TX,
        /** Both. */
        BOTH
    }

    private final double dropRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final double corruptRate;
    private final double delayRate;
    private final long delayNs;
    private final long reorderMaxHoldNs;
    private final Direction direction;
    private final int holdFrames;
    private final int maxFrameSize;

    private FaultConfig(final Builder b)
    {
        dropRate = b.dropRate;
        duplicateRate = b.duplicateRate;
        reorderRate = b.reorderRate;
        corruptRate = b.corruptRate;
        delayRate = b.delayRate;
        delayNs = b.delayNs;
        reorderMaxHoldNs = b.reorderMaxHoldNs;
        direction = b.direction;
        holdFrames = b.holdFrames;
        maxFrameSize = b.maxFrameSize;
    }

    /** @return a builder with all rates 0 (a transparent wrapper), delay 1 ms, RX direction. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return probability a frame is dropped. */
    public double dropRate()
    {
        return dropRate;
    }

    /** @return probability a frame is delivered twice. */
    public double duplicateRate()
    {
        return duplicateRate;
    }

    /** @return probability a frame is held back until a later frame overtakes it. */
    public double reorderRate()
    {
        return reorderRate;
    }

    /** @return probability one random bit of a frame is flipped. */
    public double corruptRate()
    {
        return corruptRate;
    }

    /** @return probability a frame is delayed by {@link #delayNs()}. */
    public double delayRate()
    {
        return delayRate;
    }

    /** @return the delay given to delayed frames, measured on the injected nowNs clock. */
    public long delayNs()
    {
        return delayNs;
    }

    /** @return the longest a reordered frame waits for a later frame before it is released anyway. */
    public long reorderMaxHoldNs()
    {
        return reorderMaxHoldNs;
    }

    /** @return the direction(s) faults apply to. */
    public Direction direction()
    {
        return direction;
    }

    /** @return frames the injector can hold at once (delayed, reordered, duplicated, staged). */
    public int holdFrames()
    {
        return holdFrames;
    }

    /** @return the largest frame the injector's hold buffers take. */
    public int maxFrameSize()
    {
        return maxFrameSize;
    }

    /** Builder of {@link FaultConfig}. */
    public static final class Builder
    {
        private double dropRate;
        private double duplicateRate;
        private double reorderRate;
        private double corruptRate;
        private double delayRate;
        private long delayNs = 1_000_000L;
        private long reorderMaxHoldNs = 10_000_000L;
        private Direction direction = Direction.RX;
        private int holdFrames = 256;
        private int maxFrameSize = 2048;

        private Builder()
        {
        }

        /**
         * @param rate probability 0..1.
         * @return this.
         */
        public Builder dropRate(final double rate)
        {
            dropRate = checkRate("dropRate", rate);
            return this;
        }

        /**
         * @param rate probability 0..1.
         * @return this.
         */
        public Builder duplicateRate(final double rate)
        {
            duplicateRate = checkRate("duplicateRate", rate);
            return this;
        }

        /**
         * @param rate probability 0..1.
         * @return this.
         */
        public Builder reorderRate(final double rate)
        {
            reorderRate = checkRate("reorderRate", rate);
            return this;
        }

        /**
         * @param rate probability 0..1.
         * @return this.
         */
        public Builder corruptRate(final double rate)
        {
            corruptRate = checkRate("corruptRate", rate);
            return this;
        }

        /**
         * @param rate probability 0..1.
         * @param ns delay in ns (>= 0).
         * @return this.
         */
        public Builder delay(final double rate, final long ns)
        {
            delayRate = checkRate("delayRate", rate);
            if (ns < 0)
            {
                throw new IllegalArgumentException("delayNs must be >= 0, was " + ns);
            }
            delayNs = ns;
            return this;
        }

        /**
         * @param ns longest wait of a reordered frame (>= 0).
         * @return this.
         */
        public Builder reorderMaxHoldNs(final long ns)
        {
            if (ns < 0)
            {
                throw new IllegalArgumentException("reorderMaxHoldNs must be >= 0, was " + ns);
            }
            reorderMaxHoldNs = ns;
            return this;
        }

        /**
         * @param direction where faults apply.
         * @return this.
         */
        public Builder direction(final Direction direction)
        {
            this.direction = java.util.Objects.requireNonNull(direction, "direction");
            return this;
        }

        /**
         * @param frames hold capacity (>= 2).
         * @param maxFrameSize largest frame (>= 60).
         * @return this.
         */
        public Builder holdCapacity(final int frames, final int maxFrameSize)
        {
            if (frames < 2 || maxFrameSize < 60)
            {
                throw new IllegalArgumentException("hold capacity needs frames >= 2 and maxFrameSize >= 60, was " +
                    frames + ", " + maxFrameSize);
            }
            holdFrames = frames;
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /** @return the config. */
        public FaultConfig build()
        {
            return new FaultConfig(this);
        }

        private static double checkRate(final String what, final double rate)
        {
            if (!(rate >= 0.0 && rate <= 1.0))
            {
                throw new IllegalArgumentException(what + " must be within 0..1, was " + rate);
            }
            return rate;
        }
    }
}
