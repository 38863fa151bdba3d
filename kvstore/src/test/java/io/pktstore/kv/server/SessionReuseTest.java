package io.pktstore.kv.server;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A port reuses a session for its next connection, often in the duty cycle in which the last one
 * closed: the session must still be on the server's list at most once, so that a cycle lets its replies
 * go once (it was listed again at each reuse, and the duty cycle's work grew with every connection),
 * and a cycle with nothing for it does not run it at all.
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
            client.wire.releases = 0;
            client.deliver("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            harness.cycle();
            assertEquals(1, client.wire.releases, "held replies let go once in the duty cycle that answered");
            assertEquals("+PONG\r\n", client.wire.take());
            harness.cycle();
            assertEquals(1, client.wire.releases, "a cycle with nothing to let go does not run the session");
        }
    }
}
