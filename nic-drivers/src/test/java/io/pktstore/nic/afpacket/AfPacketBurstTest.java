package io.pktstore.nic.afpacket;

import java.util.concurrent.TimeUnit;

import io.pktstore.nic.DeviceStatistics;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.PacedBurst;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A paced burst of 100,000 frames over veth ({@link PacedBurst}): the device under test must deliver
 * every one, in order, byte-exact, and its counters must agree with PACKET_STATISTICS.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfPacketBurstTest
{
    private static final int FRAMES = 100_000;

    private static VethTopology topology;

    @BeforeAll
    static void createHosts()
    {
        topology = VethTopology.create("198.18.1.1/24");
    }

    @AfterAll
    static void removeHosts()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void pacedBurstOf100kFramesArrivesCompleteAndStatisticsAgreeWithKernel(final TpacketVersion version) throws Exception
    {
        try (AfPacketDevice rx = AfPacketDevice.open(AfPacketConfig.builder(topology.stackInterface())
            .version(version).v3RetireBlockTimeoutMs(1).build()))
        {
            final PacedBurst.Result result = PacedBurst.run(topology, rx, NativeFrames.burst(64, 2048).burst, FRAMES,
                (burst, slot) -> { });
            final DeviceStatistics stats = rx.statistics();
            assertEquals(FRAMES + result.others, stats.rxFrames(), "driver's rxFrames");
            assertEquals(stats.rxFrames(), stats.kernelPackets(), "kernel tp_packets = frames the driver delivered");
            assertEquals(0, stats.kernelDrops(), "kernel tp_drops");
            assertEquals(0, stats.rxDropsOversize());
            assertEquals(0, stats.kernelFreezeQueueCount());
            assertEquals(FRAMES, result.sent, "sender's txFrames");
        }
    }
}
