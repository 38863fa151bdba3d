package io.pktstore.kv.bench;

import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.Session;

import java.util.function.Function;

/** Which front end serves a protocol, and on which port (the node's defaults). */
final class FrontEnds
{
    /** The RESP port, as the node's default. */
    static final int RESP_PORT = 6379;
    /** The HTTP port, as the node's default. */
    static final int HTTP_PORT = 8080;

    private FrontEnds()
    {
    }

    /** @return the port a protocol is served on. */
    static int port(final Protocol protocol)
    {
        return protocol == Protocol.RESP ? RESP_PORT : HTTP_PORT;
    }

    /**
     * @return the node's session factory for a protocol.
     * @throws IllegalArgumentException for a protocol whose front end is not in this build
     */
    static Function<KvServer, Session> sessions(final Protocol protocol)
    {
        if (protocol != Protocol.RESP)
        {
            throw new IllegalArgumentException("the HTTP front end (kv.http) is not in this build yet: use --protocol resp");
        }
        return RespSession::new;
    }
}
