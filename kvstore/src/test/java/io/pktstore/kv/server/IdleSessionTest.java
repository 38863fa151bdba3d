package io.pktstore.kv.server;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session whose replies went out has nothing for the next commit: the duty-cycle hook reports no
 * work, so the stack's idle strategy can back off instead of running every open session every cycle
 * (which kept the node's thread spinning at 100% with any connection open). A partial request arriving
 * does not make work either; its completion does, and the peer's FIN still gets our FIN released.
 */
class IdleSessionTest
{
    @Test
    void theHookHasNoWorkOnceRepliesAreReleased()
    {
        try (SessionHarness h = new SessionHarness(Engine.SKIPLIST, 256, ServerConfig.defaults(), RespSession::new))
        {
            final SessionHarness.Client client = h.client();
            assertEquals("+OK\r\n", client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
            assertEquals(0, h.server.afterInput(h.now), "nothing to commit or release after the reply went out");
            assertEquals(0, h.server.afterInput(h.now), "still nothing");

            client.deliver("*2\r\n$3\r\nGET".getBytes());
            assertEquals(0, h.server.afterInput(h.now), "a partial request has no reply to release");
            client.deliver("\r\n$1\r\nk\r\n".getBytes());
            assertTrue(h.server.afterInput(h.now) > 0, "the completed request's reply is released");
            assertEquals("$1\r\nv\r\n", client.wire.take());
            assertEquals(0, h.server.afterInput(h.now));

            client.session.peerClosed(h.now);
            assertTrue(h.server.afterInput(h.now) > 0, "our FIN follows the peer's, released by the hook");
            assertTrue(client.wire.closed, "closed after the peer's FIN");
        }
    }
}
