package io.pktstore.system;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One storage node process serving its own test host (veth pair and client namespace) from an arena
 * in /dev/shm: what a system test that talks to a single node starts once and closes at the end. Closing
 * stops the node with SIGTERM and checks that it closed its arena cleanly, then removes the host and the
 * arena file, also when the check fails.
 */
final class NodeOnTestHost implements AutoCloseable
{
    final TestHost host;
    final NodeProcess node;
    private final Path arena;

    private NodeOnTestHost(final TestHost host, final NodeProcess node, final Path arena)
    {
        this.host = host;
        this.node = node;
        this.arena = arena;
    }

    /**
     * @param name      names the arena file (with this JVM's pid).
     * @param arenaSize the node's --arena-size.
     * @return the node, serving.
     * @throws Exception if the host or the node cannot start (what was created is removed).
     */
    static NodeOnTestHost start(final String name, final String arenaSize) throws Exception
    {
        final Path arena = Path.of("/dev/shm", "pks-" + name + "-" + ProcessHandle.current().pid() + ".arena");
        Files.deleteIfExists(arena);
        final TestHost host = new TestHost();
        try
        {
            return new NodeOnTestHost(host, NodeProcess.start(host.nodeArguments(arena, "--arena-size", arenaSize)), arena);
        }
        catch (final Exception | Error e)
        {
            host.close();
            Files.deleteIfExists(arena);
            throw e;
        }
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            node.stop();
            assertTrue(node.output().contains("arena closed cleanly"), node.output());
        }
        finally
        {
            host.close();
            Files.deleteIfExists(arena);
        }
    }
}
