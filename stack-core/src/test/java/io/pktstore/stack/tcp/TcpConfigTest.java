package io.pktstore.stack.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TcpConfigTest
{
    @Test
    void defaultSeedIsSecretPerConfigSoIsnsAndCookiesCannotBePredicted()
    {
        // RFC 6528: the ISN function's key must be unguessable; a fixed default would give every node the same one.
        assertNotEquals(new TcpConfig().seed(), new TcpConfig().seed());
        assertEquals(42L, new TcpConfig().seed(42L).seed(), "tests and replays can still fix it");
    }
}
