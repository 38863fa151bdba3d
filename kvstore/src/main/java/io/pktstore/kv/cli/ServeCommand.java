package io.pktstore.kv.cli;

import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.stack.StackConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the node. By default it builds its own test host: a veth pair whose stack end stays in the
 * root namespace without an IP address (the stack owns 198.18.0.2; the kernel must neither answer
 * ARP nor send RSTs for it) and whose peer end sits in a fresh namespace at 198.18.0.1, where the
 * kernel's TCP is a real client. The namespace and veth pair are removed on exit, also on Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the node (default: on a veth pair and namespace it creates, arena in /dev/shm).")
public final class ServeCommand implements Callable<Integer> {
    /** The stack's and the peer's default addresses: the benchmark range RFC 2544 sets aside. */
    static final String DEFAULT_STACK_CIDR = "198.18.0.2/24";
    static final String DEFAULT_PEER_CIDR = "198.18.0.1/24";

    @Spec
    private CommandSpec spec;

    @Option(names = "--arena", defaultValue = "/dev/shm/pktstore.arena",
        description = "Arena file: created if missing, recovered if it is an arena, refused otherwise (default ${DEFAULT-VALUE}).")
    private Path arenaPath;

    @Option(names = "--arena-size", defaultValue = "256m", description = "Size of a new arena file (default ${DEFAULT-VALUE}).")
    private String arenaSize;

    @Option(names = "--interface", description = "Serve on this existing interface instead of creating a veth pair "
        + "(keep the stack's address off the kernel's interface). Needs --address.")
    private String interfaceName;

    @Option(names = "--address", description = "The stack's IPv4 address/prefix (default " + DEFAULT_STACK_CIDR
        + " on the veth pair it creates).")
    private String address;

    @Option(names = "--idle", defaultValue = "BACKOFF",
        description = "Idle strategy: BUSY_SPIN (lowest latency, one core at 100%%) or BACKOFF (default).")
    private StackConfig.IdleMode idleMode;

    @Option(names = "--duration", defaultValue = "0",
        description = "Stop by itself after this many seconds (default 0: run until Ctrl-C or SIGTERM).")
    private long durationSeconds;

    @Option(names = "--self-check", description = "On the veth pair it creates: after start, have the kernel's TCP in "
        + "the peer namespace send 64 KiB through the echo service and 1 MiB to discard, verify, and exit.")
    private boolean selfCheck;

    @Override
    public Integer call() throws Exception {
        validate();
        // Ctrl-C / SIGTERM: the hook asks the node to stop, then holds the JVM until the arena is
        // closed cleanly and the namespace and veth pair are removed.
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped, 20);
        }, "pktstore-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return serve(stop);
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (final IllegalStateException shuttingDown) {
                // the hook is running and returns now that 'stopped' is counted down
            }
        }
    }

    private int serve(final CountDownLatch stop) throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final long size = ByteSize.parse(arenaSize);
        // Only report closing what was opened: a refused arena (in use, not an arena) is not "closed".
        boolean opened = false;
        try (ArenaFile arena = ArenaFile.openOrCreate(arenaPath, size);
             VethTopology topology = interfaceName == null ? VethTopology.create(DEFAULT_PEER_CIDR) : null) {
            opened = true;
            final String ifName = topology != null ? topology.stackInterface() : interfaceName;
            final String cidr = address != null ? address : DEFAULT_STACK_CIDR;
            final String mac = topology != null ? topology.stackMac() : macOf(ifName);
            if (topology != null) {
                // The kernel peer would otherwise hand us 64 KB TSO/GSO frames.
                topology.setPeerOffloads(true, false, false);
            }
            out.printf("pktstore: arena %s %s%n", arenaPath, arena.describe());
            int status = 0;
            try (StackNode node = new StackNode(ifName, mac, cidr, arena.arena(), idleMode)) {
                final String ip = cidr.substring(0, cidr.indexOf('/'));
                out.printf("pktstore: stack %s (%s) on %s; echo on port %d, discard on port %d%n",
                    ip, mac, ifName, StackNode.ECHO_PORT, StackNode.DISCARD_PORT);
                if (topology != null) {
                    final String ns = topology.peerNamespace().name();
                    out.printf("pktstore: peer namespace %s at %s; try:%n  ip netns exec %s bash -c "
                        + "'exec 3<>/dev/tcp/%s/%d; echo hello >&3; head -n 1 <&3'%n",
                        ns, topology.peerAddress(), ns, ip, StackNode.ECHO_PORT);
                }
                out.flush();
                if (selfCheck) {
                    status = SelfCheck.run(topology, ip, out) ? 0 : 1;
                } else if (durationSeconds > 0) {
                    stop.await(durationSeconds, TimeUnit.SECONDS);
                } else {
                    out.println("pktstore: running; Ctrl-C to stop");
                    out.flush();
                    stop.await();
                }
                if (node.failure() != null) {
                    out.println("pktstore: the stack failed: " + node.failure());
                    status = 1;
                }
                node.close();
                out.println("pktstore: stopped; " + node.summary());
            }
            out.flush();
            return status;
        } finally {
            if (opened) {
                out.println("pktstore: arena closed" + (interfaceName == null ? ", namespace and veth pair removed" : ""));
            }
            out.flush();
        }
    }

    private void validate() {
        if (interfaceName != null && address == null) {
            throw new ParameterException(spec.commandLine(), "--interface needs --address (the stack's IPv4 address/prefix)");
        }
        if (selfCheck && interfaceName != null) {
            throw new ParameterException(spec.commandLine(), "--self-check works on the veth pair the node creates, not with --interface");
        }
        if (durationSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--duration must be 0 or more seconds, got " + durationSeconds);
        }
        if (address != null && !address.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
            throw new ParameterException(spec.commandLine(), "--address must be IPv4 address/prefix like 198.18.0.2/24, got '" + address + "'");
        }
        if (interfaceName == null && address != null && !address.startsWith("198.18.0.")) {
            throw new ParameterException(spec.commandLine(), "on the veth pair it creates the stack must be in 198.18.0.0/24 (the peer is "
                + DEFAULT_PEER_CIDR + "), got '" + address + "'");
        }
    }

    private static String macOf(final String ifName) throws java.io.IOException {
        final Path path = Path.of("/sys/class/net", ifName, "address");
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no network interface '" + ifName + "' (" + path + " does not exist)");
        }
        return Files.readString(path, StandardCharsets.US_ASCII).trim();
    }

    private static void awaitQuietly(final CountDownLatch latch, final long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The kernel's TCP in the peer namespace as a client of the node's services. */
    static final class SelfCheck {
        private static final String CLIENT = String.join("\n",
            "import hashlib, os, socket, sys",
            "ip = sys.argv[1]",
            "data = os.urandom(65536)",
            "s = socket.create_connection((ip, 7), timeout=15)",
            "s.sendall(data); s.shutdown(socket.SHUT_WR)",
            "got = bytearray()",
            "while True:",
            "    b = s.recv(65536)",
            "    if not b: break",
            "    got += b",
            "s.close()",
            "print('echo', len(got), hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest())",
            "d = socket.create_connection((ip, 9), timeout=15)",
            "d.sendall(os.urandom(1 << 20)); d.shutdown(socket.SHUT_WR)",
            "print('discard', len(d.recv(1)) == 0)",
            "d.close()");

        private SelfCheck() {
        }

        static boolean run(final VethTopology topology, final String ip, final PrintWriter out) {
            final CommandResult r = topology.peerNamespace().exec(List.of("python3", "-c", CLIENT, ip), 60_000);
            final boolean ok = r.exitCode() == 0 && r.stdout().contains("echo 65536 True") && r.stdout().contains("discard True");
            out.printf("pktstore: self-check %s: %s%s%n", ok ? "passed" : "FAILED", r.stdout().trim().replace('\n', ';'),
                r.stderr().isBlank() ? "" : " stderr: " + r.stderr().trim());
            return ok;
        }
    }
}
