package io.pktstore.kv.bench;

import io.pktstore.kv.http.HttpSession;
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

    /** @return the node's session factory for a protocol. */
    static Function<KvServer, Session> sessions(final Protocol protocol)
    {
        return protocol == Protocol.RESP ? RespSession::new : HttpSession::new;
    }
}
