package io.pktstore.nic.host;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stale-host sweep runs before a JVM's first host is created, possibly while other test JVMs
 * (other modules, other forks) sweep and register too: one marker it cannot read must not fail the
 * sweep, and with it the creation of every host in this JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostRegistrySweepTest
{
    @Test
    void aMarkerThatVanishedOrIsUnreadableDoesNotStopTheSweepOfTheOthers() throws Exception
    {
        final String stale = HostNames.newStem();
        final String namespace = stale + "n";
        final Path staleMarker = HostRegistry.MARKER_DIR.resolve(stale + ".owner");
        // Deleted by another sweeper between our directory listing and our read: a dangling link
        // gives exactly the NoSuchFileException such a race does.
        final Path vanished = HostRegistry.MARKER_DIR.resolve(HostNames.newStem() + ".owner");
        // Not written by this harness's marker format (e.g. a torn write by an older version).
        final Path garbled = HostRegistry.MARKER_DIR.resolve(HostNames.newStem() + ".owner");
        try
        {
            Files.createDirectories(HostRegistry.MARKER_DIR);
            Commands.check("ip", "netns", "add", namespace);
            // pid 1 is alive but started at another time: the owner recorded here is dead.
            Files.writeString(staleMarker, "pid=1\nstart=1\nnetns:" + namespace + "\n", StandardCharsets.US_ASCII);
            Files.createSymbolicLink(vanished, HostRegistry.MARKER_DIR.resolve("pks-no-such-marker"));
            Files.writeString(garbled, "pid=\nstart=\n", StandardCharsets.US_ASCII);

            final List<String> removed = HostRegistry.sweepStale();

            assertTrue(removed.contains("netns:" + namespace), removed.toString());
            assertFalse(Files.exists(Path.of("/run/netns", namespace)), "stale namespace " + namespace + " left behind");
            assertFalse(Files.exists(staleMarker), "stale marker left behind");
        }
        finally
        {
            HostRegistry.removeNamespace(namespace);
            Files.deleteIfExists(staleMarker);
            Files.deleteIfExists(vanished);
            Files.deleteIfExists(garbled);
        }
    }
}
