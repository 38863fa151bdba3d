package io.pktstore.kv.server;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A port reuses a session for its next connection, often in the duty cycle in which the last one
 * closed: the session must still be on the server's list once, so that each cycle lets its replies go
 * once (it was listed again at each reuse, and the duty cycle's work grew with every connection).
 */
class SessionReuseTest
{
    @Test
    void aSessionReusedForManyConnectionsIsRunOncePerDutyCycle()
    {
        try (SessionHarness harness = new SessionHarness(Engine.SKIPLIST, 256, ServerConfig.defaults(), RespSession::new))
        {
            SessionHarness.Client client = harness.client();
            for (int i = 0; i < 200; i++)
            {
                assertEquals("+PONG\r\n", client.send("PING\r\n"));
                client = harness.reconnect(client);
            }
            assertEquals("+PONG\r\n", client.send("PING\r\n"));
            client.wire.releases = 0;
            harness.cycle();
            assertEquals(1, client.wire.releases, "held replies let go once per duty cycle");
        }
    }
}
