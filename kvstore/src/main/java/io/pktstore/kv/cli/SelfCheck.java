package io.pktstore.kv.cli;

import io.pktstore.kv.server.ServerConfig;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code serve --self-check}: real clients in the peer namespace use the node once it is up, and their
 * results are checked: the kernel's TCP stores a 100 KB random value over RESP and reads it back
 * byte for byte, sends 64 KiB through echo and 1 MiB to discard; redis-cli sets and gets a key; curl
 * PUTs and GETs one over HTTP (the commands the node prints as its try-lines).
 */
final class SelfCheck
{
    private static final String CLIENT = String.join("\n",
        "import hashlib, os, socket, sys",
        "ip, port = sys.argv[1], int(sys.argv[2])",
        "def resp(*args):",
        "    out = b'*%d\\r\\n' % len(args)",
        "    for a in args:",
        "        out += b'$%d\\r\\n' % len(a) + a + b'\\r\\n'",
        "    return out",
        "value = os.urandom(100000)",
        "s = socket.create_connection((ip, port), timeout=15)",
        "s.sendall(resp(b'SET', b'self-check', value) + resp(b'GET', b'self-check'))",
        "want = b'+OK\\r\\n' + b'$100000\\r\\n' + value + b'\\r\\n'",
        "got = b''",
        "while len(got) < len(want):",
        "    b = s.recv(65536)",
        "    if not b: break",
        "    got += b",
        "s.close()",
        "print('resp', got == want)",
        "e = socket.create_connection((ip, 7), timeout=15)",
        "data = os.urandom(65536)",
        "e.sendall(data); e.shutdown(socket.SHUT_WR)",
        "echoed = b''",
        "while True:",
        "    b = e.recv(65536)",
        "    if not b: break",
        "    echoed += b",
        "e.close()",
        "print('echo', echoed == data)",
        "d = socket.create_connection((ip, 9), timeout=15)",
        "d.sendall(os.urandom(1 << 20)); d.shutdown(socket.SHUT_WR)",
        "print('discard', len(d.recv(1)) == 0)",
        "d.close()");

    private SelfCheck()
    {
    }

    static boolean run(final VethTopology topology, final String ip, final ServerConfig server, final PrintWriter out)
    {
        if (server.respPort() == 0)
        {
            out.println("pktstore: self-check needs the RESP port");
            return false;
        }
        final CommandResult r = topology.peerNamespace().exec(List.of("python3", "-c", CLIENT, ip,
            Integer.toString(server.respPort())), 60_000);
        final String auth = server.password() == null ? "" : server.password();
        final CommandResult cli = topology.peerNamespace().exec(auth.isEmpty()
            ? List.of("redis-cli", "-h", ip, "-p", Integer.toString(server.respPort()), "SET", "self-check-cli", "works")
            : List.of("redis-cli", "--no-auth-warning", "-a", auth, "-h", ip, "-p", Integer.toString(server.respPort()),
                "SET", "self-check-cli", "works"), 30_000);
        final CommandResult get = topology.peerNamespace().exec(auth.isEmpty()
            ? List.of("redis-cli", "-h", ip, "-p", Integer.toString(server.respPort()), "GET", "self-check-cli")
            : List.of("redis-cli", "--no-auth-warning", "-a", auth, "-h", ip, "-p", Integer.toString(server.respPort()),
                "GET", "self-check-cli"), 30_000);
        final String http = server.httpPort() == 0 ? "" : httpCheck(topology, ip, server);
        final boolean ok = r.exitCode() == 0 && r.stdout().contains("resp True") && r.stdout().contains("echo True")
            && r.stdout().contains("discard True") && cli.stdout().trim().equals("OK") && get.stdout().trim().equals("works")
            && (server.httpPort() == 0 || http.equals(HTTP_OK));
        out.printf("pktstore: self-check %s: %s; redis-cli SET %s, GET %s%s%s%n", ok ? "passed" : "FAILED",
            r.stdout().trim().replace('\n', ';'), cli.stdout().trim(), get.stdout().trim(), http.isEmpty() ? "" : "; " + http,
            r.stderr().isBlank() ? "" : " stderr: " + r.stderr().trim());
        return ok;
    }

    private static final String HTTP_VALUE = "hello over http";
    private static final String HTTP_OK = "curl PUT 201, GET " + HTTP_VALUE;

    /** curl PUTs a value and GETs it back. @return what it saw, {@link #HTTP_OK} when right. */
    private static String httpCheck(final VethTopology topology, final String ip, final ServerConfig server)
    {
        final String url = "http://" + ip + ":" + server.httpPort() + "/kv/self-check-http";
        final List<String> bearer = server.password() == null ? List.of()
            : List.of("-H", "Authorization: Bearer " + server.password());
        final java.util.ArrayList<String> put = new java.util.ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w",
            "%{http_code}", "-X", "PUT", "--data-binary", HTTP_VALUE));
        put.addAll(bearer);
        put.add(url);
        final java.util.ArrayList<String> read = new java.util.ArrayList<>(List.of("curl", "-s"));
        read.addAll(bearer);
        read.add(url);
        return "curl PUT " + topology.peerNamespace().exec(put, 30_000).stdout().trim() + ", GET "
            + topology.peerNamespace().exec(read, 30_000).stdout().trim();
    }
}
