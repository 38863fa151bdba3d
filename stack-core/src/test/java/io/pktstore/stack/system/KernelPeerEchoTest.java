package io.pktstore.stack.system;

import io.pktstore.nic.host.CommandResult;
import io.pktstore.stack.app.EchoServer;
import io.pktstore.stack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack's zero-copy echo server with the Linux kernel as the peer: real clients (curl, python3, a
 * Java socket) in a network namespace across a veth pair. Runs as root (CI does); every exchange
 * checks the bytes that came back, and the kernel's own RST/ICMP counters in the peer namespace must
 * not move.
 */
@Timeout(300)
class KernelPeerEchoTest
{
    private static final int ECHO_PORT = 7;
    private static KernelPeerHarness h;
    private static EchoServer echo;

    @BeforeAll
    static void start() throws Exception
    {
        h = new KernelPeerHarness(41, new TcpConfig().maxConnections(2048).listenBacklog(256)
            .rto(1_000_000_000L, 200_000_000L, 60_000_000_000L).timeWaitNs(1_000_000_000L), 65536);
        echo = h.onStackThread(() -> EchoServer.listen(h.tcp, h.stack.pool(), ECHO_PORT));
    }

    @AfterAll
    static void stop()
    {
        if (h != null)
        {
            h.close();
        }
    }

    private static byte[] randomBytes(final int n, final long seed)
    {
        final byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void pythonClientGetsItsBytesBack()
    {
        final String script = String.join("\n",
            "import socket, os, hashlib",
            "data = bytes((i * 7 + 3) % 251 for i in range(300000))",
            "s = socket.create_connection(('" + h.stackIp + "', " + ECHO_PORT + "), timeout=20)",
            "s.sendall(data)",
            "s.shutdown(socket.SHUT_WR)",
            "got = bytearray()",
            "while True:",
            "    c = s.recv(65536)",
            "    if not c: break",
            "    got += c",
            "print('OK' if bytes(got) == data else 'MISMATCH', len(got))");
        final long rstsBefore = h.peerCounter("TcpOutRsts");
        final CommandResult r = h.peer(60_000, "python3", "-c", script);
        assertEquals("OK 300000", r.stdout().trim(), r.toString());
        assertEquals(rstsBefore, h.peerCounter("TcpOutRsts"), "the kernel sent no RST");
        assertNull(h.failure());
    }

    @Test
    void curlTelnetClientGetsItsBytesBack() throws Exception
    {
        final byte[] data = new byte[20000];
        Arrays.fill(data, (byte)'x');
        final Path in = Files.createTempFile("pks-curl", ".bin");
        try
        {
            Files.write(in, data);
            // curl's telnet:// sends stdin and prints what comes back; it ends on --max-time (exit 28).
            final CommandResult r = h.peer(30_000, "sh", "-c",
                "curl -s --max-time 3 telnet://" + h.stackIp + ":" + ECHO_PORT + " < " + in + " | wc -c");
            assertEquals("20000", r.stdout().trim(), r.toString());
        }
        finally
        {
            Files.deleteIfExists(in);
        }
    }

    @Test
    void javaSocketClientExchangesData() throws Exception
    {
        final byte[] data = randomBytes(1 << 20, 42);
        final byte[] got = h.topology.runInPeerNamespace(() ->
        {
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(h.stackIp, ECHO_PORT), 5000);
                s.setSoTimeout(20_000);
                final OutputStream out = s.getOutputStream();
                final InputStream in = s.getInputStream();
                final byte[] received = new byte[data.length];
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        out.write(data);
                        s.shutdownOutput();
                    }
                    catch (final Exception e)
                    {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                int at = 0;
                int n;
                while (at < received.length && (n = in.read(received, at, received.length - at)) > 0)
                {
                    at += n;
                }
                writer.join();
                assertEquals(-1, in.read(), "echo server closes after our FIN");
                return Arrays.copyOf(received, at);
            }
        });
        assertArrayEquals(data, got);
    }
}
