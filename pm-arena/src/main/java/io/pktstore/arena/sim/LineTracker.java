package io.pktstore.arena.sim;

import java.util.random.RandomGenerator;

/**
 * What a {@link SimulatedPmRegion.Model} decides: which content each 64-byte line may have in a
 * crash image, and when persisted content becomes the durable image. The region owns the working
 * memory and the durable array and calls these at its events; a tracker owns only its bookkeeping.
 */
interface LineTracker {
    /**
     * Samples the working image: records every line content the model needs to remember. Called
     * at every simulator event before anything else happens at it.
     */
    void observe();

    /** Applies a persist of lines {@code firstLine..lastLine}, after {@link #observe()}. */
    void persist(int firstLine, int lastLine);

    /** Applies a barrier, after {@link #observe()}. */
    void barrier();

    /**
     * Overwrites {@code into} (length = region size) with a crash image, after {@link #observe()}.
     */
    void crashImage(byte[] into, RandomGenerator rnd, SimulatedPmRegion.Granularity granularity);

    /** @return true if a crash now could leave line {@code line} other than its working content */
    boolean isUnpersisted(int line);

    /**
     * @return how many contents other than the durable one a crash image may pick for
     *         {@code line} (0 for a line a crash cannot change)
     */
    int knownVersionCount(int line);

    /** Forgets everything: the region just made working and durable image equal. */
    void reset();
}
