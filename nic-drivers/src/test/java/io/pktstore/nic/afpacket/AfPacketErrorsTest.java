package io.pktstore.nic.afpacket;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pktstore.nic.InsufficientPrivilegesException;
import io.pktstore.nic.NoSuchInterfaceException;
import io.pktstore.nic.RxBurst;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input to the AF_PACKET driver: each a typed error whose message names the cause. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketErrorsTest
{
    @Test
    void interfaceThatDoesNotExistIsNamedWithErrno()
    {
        final NoSuchInterfaceException ex = assertThrows(NoSuchInterfaceException.class,
            () -> AfPacketDevice.open(AfPacketConfig.builder("pksnosuchif0").build()));
        assertTrue(ex.getMessage().contains("'pksnosuchif0'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("ENODEV"), ex.getMessage());
    }

    @Test
    void openingWithoutCapNetRawInAChildJvmSaysSo()
    {
        // A child JVM whose capability bounding set is empty: even as uid 0 it has no CAP_NET_RAW.
        final List<String> command = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(OpenProbe.class.getName());
        command.add("lo");
        final CommandResult result = Commands.run(command);
        assertEquals(3, result.exitCode(), result.toString());
        assertTrue(result.stdout().startsWith(InsufficientPrivilegesException.class.getName()), result.toString());
        assertTrue(result.stdout().contains("CAP_NET_RAW"), result.stdout());
        assertTrue(result.stdout().contains("EPERM"), result.stdout());

        // The same probe with privileges opens the device: the failure above is the capability, nothing else.
        final List<String> privileged = new ArrayList<>(command.subList(4, command.size()));
        final CommandResult ok = Commands.run(privileged);
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(ok.stdout().startsWith("OPENED lo"), ok.toString());
    }

    @Test
    void badRingGeometryIsRefusedNamingTheRule()
    {
        final IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
            () -> AfPacketConfig.builder("lo").rxRing(5000, 4, 2048).build());
        assertTrue(block.getMessage().contains("rx block size must be a positive multiple of 4096"), block.getMessage());
        final IllegalArgumentException frame = assertThrows(IllegalArgumentException.class,
            () -> AfPacketConfig.builder("lo").txRing(4096, 4, 1000).build());
        assertTrue(frame.getMessage().contains("tx frame size must be a multiple of 16"), frame.getMessage());
        final IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
            () -> AfPacketConfig.builder("a-name-longer-than-15").build());
        assertTrue(name.getMessage().contains("1..15 characters"), name.getMessage());
    }

    /** @return lines of /proc/self/maps that map a socket (the packet rings), and open socket descriptors. */
    private static long[] socketMappingsAndFds() throws java.io.IOException
    {
        final long maps = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
            .filter(l -> l.contains("socket:")).count();
        long fds = 0;
        try (java.nio.file.DirectoryStream<java.nio.file.Path> dir =
            java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/fd")))
        {
            for (final java.nio.file.Path fd : dir)
            {
                try
                {
                    if (java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("socket:"))
                    {
                        fds++;
                    }
                }
                catch (final java.io.IOException gone)
                {
                    // the directory stream's own descriptor vanishes while we look
                }
            }
        }
        return new long[] {maps, fds};
    }

    @Test
    void closeReleasesRingsAndSocketThenRefusesUseAndIsIdempotent() throws Exception
    {
        final long[] before = socketMappingsAndFds();
        final AfPacketDevice device = AfPacketDevice.open(AfPacketConfig.builder("lo").rxRing(65536, 2, 2048)
            .txRing(65536, 1, 2048).build());
        assertTrue(device.capabilities().mtu() > 0, "MTU read from the interface");
        final long[] open = socketMappingsAndFds();
        assertEquals(before[0] + 1, open[0], "one mapping for both rings");
        assertEquals(before[1] + 1, open[1], "one packet socket");
        device.close();
        assertArrayEquals(before, socketMappingsAndFds(), "rings unmapped and socket closed");
        device.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> device.receive(new RxBurst(1), 0));
        assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
    }
}
