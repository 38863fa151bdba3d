package io.pktstore.kv.resp;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.testing.SessionHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.pktstore.kv.resp.RespSessionTest.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parser resumes at any byte boundary: a pipeline of mixed commands (array and inline, values
 * that span the cut, empty values) delivered as 1, 2 or 3 records cut at every pair of positions
 * gives exactly the replies it gives in one piece. The pipeline deletes its keys at the end, so every
 * run starts from the same state.
 */
class RespSplitTest
{
    private static final String PIPELINE = cmd("SET", "alpha", "first value")
        + cmd("GET", "alpha")
        + "PING\r\n"
        + cmd("MSET", "b", "", "c", "x y z")
        + cmd("MGET", "alpha", "b", "c", "missing")
        + "EXISTS alpha b c\r\n"
        + cmd("SET", "alpha", "second", "GET")
        + cmd("STRLEN", "alpha")
        + cmd("ECHO", "tail")
        + cmd("DEL", "alpha", "b", "c");

    @Test
    void everySplitIntoTwoAndThreeRecordsGivesTheSameReplies()
    {
        try (SessionHarness harness = new SessionHarness(Engine.RBTREE, 4096, ServerConfig.defaults(), RespSession::new))
        {
            final byte[] bytes = PIPELINE.getBytes(StandardCharsets.ISO_8859_1);
            final String expected = harness.client().send(bytes, bytes.length);
            assertEquals("+OK\r\n$11\r\nfirst value\r\n+PONG\r\n+OK\r\n*4\r\n$11\r\nfirst value\r\n$0\r\n\r\n$5\r\nx y z\r\n"
                + "$-1\r\n:3\r\n$11\r\nfirst value\r\n:6\r\n$4\r\ntail\r\n:3\r\n", expected);
            int runs = 0;
            for (int i = 1; i < bytes.length; i++)
            {
                final SessionHarness.Client two = harness.client();
                assertEquals(expected, two.send(bytes, i), "split at " + i);
                two.close();
                runs++;
                for (int j = 1; i + j < bytes.length; j += 3)
                {
                    final SessionHarness.Client client = harness.client();
                    assertEquals(expected, client.send(bytes, i, j), "split at " + i + " and " + (i + j));
                    client.close();
                    runs++;
                }
            }
            // One byte per record, the extreme.
            final int[] ones = new int[bytes.length];
            java.util.Arrays.fill(ones, 1);
            assertEquals(expected, harness.client().send(bytes, ones));
            System.out.println("RespSplitTest: " + runs + " splits of a " + bytes.length + "-byte pipeline");
        }
    }
}
