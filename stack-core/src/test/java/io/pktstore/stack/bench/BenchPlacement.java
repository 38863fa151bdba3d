package io.pktstore.stack.bench;

import io.pktstore.nic.internal.LibC;

import java.io.IOException;
import java.util.List;

/**
 * Where a round-trip benchmark's threads run. On a small machine the scheduler places a request's client and
 * server on one CPU (each wakes the other and waits: about 20 us here) or on two (each wake-up crosses to an
 * idle CPU: about 50 us), and a server keeps the placement it fell into for the rest of a run. Left
 * {@link #FREE}, a comparison of two servers then measures which of them fell onto the other CPU first;
 * pinned, both get the same placement: {@link #SHARED} every thread on one CPU, {@link #SPLIT} the client
 * on one CPU and the servers on another, as a server beside the CPU taking a NIC's interrupts.
 */
enum BenchPlacement
{
    /** The scheduler decides. */
    FREE,
    /** Client and servers on the last CPU. */
    SHARED,
    /** Client on CPU 0, servers on the last CPU (needs two). */
    SPLIT;

    /** The machine's CPUs, read once before anything is pinned (a pinned thread sees only its own). */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    /** @return the CPU a client runs on, or -1 for anywhere. */
    int clientCpu()
    {
        return this == FREE ? -1 : this == SHARED ? lastCpu() : 0;
    }

    /** @return the CPU a server runs on, or -1 for anywhere. */
    int serverCpu()
    {
        return this == FREE ? -1 : lastCpu();
    }

    /** Pins the calling thread to {@code cpu} (nothing for -1), with taskset on its thread id. */
    static void pinCurrentThread(final int cpu)
    {
        if (cpu < 0)
        {
            return;
        }
        final int tid = LibC.C.gettid();
        try
        {
            final Process p = new ProcessBuilder(List.of("taskset", "-pc", Integer.toString(cpu), Integer.toString(tid)))
                .redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0)
            {
                throw new IllegalStateException("taskset -pc " + cpu + " " + tid + " failed: " + out);
            }
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("taskset is needed to pin threads (util-linux)", e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int lastCpu()
    {
        if (CPUS < 2)
        {
            throw new IllegalStateException("placements SHARED and SPLIT need two CPUs, this machine has " + CPUS);
        }
        return CPUS - 1;
    }
}
