package io.pktstore.kv.server;

import io.pktstore.arena.ArenaException;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write-back can fail inside a request, not only in the cycle's commit: a write persists its segment
 * as it runs, and a request that stages more links than the link log holds commits part way. Such a
 * failure must not escape into the stack's callback. The store is failed from then on; the session
 * resets its connection without letting any held reply go; the other sessions of the cycle are reset
 * by the server's commit; later clients are not served; no record is lost track of.
 */
class StoreFailureInsideARequestTest
{
    @Test
    void aWriteBackFailingInsideARequestResetsTheConnectionAndAcknowledgesNothing()
    {
        try (SessionHarness harness = new SessionHarness(Engine.SKIPLIST, 256, ServerConfig.defaults(), RespSession::new))
        {
            final SessionHarness.Client writer = harness.client();
            final SessionHarness.Client bystander = harness.client();
            assertEquals("+OK\r\n", writer.send("SET before 1\r\n"));
            final long commits = harness.store.stats().commits;
            final int freeRecords = harness.arena.freeRecordCount();
            bystander.deliver("SET other 2\r\n".getBytes(StandardCharsets.US_ASCII));   // its reply waits for the commit

            harness.region.onPersist(() ->
            {
                throw new ArenaException("injected write-back failure");
            });
            writer.deliver("SET k v\r\nGET before\r\n".getBytes(StandardCharsets.US_ASCII));   // must not throw
            harness.region.onPersist(null);
            assertNotNull(harness.store.failure(), "the store is failed");
            assertTrue(writer.wire.aborted, "the writer's connection is reset");
            assertEquals("", writer.wire.take(), "no reply was let go");
            harness.cycle();
            assertTrue(bystander.wire.aborted, "a session whose write waited for the commit is reset too");
            assertEquals("", bystander.wire.take());
            assertEquals(commits, harness.store.stats().commits, "nothing was committed after the failure");

            // RESP serves nothing once the store failed (reads could show a write that was lost): a later
            // client is reset after its request, its reply never let go.
            final SessionHarness.Client later = harness.client();
            assertEquals("", later.send("GET before\r\n"));
            assertTrue(later.wire.aborted);
            assertTrue(harness.arena.freeRecordCount() >= freeRecords - 8,
                "the failed write's records went back (" + harness.arena.freeRecordCount() + " free, " + freeRecords + " before)");
        }
    }
}
