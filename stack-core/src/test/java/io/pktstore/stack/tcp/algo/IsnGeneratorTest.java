package io.pktstore.stack.tcp.algo;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IsnGeneratorTest
{
    private static final int LOCAL_IP = 0xC612_0001;   // 198.18.0.1
    private static final int REMOTE_IP = 0xC612_0002;  // 198.18.0.2

    @Test
    void clockComponentTicksEveryFourMicrosecondsRfc6528Section3()
    {
        final IsnGenerator g = new IsnGenerator(1, 2);
        final long t = 123_456_789_000L;
        final int isn = g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, t);
        assertEquals(isn, g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, t + 3_999 - (t % 4000)), "same 4 us tick");
        assertEquals(isn + 1, g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, t + 4_000));
        assertEquals(isn + 250_000, g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, t + 1_000_000_000L), "250000 ticks per second");
    }

    @Test
    void secretComponentIsSipHashOfTheDocumentedTupleLayout()
    {
        final long k0 = 0x0123_4567_89AB_CDEFL;
        final long k1 = 0x0FED_CBA9_8765_4321L;
        final IsnGenerator g = new IsnGenerator(k0, k1);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
        message.putInt(0, LOCAL_IP, ByteOrder.LITTLE_ENDIAN);
        message.putInt(4, REMOTE_IP, ByteOrder.LITTLE_ENDIAN);
        message.putShort(8, (short)80, ByteOrder.LITTLE_ENDIAN);
        message.putShort(10, (short)40000, ByteOrder.LITTLE_ENDIAN);
        final int expectedF = (int)SipHash24.hash(k0, k1, message, 0, 16);
        assertEquals(expectedF, g.secretComponent(LOCAL_IP, 80, REMOTE_IP, 40000));
        assertEquals(expectedF + IsnGenerator.clockComponent(8_000), g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, 8_000));
    }

    @Test
    void differentTuplesAndKeysGiveUnrelatedIsns()
    {
        final IsnGenerator g = IsnGenerator.fromRandom(new SplittableRandom(7));
        final Set<Integer> seen = new HashSet<>();
        for (int port = 1024; port < 1024 + 5000; port++)
        {
            seen.add(g.isn(LOCAL_IP, 80, REMOTE_IP, port, 0));
        }
        assertTrue(seen.size() >= 4998, "5000 peer ports should give (almost surely) distinct ISNs, got " + seen.size());
        final IsnGenerator other = IsnGenerator.fromRandom(new SplittableRandom(8));
        assertNotEquals(g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, 0), other.isn(LOCAL_IP, 80, REMOTE_IP, 40000, 0));
        // swapping the roles of the endpoints is a different connection
        assertNotEquals(g.isn(LOCAL_IP, 80, REMOTE_IP, 40000, 0), g.isn(REMOTE_IP, 40000, LOCAL_IP, 80, 0));
    }

    @Test
    void sameSeedSameIsnDeterministicForTests()
    {
        final IsnGenerator a = IsnGenerator.fromRandom(new SplittableRandom(99));
        final IsnGenerator b = IsnGenerator.fromRandom(new SplittableRandom(99));
        assertEquals(a.isn(LOCAL_IP, 80, REMOTE_IP, 40000, 5_000_000), b.isn(LOCAL_IP, 80, REMOTE_IP, 40000, 5_000_000));
    }
}
