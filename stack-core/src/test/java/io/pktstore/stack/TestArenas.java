package io.pktstore.stack;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;

/** Small heap-backed arenas for tests. */
public final class TestArenas
{
    private TestArenas()
    {
    }

    /**
     * @param records record count.
     * @param buffers buffer count (2 KiB each).
     * @return a formatted arena over a simulated PM region.
     */
    public static Arena arena(final int records, final int buffers)
    {
        final ArenaGeometry geometry = ArenaGeometry.of(records, buffers, ArenaGeometry.DEFAULT_BUFFER_SIZE, 0);
        final long size = (geometry.requiredBytes() + 63) / 64 * 64;
        return Arena.format(SimulatedPmRegion.create(size), geometry);
    }
}
