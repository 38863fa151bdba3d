package io.pktstore.arena.sim;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import org.agrona.UnsafeApi;

/**
 * {@link SimulatedPmRegion.Model#HARDWARE}: cache-line write-back (CLWB) at persist, store fence
 * (SFENCE) at barrier, and a cache that may evict any dirty line at any time.
 *
 * <h2>State per line</h2>
 * <ul>
 *   <li>the durable content (the region's durable array);</li>
 *   <li>its <em>known versions</em>: every content the line was seen with at a simulator event
 *       since its last durable point, oldest first ({@link VersionStore}). A line with no known
 *       version is <em>clean</em>: its working content equals its durable content and has done so
 *       at every event since its last durable point. Every other line is <em>dirty</em>
 *       ({@link #dirty}) and a crash image may give it its durable content or any known version,
 *       whole or (at word granularity) word by word;</li>
 *   <li>its <em>pending snapshot</em>: the version that was current at its latest persist since
 *       the last barrier (what CLWB wrote back), or none.</li>
 * </ul>
 *
 * <h2>Events</h2>
 * <pre>
 *   observe   each line whose working content differs from its last seen content (the newest known
 *             version; the durable content for a clean line) gets that content as a new version
 *   persist   (after observe) each dirty line in the range: pending snapshot := its newest version
 *   barrier   (after observe) each line with a pending snapshot S: durable := S, and the versions
 *             up to and including S are dropped (CLWB wrote S after any earlier eviction, so no
 *             crash can bring them back); versions seen after S stay possible (the cache may have
 *             evicted them later); a line left with no version is clean again
 * </pre>
 * A line is never made clean by its content alone: written A (durable), B (seen at an event), A
 * again, it keeps B as a known version until a persist and a barrier retire it, because the cache
 * may have evicted B before A was stored again.
 *
 * <h2>Cost</h2>
 * {@link #observe()} reads the whole working and durable image once (about memory bandwidth: tens
 * of microseconds per MiB), plus the dirty lines. Persist and barrier cost the lines they touch; a
 * crash image costs one copy of the durable image plus the dirty lines and their versions.
 */
final class HardwareTracker implements LineTracker {
    private static final int LINE = SimulatedPmRegion.LINE_SIZE;
    private static final int WORDS = VersionStore.WORDS_PER_LINE;

    private final long working;
    private final byte[] durable;
    private final int lines;
    private final VersionStore versions;
    /** Lines with at least one known version. */
    private final LineSet dirty;
    /** Lines with a pending snapshot. */
    private final LineSet pending;
    /** Per line: the version node of its pending snapshot, or -1. */
    private final int[] pendingNode;
    /** Scratch for crash images: the version nodes of one line, oldest first. */
    private int[] candidates = new int[16];

    /**
     * @param working address of the working image
     * @param durable the durable image; its length is the region size
     */
    HardwareTracker(final long working, final byte[] durable) {
        this.working = working;
        this.durable = durable;
        this.lines = durable.length / LINE;
        this.versions = new VersionStore(lines, Math.min(lines, 4096));
        this.dirty = new LineSet(lines);
        this.pending = new LineSet(lines);
        this.pendingNode = new int[lines];
        Arrays.fill(pendingNode, -1);
    }

    @Override
    public void observe() {
        // Dirty lines: compare with the newest version (what the line was last seen as).
        for (int i = 0, n = dirty.size(); i < n; i++) {
            final int line = dirty.get(i);
            final long at = working + (long) line * LINE;
            if (!versions.newestEquals(line, at)) {
                versions.append(line, at);
            }
        }
        // Clean lines were last seen with their durable content: one pass over both images finds
        // the ones written since. (Dirty lines that differ were handled above.)
        for (int line = 0; line < lines; line++) {
            if (differsFromDurable(line) && !dirty.contains(line)) {
                versions.append(line, working + (long) line * LINE);
                dirty.add(line);
            }
        }
    }

    private boolean differsFromDurable(final int line) {
        final long w = working + (long) line * LINE;
        final long d = SimulatedPmRegion.ARRAY_BASE + (long) line * LINE;
        return ((UnsafeApi.getLong(w) ^ UnsafeApi.getLong(durable, d))
            | (UnsafeApi.getLong(w + 8) ^ UnsafeApi.getLong(durable, d + 8))
            | (UnsafeApi.getLong(w + 16) ^ UnsafeApi.getLong(durable, d + 16))
            | (UnsafeApi.getLong(w + 24) ^ UnsafeApi.getLong(durable, d + 24))
            | (UnsafeApi.getLong(w + 32) ^ UnsafeApi.getLong(durable, d + 32))
            | (UnsafeApi.getLong(w + 40) ^ UnsafeApi.getLong(durable, d + 40))
            | (UnsafeApi.getLong(w + 48) ^ UnsafeApi.getLong(durable, d + 48))
            | (UnsafeApi.getLong(w + 56) ^ UnsafeApi.getLong(durable, d + 56))) != 0;
    }

    @Override
    public void persist(final int firstLine, final int lastLine) {
        for (int line = firstLine; line <= lastLine; line++) {
            // A clean line's write-back would write its durable content again: nothing to do.
            if (dirty.contains(line)) {
                pendingNode[line] = versions.last(line); // observe() just made it the current content
                pending.add(line);
            }
        }
    }

    @Override
    public void barrier() {
        for (int i = 0, n = pending.size(); i < n; i++) {
            final int line = pending.get(i);
            final int snapshot = pendingNode[line];
            versions.copyTo(snapshot, durable, line * LINE);
            if (versions.dropThrough(line, snapshot) == 0) {
                dirty.remove(line);
            }
            pendingNode[line] = -1;
        }
        pending.clear();
    }

    @Override
    public void crashImage(final byte[] into, final RandomGenerator rnd, final SimulatedPmRegion.Granularity granularity) {
        System.arraycopy(durable, 0, into, 0, durable.length);
        final boolean whole = granularity == SimulatedPmRegion.Granularity.LINE;
        for (int i = 0, n = dirty.size(); i < n; i++) {
            final int line = dirty.get(i);
            final int known = gatherVersions(line);
            // Choice 0 is the durable content (already in the image), 1..known the versions.
            if (whole) {
                final int choice = rnd.nextInt(known + 1);
                if (choice > 0) {
                    versions.copyTo(candidates[choice - 1], into, line * LINE);
                }
            } else {
                final long at = SimulatedPmRegion.ARRAY_BASE + (long) line * LINE;
                for (int w = 0; w < WORDS; w++) {
                    final int choice = rnd.nextInt(known + 1);
                    if (choice > 0) {
                        UnsafeApi.putLong(into, at + (long) w * Long.BYTES, versions.word(candidates[choice - 1], w));
                    }
                }
            }
        }
    }

    private int gatherVersions(final int line) {
        final int known = versions.count(line);
        if (candidates.length < known) {
            candidates = new int[Math.max(known, candidates.length * 2)];
        }
        int k = 0;
        for (int node = versions.first(line); node >= 0; node = versions.next(node)) {
            candidates[k++] = node;
        }
        return known;
    }

    @Override
    public boolean isUnpersisted(final int line) {
        return dirty.contains(line);
    }

    @Override
    public int knownVersionCount(final int line) {
        return versions.count(line);
    }

    @Override
    public void reset() {
        for (int i = 0, n = dirty.size(); i < n; i++) {
            final int line = dirty.get(i);
            versions.clear(line);
            pendingNode[line] = -1;
        }
        dirty.clear();
        pending.clear();
    }

    /** @return versions held over all lines (diagnostics) */
    int liveVersions() {
        return versions.liveNodes();
    }
}
