package io.pktstore.nic.xdp;

import java.nio.file.Path;

import io.pktstore.nic.testutil.MappedFrameBuffers;

/**
 * Child-JVM probe: opens an AF_XDP device on the interface over buffers in the given file, prints
 * "OPEN programId", then waits (at most a minute) to be killed. Exit 3 with the exception on failure.
 */
public final class XdpProbe
{
    private XdpProbe()
    {
    }

    /** @param args interface, buffer file. @throws Exception never on purpose. */
    public static void main(final String[] args) throws Exception
    {
        try
        {
            final MappedFrameBuffers buffers = new MappedFrameBuffers(Path.of(args[1]), 1024, 2048);
            final AfXdpDevice device = AfXdpDevice.open(XdpConfig.builder(args[0]).ringSize(256).txCopySlots(8).build(),
                buffers);
            System.out.println("OPEN " + device.programId());
            System.out.flush();
            Thread.sleep(60_000);
        }
        catch (final RuntimeException e)
        {
            System.out.println(e);
            System.exit(3);
        }
    }
}
