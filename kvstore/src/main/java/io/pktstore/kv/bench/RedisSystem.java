package io.pktstore.kv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Redis from Debian's packages ({@code redis-server} 7), what a user would pick instead, on the kernel's
 * TCP at the server address of the same veth end (the root namespace's side of the pair, the address
 * given to the kernel for the run). Its data directory is a fresh folder in /dev/shm (tmpfs, like our
 * arena), so fsync costs what it costs on tmpfs. Two configurations: {@code appendonly yes} with
 * {@code appendfsync always} (every write durable before its reply, as ours), and persistence off (no
 * AOF, no RDB snapshots). Started per round, stopped by its pid (SIGTERM, then SIGKILL). RESP only.
 */
final class RedisSystem implements BenchSystem
{
    /** The server binary Debian's redis-server package installs. */
    static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    private final boolean fsyncAlways;

    RedisSystem(final boolean fsyncAlways)
    {
        this.fsyncAlways = fsyncAlways;
    }

    /** @return true if redis-server is installed. */
    static boolean installed()
    {
        return Files.isExecutable(REDIS_SERVER);
    }

    @Override
    public String name()
    {
        return fsyncAlways ? BenchPlan.REDIS_ALWAYS : BenchPlan.REDIS_OFF;
    }

    @Override
    public String description()
    {
        return fsyncAlways ? "Redis 7 (Debian), appendonly yes + appendfsync always, data in /dev/shm"
            : "Redis 7 (Debian), persistence off (no AOF, no RDB)";
    }

    @Override
    public Running start(final BenchHost host, final Workload workload) throws Exception
    {
        host.kernelOwnsServerAddress(true);
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pks-bench-redis-");
        final List<String> command = new ArrayList<>(List.of(REDIS_SERVER.toString(), "--bind", BenchHost.SERVER_IP,
            "--port", Integer.toString(FrontEnds.RESP_PORT), "--dir", dir.toString(), "--save", "",
            "--protected-mode", "no", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(fsyncAlways ? List.of("--appendonly", "yes", "--appendfsync", "always")
            : List.of("--appendonly", "no"));
        final Process redis = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.out").toFile()).start();
        final Running running = new Running()
        {
            @Override
            public int port(final Protocol protocol)
            {
                return FrontEnds.RESP_PORT;
            }

            @Override
            public void close() throws Exception
            {
                try
                {
                    redis.destroy();
                    if (!redis.waitFor(10, TimeUnit.SECONDS))
                    {
                        redis.destroyForcibly();
                        redis.waitFor(10, TimeUnit.SECONDS);
                    }
                }
                finally
                {
                    deleteTree(dir);
                }
            }
        };
        try
        {
            awaitListening(redis, dir);
            return running;
        }
        catch (final Exception | Error e)
        {
            running.close();
            throw e;
        }
    }

    private static void awaitListening(final Process redis, final Path dir) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            if (!redis.isAlive())
            {
                throw new IllegalStateException("redis-server exited with " + redis.exitValue() + ": "
                    + Files.readString(dir.resolve("redis.out")));
            }
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(BenchHost.SERVER_IP, FrontEnds.RESP_PORT), 200);
                return;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen within 20 s");
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
