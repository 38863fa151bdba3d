package io.pktstore.nic.host;

/**
 * Child-process entry point for {@link VethTopologyTest}: creates a topology, prints its names, then
 * either exits normally without closing it ("exit": the shutdown hook must clean up) or waits to be
 * killed ("wait": the next run's sweep must clean up).
 */
public final class HostProbe
{
    private HostProbe()
    {
    }

    /** @param args "exit" or "wait". @throws Exception never expected. */
    public static void main(final String[] args) throws Exception
    {
        final VethTopology t = VethTopology.create("198.18.9.1/24");
        System.out.println(t.stackInterface() + " " + t.peerNamespace().name());
        System.out.flush();
        if ("wait".equals(args[0]))
        {
            Thread.sleep(60_000);
        }
        System.exit(0);
    }
}
