package io.pktstore.system;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed captures' client frames injected with tcpreplay onto a live veth, at their recorded
 * pace, into a node on AF_PACKET started as the recorded one was (same address, MAC and --tcp-seed,
 * whose ISNs leave out the clock): the recorded clients' segments fit the live node's sequence
 * numbers, so the sessions run again and the node ends with the recorded store.
 *
 * <p>tcpreplay sends each recorded burst of client frames only once the node has sent what the burst
 * acknowledges ({@link PacedInjector}): a recorded client cannot wait for replies as a live one does.
 *
 * <p>The node's minimum RTO is 10 s here: the recorded client's ACKs come when the injector gets to
 * them, and a timeout the recorded node never had (a pause of the busy machine) would collapse the live
 * node's congestion window and make it send other segments than the ones the recorded ACKs fit.
 *
 * <p>The client namespace's kernel holds another address than the recorded client's, so it neither
 * answers for it nor resets the node's replies (they go to the recorded client's MAC, which the node
 * learns from the injected ARP, and the kernel drops them as not its own).
 */
class LiveInjectionSystemTest
{
    static final List<String> CAPTURES = RecordCaptures.NAMES;

    @ParameterizedTest
    @FieldSource("CAPTURES")
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void tcpreplayedClientsLeaveTheRecordedStoreInALiveNode(final String name, @TempDir final Path dir) throws Exception
    {
        final Path capture = CaptureReplaySystemTest.resource(name + ".pcap", dir);
        final String expectedKeys = Files.readString(CaptureReplaySystemTest.resource(name + ".keys", dir));
        final List<CaptureFrames.Frame> clientFrames = new ArrayList<>();
        for (final CaptureFrames.Frame f : CaptureFrames.all(capture))
        {
            if (!f.source().equalsIgnoreCase(RecordCaptures.NODE_MAC))
            {
                clientFrames.add(f);
            }
        }
        int injected;
        final Path arena = Path.of("/dev/shm", "pks-inject-" + ProcessHandle.current().pid() + "-" + name + ".arena");
        Files.deleteIfExists(arena);
        try (TestHost host = new TestHost("198.18.0.9/24"))
        {
            final NodeProcess node = NodeProcess.start(host.nodeArguments(arena, "--arena-size", "32m", "--tcp-seed",
                RecordCaptures.TCP_SEED, "--mac", "auto", "--tcp-rto-min", "10s"));
            try
            {
                try (PacedInjector injector = new PacedInjector(host, RecordCaptures.NODE_MAC))
                {
                    injected = injector.inject(clientFrames);
                }
                Thread.sleep(500);   // the last segments' duty cycle
            }
            finally
            {
                assertEquals(143, node.stop());
            }
            assertEquals(expectedKeys, RecordCaptures.keysOf(arena), name + ": the live node's store differs from the recorded one\n"
                + node.output());
            System.out.printf("LiveInjectionSystemTest: %s: %d client frames injected by tcpreplay in %d bursts, %d keys "
                + "identical%n", name, clientFrames.size(), injected, expectedKeys.lines().count());
        }
        finally
        {
            Files.deleteIfExists(arena);
        }
    }
}
