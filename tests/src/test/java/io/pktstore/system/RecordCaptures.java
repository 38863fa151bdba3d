package io.pktstore.system;

import io.pktstore.nic.host.CommandResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Records the captures that {@link CaptureReplaySystemTest} replays: for each session, a node on a
 * fresh arena serves real clients on a test host with {@code --record NAME.pcap --tcp-seed 7 --mac
 * auto}, and its store's contents afterwards ({@code inspect --keys}) go to {@code NAME.keys}.
 * Run it again when the stack's behaviour changes on purpose (a replay then no longer matches):
 * <pre>
 *   mvn -q -pl kvstore -am package -DskipTests
 *   scripts/bench tests io.pktstore.system.RecordCaptures tests/src/test/resources/captures
 * </pre>
 */
public final class RecordCaptures
{
    /** The seed every recording and replay uses for TCP's ISNs and timestamp offsets. */
    static final String TCP_SEED = "7";
    /** The node's MAC: derived from its address (--mac auto), the same on every host. */
    static final String NODE_MAC = "02:70:6b:12:00:02";

    /** A client session, run in the test host's client namespace against the node. */
    interface Session
    {
        void run(TestHost host) throws Exception;
    }

    /** The sessions, by capture name. */
    static final List<String> NAMES = List.of("redis-cli", "redis-py-pipeline");

    private RecordCaptures()
    {
    }

    static Session session(final String name)
    {
        return switch (name)
        {
            case "redis-cli" -> host ->
            {
                expect(host.redisCli("SET", "greeting", "hello"), "OK\n");
                expect(host.redisCli("SET", "big", "x".repeat(20_000)), "OK\n");
                expect(host.redisCli("GET", "greeting"), "hello\n");
                expect(host.redisCli("MSET", "a", "1", "b", "2", "c", "3"), "OK\n");
                expect(host.redisCli("STRLEN", "big"), "20000\n");
                expect(host.redisCli("DEL", "a", "nothing"), "1\n");
                expect(host.redisCli("EXISTS", "a", "b", "big"), "2\n");
            };
            case "redis-py-pipeline" -> host ->
            {
                final CommandResult r = host.python(120_000, "capture_pipeline.py", TestHost.NODE_IP);
                if (r.exitCode() != 0)
                {
                    throw new IllegalStateException("capture_pipeline.py failed: " + r);
                }
            };
            default -> throw new IllegalArgumentException("no session " + name);
        };
    }

    private static void expect(final String got, final String expected)
    {
        if (!got.equals(expected))
        {
            throw new IllegalStateException("expected " + expected.trim() + ", got " + got.trim());
        }
    }

    /** @return the lines after "keys:" of {@code pktstore inspect --keys ARENA}. */
    static String keysOf(final Path arena) throws Exception
    {
        final NodeProcess inspect = NodeProcess.run(List.of("inspect", "--keys", arena.toString()), 120);
        final String out = inspect.output();
        if (inspect.exitStatus() != 0 || !out.contains("keys:\n"))
        {
            throw new IllegalStateException("inspect --keys " + arena + " failed:\n" + out);
        }
        return out.substring(out.indexOf("keys:\n") + 6);
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 1)
        {
            System.err.println("usage: RecordCaptures OUTPUT_DIRECTORY");
            System.exit(2);
        }
        final Path out = Files.createDirectories(Path.of(args[0]));
        final Path arena = Path.of("/dev/shm", "pks-record-" + ProcessHandle.current().pid() + ".arena");
        for (final String name : NAMES)
        {
            Files.deleteIfExists(arena);
            try (TestHost host = new TestHost())
            {
                final Path capture = out.resolve(name + ".pcap");
                final NodeProcess node = NodeProcess.start(host.nodeArguments(arena, "--arena-size", "32m", "--record",
                    capture.toString(), "--tcp-seed", TCP_SEED, "--mac", "auto"));
                try
                {
                    session(name).run(host);
                }
                finally
                {
                    node.stop();
                }
                Files.writeString(out.resolve(name + ".keys"), keysOf(arena));
                System.out.printf("%s: %d frames, %d bytes%n", capture, CaptureFrames.all(capture).size(), Files.size(capture));
            }
            finally
            {
                Files.deleteIfExists(arena);
            }
        }
    }
}
