package io.pktstore.nic.afpacket;

/**
 * Child-process entry point for {@link AfPacketErrorsTest}: opens an AF_PACKET device on the named
 * interface and prints "OPENED" or the exception's class and message.
 */
public final class OpenProbe
{
    private OpenProbe()
    {
    }

    /** @param args the interface name. */
    public static void main(final String[] args)
    {
        try (AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder(args[0]).build()))
        {
            System.out.println("OPENED " + device.name());
        }
        catch (final RuntimeException ex)
        {
            System.out.println(ex.getClass().getName() + ": " + ex.getMessage());
            System.exit(3);
        }
    }
}
