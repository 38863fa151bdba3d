package io.pktstore.stack;

import io.pktstore.arena.Arena;
import io.pktstore.nic.mem.InMemoryDevice;
import io.pktstore.nic.mem.InMemoryLink;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static io.pktstore.stack.NetworkStackTest.ETH_ARP;
import static io.pktstore.stack.NetworkStackTest.OUR_IP;
import static io.pktstore.stack.NetworkStackTest.OUR_MAC;
import static io.pktstore.stack.NetworkStackTest.PEER_IP;
import static io.pktstore.stack.NetworkStackTest.PEER_MAC;
import static io.pktstore.stack.TestFrames.arp;
import static io.pktstore.stack.TestFrames.ethernet;
import static io.pktstore.stack.TestFrames.padded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeviceWaitIdleStrategyTest
{
    @Test
    void spinsThenYieldsThenWaitsOnTheDeviceAndWorkResetsIt()
    {
        final InMemoryLink link = InMemoryLink.pair();
        final int[] waits = {0};
        final InMemoryDevice device = link.a();
        final IdleStrategy idle = new DeviceWaitIdleStrategy(new CountingDevice(device, waits), 3, 2, 1_000);
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertTrue(waits[0] == 0, "3 spins + 2 yields before the first wait, got " + waits[0]);
        idle.idle(0);
        idle.idle(0);
        assertTrue(waits[0] == 2, "then every idle cycle waits, got " + waits[0]);
        idle.idle(1);
        idle.idle(0);
        assertTrue(waits[0] == 2, "work resets to spinning");
        assertThrows(IllegalArgumentException.class, () -> new DeviceWaitIdleStrategy(device, -1, 0, 1));
        assertThrows(IllegalStateException.class, () -> StackConfig.IdleMode.DEVICE_WAIT.newIdleStrategy());
        final NetworkStack stack = new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24).build(), device,
            new PacketRecordPool(TestArenas.arena(64, 64)), System::nanoTime);
        assertInstanceOf(DeviceWaitIdleStrategy.class, StackConfig.IdleMode.DEVICE_WAIT.newIdleStrategy(stack));
    }

    @Test
    void blocksForWhatTheWaitLimitAllowsWithinTheMaximum()
    {
        final InMemoryLink link = InMemoryLink.pair();
        final long[] asked = {0};
        final long[] lastTimeout = {-1};
        final io.pktstore.nic.FrameDevice recording = new CountingDevice(link.a(), new int[1])
        {
            @Override
            public boolean awaitReadable(final long timeoutNs)
            {
                lastTimeout[0] = timeoutNs;
                return false;
            }
        };
        final long[] limit = {3_000_000L};
        final IdleStrategy idle = new DeviceWaitIdleStrategy(recording, 0, 10_000_000L, maxNs ->
        {
            asked[0] = maxNs;
            return Math.min(maxNs, limit[0]);
        });
        idle.idle(0);
        assertEquals(10_000_000L, asked[0], "the limit is asked with the maximum block");
        assertEquals(3_000_000L, lastTimeout[0], "a timer 3 ms away: a 3 ms block");
        limit[0] = 0;
        idle.idle(0);
        assertEquals(0, lastTimeout[0], "a timer due: only a look");
        limit[0] = Long.MAX_VALUE;
        idle.idle(0);
        assertEquals(10_000_000L, lastTimeout[0], "no timer: the maximum");
        assertThrows(IllegalArgumentException.class, () -> new DeviceWaitIdleStrategy(link.a(), 0, 1, null));
    }

    @Test
    void aTimeBoundedSpinWaitsOnTheDeviceOnlyAfterItsBudgetAndWorkStartsItAgain()
    {
        final InMemoryLink link = InMemoryLink.pair();
        final int[] waits = {0};
        final IdleStrategy noSpin = new DeviceWaitIdleStrategy(new CountingDevice(link.a(), waits), 0, 1_000);
        noSpin.idle(0);
        assertTrue(waits[0] == 1, "no budget: the first idle cycle waits, got " + waits[0]);
        waits[0] = 0;
        final IdleStrategy longSpin = new DeviceWaitIdleStrategy(new CountingDevice(link.a(), waits), 60_000_000_000L, 1_000);
        for (int i = 0; i < 1_000; i++)
        {
            longSpin.idle(0);
        }
        assertTrue(waits[0] == 0, "within the budget every idle cycle spins, got " + waits[0]);
        waits[0] = 0;
        final IdleStrategy shortSpin = new DeviceWaitIdleStrategy(new CountingDevice(link.a(), waits), 1_000_000L, 1_000);
        final long end = System.nanoTime() + 50_000_000L;
        while (waits[0] == 0 && System.nanoTime() < end)
        {
            shortSpin.idle(0);
        }
        assertTrue(waits[0] == 1, "after the 1 ms budget it waits");
        shortSpin.idle(1);
        shortSpin.idle(0);
        assertTrue(waits[0] == 1, "work starts a new spin");
        assertThrows(IllegalArgumentException.class, () -> new DeviceWaitIdleStrategy(link.a(), -1, 1));
    }

    @Test
    void stackOnItsOwnThreadWithDeviceWaitAnswersArp() throws Exception
    {
        final InMemoryLink link = InMemoryLink.pair();
        final Arena arena = TestArenas.arena(64, 64);
        final NetworkStack stack = new NetworkStack(StackConfig.builder().mac(OUR_MAC).ip(OUR_IP, 24)
            .idleMode(StackConfig.IdleMode.DEVICE_WAIT).build(), link.a(), new PacketRecordPool(arena), new SystemNanoClock());
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final AgentRunner runner = StackRunner.startOnThread(stack, errors::add);
        final RawPeer peer = new RawPeer(link.b());
        try
        {
            final byte[] expected = padded(ethernet(PEER_MAC, OUR_MAC, ETH_ARP, arp(2, OUR_MAC, OUR_IP, PEER_MAC, PEER_IP)));
            Thread.sleep(20); // let the stack go idle and block on the device
            peer.send(ethernet(MacAddress.BROADCAST, PEER_MAC, ETH_ARP, arp(1, PEER_MAC, PEER_IP, 0, OUR_IP)), 0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            byte[] reply = null;
            while (reply == null && System.nanoTime() < deadline)
            {
                for (final byte[] f : peer.receiveAll(0))
                {
                    if (f[12] == 0x08 && f[13] == 0x06 && f[21] == 2)
                    {
                        reply = f;
                    }
                }
                Thread.sleep(1);
            }
            assertArrayEquals(expected, reply);
        }
        finally
        {
            runner.close();
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    /** Delegates to a device and counts awaitReadable calls. */
    private static class CountingDevice implements io.pktstore.nic.FrameDevice
    {
        private final io.pktstore.nic.FrameDevice inner;
        private final int[] waits;

        CountingDevice(final io.pktstore.nic.FrameDevice inner, final int[] waits)
        {
            this.inner = inner;
            this.waits = waits;
        }

        @Override
        public String name()
        {
            return inner.name();
        }

        @Override
        public io.pktstore.nic.DeviceCapabilities capabilities()
        {
            return inner.capabilities();
        }

        @Override
        public io.pktstore.nic.DeviceStatistics statistics()
        {
            return inner.statistics();
        }

        @Override
        public int receive(final io.pktstore.nic.RxBurst burst, final long nowNs)
        {
            return inner.receive(burst, nowNs);
        }

        @Override
        public int transmit(final io.pktstore.nic.TxBurst burst, final long nowNs)
        {
            return inner.transmit(burst, nowNs);
        }

        @Override
        public boolean awaitReadable(final long timeoutNs)
        {
            waits[0]++;
            return inner.awaitReadable(timeoutNs);
        }

        @Override
        public void close()
        {
            inner.close();
        }
    }
}
