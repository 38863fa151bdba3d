package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.VethTopology;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test host for a node: a veth pair whose stack end stays in the root namespace without an address
 * (the node serves on it), and a client namespace at 198.18.0.1/24 where the kernel's TCP and real
 * clients run. Removed by name on close, also after a failure (and by the registry's sweep if a test
 * JVM died).
 */
final class TestHost implements AutoCloseable
{
    static final String NODE_IP = "198.18.0.2";
    static final String NODE_CIDR = NODE_IP + "/24";

    /** The system's Python, where Debian's python3-redis is installed. */
    static final String PYTHON = java.nio.file.Files.exists(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    final VethTopology topology;

    TestHost()
    {
        this("198.18.0.1/24");
    }

    /** @param peerCidr the kernel's address in the client namespace. */
    TestHost(final String peerCidr)
    {
        topology = VethTopology.create(peerCidr);
        // The kernel in the client namespace would otherwise hand the node 64 KB TSO/GSO super-frames.
        topology.setPeerOffloads(true, false, false);
    }

    /** @return the arguments that make a node serve this host's stack interface. */
    List<String> nodeArguments(final Path arena, final String... more)
    {
        return nodeArgumentsAt(NODE_CIDR, arena, more);
    }

    /**
     * @param cidr the node's address/prefix on the shared stack interface (several nodes can serve one
     *             interface, each with its own address and MAC).
     * @return the arguments that make a node serve this host's stack interface at {@code cidr}.
     */
    List<String> nodeArgumentsAt(final String cidr, final Path arena, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of("--interface", topology.stackInterface(), "--address", cidr,
            "--arena", arena.toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** Runs a command in the client namespace. */
    CommandResult run(final long timeoutMs, final String... command)
    {
        return topology.peerNamespace().exec(List.of(command), timeoutMs);
    }

    /** Runs a command in the client namespace. */
    CommandResult run(final long timeoutMs, final List<String> command)
    {
        return topology.peerNamespace().exec(command, timeoutMs);
    }

    /** Starts a long-running command in the client namespace. */
    Process start(final List<String> command)
    {
        return topology.peerNamespace().start(command);
    }

    /** Runs a python client script (from the test resources) in the client namespace. */
    CommandResult python(final long timeoutMs, final String script, final String... args) throws IOException
    {
        // Debian's python3 (with python3-redis), not whatever python3 is first on the PATH.
        final List<String> command = new ArrayList<>(List.of(PYTHON, scriptFile(script).toString()));
        command.addAll(List.of(args));
        return run(timeoutMs, command);
    }

    /** @return a copy of a client script on disk (readable from the namespace). */
    static Path scriptFile(final String script) throws IOException
    {
        final Path file = Files.createTempFile("pks-client-", "-" + script);
        try (InputStream in = TestHost.class.getResourceAsStream("/clients/" + script))
        {
            if (in == null)
            {
                throw new IOException("no client script " + script);
            }
            Files.write(file, in.readAllBytes());
        }
        file.toFile().deleteOnExit();
        return file;
    }

    /** @return redis-cli's output for one command, as printed (one value per line). */
    String redisCli(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("redis-cli", "-h", NODE_IP, "-p", "6379"));
        command.addAll(List.of(args));
        final CommandResult r = run(30_000, command);
        if (r.exitCode() != 0)
        {
            throw new AssertionError("redis-cli " + String.join(" ", args) + " failed: " + r);
        }
        return r.stdout();
    }

    static String utf8(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Runs a client script and fails the test with its output unless it exits 0. @return its output. */
    String pythonOk(final long timeoutMs, final String script, final String... args) throws IOException
    {
        final CommandResult r = python(timeoutMs, script, args);
        if (r.exitCode() != 0)
        {
            throw new AssertionError(script + " " + String.join(" ", args) + " failed: " + r);
        }
        return r.stdout();
    }

    /** Waits until something listens on a TCP port of the client namespace's loopback. */
    void waitForLocalPort(final int port) throws InterruptedException
    {
        for (int i = 0; i < 200; i++)
        {
            if (run(5_000, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port).exitCode() == 0)
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on 127.0.0.1:" + port + " in the client namespace");
    }

    @Override
    public void close()
    {
        topology.close();
    }
}
