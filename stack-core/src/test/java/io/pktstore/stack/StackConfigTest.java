package io.pktstore.stack;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackConfigTest
{
    private static StackConfig.Builder valid()
    {
        return StackConfig.builder().mac("02:00:00:00:00:01").ip("198.18.0.1/24");
    }

    @Test
    void defaultsAndParsedValues()
    {
        final StackConfig c = valid().gateway(0xC6120001 + 253).build();
        assertEquals(0x0200_0000_0001L, c.mac());
        assertEquals(0xC6120001, c.ip());
        assertEquals(24, c.prefixLength());
        assertEquals(1500, c.mtu());
        assertEquals(StackConfig.IdleMode.BACKOFF, c.idleMode());
        assertInstanceOf(BusySpinIdleStrategy.class, StackConfig.IdleMode.BUSY_SPIN.newIdleStrategy());
        assertInstanceOf(BackoffIdleStrategy.class, StackConfig.IdleMode.BACKOFF.newIdleStrategy());
    }

    @Test
    void everyBadValueIsRefusedNamingIt()
    {
        check("mac", b -> StackConfig.builder().ip("198.18.0.1/24"));
        check("mac", b -> b.mac("01:00:5e:00:00:01"));
        check("ip", b -> b.ip("127.0.0.1/8"));
        check("ip must be address/prefix", b -> b.ip("198.18.0.1"));
        check("prefixLength", b -> b.ip(0xC6120001, 33));
        check("gateway", b -> b.gateway(0x0A000001));
        check("mtu", b -> b.mtu(100));
        check("rxBurst", b -> b.rxBurst(0));
        check("txBurst", b -> b.txBurst(5000));
        check("maxGatherPieces", b -> b.maxGatherPieces(0));
        check("ttl", b -> b.ttl(0));
        check("neighbourCapacity", b -> b.neighbourCapacity(0));
        check("arpMaxRequests", b -> b.arpMaxRequests(0));
        check("neighbourTtlNs", b -> b.neighbourTtlNs(0));
    }

    private static void check(final String named, final UnaryOperator<StackConfig.Builder> change)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> change.apply(valid()).build());
        assertTrue(ex.getMessage().contains(named), () -> "message should name " + named + ": " + ex.getMessage());
    }
}
