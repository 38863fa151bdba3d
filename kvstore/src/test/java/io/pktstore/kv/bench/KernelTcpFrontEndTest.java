package io.pktstore.kv.bench;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.resp.RespSession;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.stack.record.PacketRecordPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The store behind kernel TCP, on loopback: real sockets read into arena buffers, the RESP session and
 * the group commit above them. The load generator drives it (a read/write mix after its preload) with
 * no errors, and a value larger than one arena buffer (so it spans several reads) comes back byte for
 * byte.
 */
class KernelTcpFrontEndTest
{
    private static final Workload MIX = new Workload(Protocol.RESP, 1024, 200, 50, 100, 1000, 20_000, 7);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void servesTheLoadGeneratorsMixAndLargeValuesExactly() throws Exception
    {
        try (BenchArena arena = new BenchArena(Engine.SKIPLIST, KvStoreConfig.defaults(), MIX))
        {
            final KvServer server = new KvServer(arena.store(), new PacketRecordPool(arena.store().arena()),
                ServerConfig.defaults());
            try (KernelTcpFrontEnd front = new KernelTcpFrontEnd(server, RespSession::new, new InetSocketAddress("127.0.0.1", 0)))
            {
                final LoadGenerator generator = new LoadGenerator(new InetSocketAddress("127.0.0.1", front.port()), MIX);
                generator.preload();
                final PointResult point = generator.runPoint(3);
                assertEquals(1000, point.requests());
                assertEquals(0, point.errors());
                assertFalse(point.cutShort());

                final byte[] value = new byte[5000];
                for (int i = 0; i < value.length; i++)
                {
                    value[i] = (byte)(i * 31 + 7);
                }
                try (Socket s = new Socket("127.0.0.1", front.port()))
                {
                    s.setSoTimeout(10_000);
                    final OutputStream out = s.getOutputStream();
                    out.write(Protocol.RESP.put("big".getBytes(StandardCharsets.US_ASCII), value, "x"));
                    assertArrayEquals("+OK\r\n".getBytes(StandardCharsets.US_ASCII), readN(s.getInputStream(), 5));
                    out.write(Protocol.RESP.get("big".getBytes(StandardCharsets.US_ASCII), "x"));
                    final byte[] reply = readN(s.getInputStream(), 7 + value.length + 2);
                    assertEquals("$5000\r\n", new String(reply, 0, 7, StandardCharsets.US_ASCII));
                    assertArrayEquals(value, Arrays.copyOfRange(reply, 7, 7 + value.length));
                }
                assertNull(front.failure());
                assertNull(server.failure());
            }
            assertEquals(200 + 1, arena.store().count());
        }
    }

    private static byte[] readN(final InputStream in, final int n) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] chunk = new byte[4096];
        while (bytes.size() < n)
        {
            final int r = in.read(chunk, 0, Math.min(chunk.length, n - bytes.size()));
            if (r < 0)
            {
                throw new AssertionError("closed after " + bytes.size() + " of " + n + " bytes");
            }
            bytes.write(chunk, 0, r);
        }
        return bytes.toByteArray();
    }
}
