package io.pktstore.kv.bench;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator finds the end of every reply a PUT or GET gets, at every split, and no earlier. */
class ReplyFramingTest
{
    @Test
    void respRepliesEndExactlyWhereTheyShould()
    {
        completesOnlyWhole(Protocol.RESP, "+OK\r\n", false);
        completesOnlyWhole(Protocol.RESP, "-ERR no\r\n", true);
        completesOnlyWhole(Protocol.RESP, "$-1\r\n", false);
        completesOnlyWhole(Protocol.RESP, "$12\r\nhello\r\nworld\r\n", false);
        completesOnlyWhole(Protocol.RESP, ":3\r\n", false);
    }

    @Test
    void httpResponsesAreFramedByContentLength()
    {
        completesOnlyWhole(Protocol.HTTP, "HTTP/1.1 204 No Content\r\n\r\n", false);
        completesOnlyWhole(Protocol.HTTP, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", false);
        completesOnlyWhole(Protocol.HTTP, "HTTP/1.1 200 OK\r\ncontent-length: 7\r\nX-A: b\r\n\r\nab\r\ncde", false);
        completesOnlyWhole(Protocol.HTTP, "HTTP/1.1 507 Insufficient Storage\r\nContent-Length: 4\r\n\r\nfull", true);
    }

    @Test
    void everyPutOfARunHasOneLength()
    {
        for (final Protocol p : Protocol.values())
        {
            final int expected = p.putRequestBytes(1024, "198.18.0.2");
            assertEquals(expected, p.put(RequestSource.keyBytes(0), new byte[1024], "198.18.0.2").length);
            assertEquals(expected, p.put(RequestSource.keyBytes(999_999_999_999L), new byte[1024], "198.18.0.2").length);
        }
    }

    private static void completesOnlyWhole(final Protocol protocol, final String reply, final boolean error)
    {
        final byte[] bytes = reply.getBytes(StandardCharsets.US_ASCII);
        for (int cut = 0; cut < bytes.length; cut++)
        {
            final ByteBuffer in = ByteBuffer.allocate(bytes.length).put(bytes, 0, cut);
            assertEquals(ReplyFraming.INCOMPLETE, ReplyFraming.replyLength(protocol, in), reply + " cut at " + cut);
        }
        final ByteBuffer whole = ByteBuffer.allocate(bytes.length).put(bytes);
        assertEquals(bytes.length, ReplyFraming.replyLength(protocol, whole), reply);
        if (error)
        {
            assertTrue(ReplyFraming.isError(protocol, whole), reply);
        }
        else
        {
            assertFalse(ReplyFraming.isError(protocol, whole), reply);
        }
    }
}
