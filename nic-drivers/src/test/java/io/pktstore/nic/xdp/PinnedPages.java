package io.pktstore.nic.xdp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's machine-wide count of long-term page pins (FOLL_PIN), from /proc/vmstat. As root the
 * UMEM's pins are charged to no per-process counter (VmPin, VmLck stay 0), so this is where they
 * show: the acquired count grows by the UMEM's pages at registration and the released count by as
 * many when the socket is gone. Other pinners on the machine only add to both, so tests compare
 * growth, never equality.
 */
final class PinnedPages
{
    private PinnedPages()
    {
    }

    /** @return {nr_foll_pin_acquired, nr_foll_pin_released}. */
    static long[] read() throws IOException
    {
        final long[] r = new long[2];
        for (final String line : Files.readAllLines(Path.of("/proc/vmstat")))
        {
            if (line.startsWith("nr_foll_pin_acquired "))
            {
                r[0] = Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
            }
            else if (line.startsWith("nr_foll_pin_released "))
            {
                r[1] = Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        return r;
    }
}
