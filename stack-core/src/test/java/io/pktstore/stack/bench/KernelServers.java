package io.pktstore.stack.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's side of the benchmarks: Java NIO echo (port 7) and discard (port 9) servers on the kernel's
 * TCP, one selector thread that blocks in epoll as servers do (select), TCP_NODELAY. Bind them inside the namespace that owns the
 * address (call the constructor there); the thread may run anywhere.
 */
public final class KernelServers implements AutoCloseable
{
    /** RFC 862 echo. */
    public static final int ECHO_PORT = 7;
    /** RFC 863 discard. */
    public static final int DISCARD_PORT = 9;
    /** Bytes the discard server read. */
    public final AtomicLong discarded = new AtomicLong();
    private final Selector selector;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param ip the address to bind (in the current thread's namespace). */
    public KernelServers(final String ip) throws IOException
    {
        this(ip, -1);
    }

    /**
     * @param ip  the address to bind (in the current thread's namespace).
     * @param cpu the CPU the server thread runs on, -1 for any.
     */
    KernelServers(final String ip, final int cpu) throws IOException
    {
        selector = Selector.open();
        for (final int port : new int[] {ECHO_PORT, DISCARD_PORT})
        {
            final ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(ip, port), 256);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT, port);
        }
        thread = new Thread(() ->
        {
            BenchPlacement.pinCurrentThread(cpu);
            loop();
        }, "kernel-nio-server");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try
        {
            while (running)
            {
                selector.select(100);
                final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext())
                {
                    final SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable())
                    {
                        final SocketChannel c = ((ServerSocketChannel)k.channel()).accept();
                        if (c != null)
                        {
                            c.configureBlocking(false);
                            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                            c.register(selector, SelectionKey.OP_READ, k.attachment());
                        }
                        continue;
                    }
                    final SocketChannel c = (SocketChannel)k.channel();
                    buffer.clear();
                    final int n = c.read(buffer);
                    if (n < 0)
                    {
                        k.cancel();
                        c.close();
                        continue;
                    }
                    if ((Integer)k.attachment() == ECHO_PORT)
                    {
                        buffer.flip();
                        while (buffer.hasRemaining())
                        {
                            c.write(buffer);
                        }
                    }
                    else
                    {
                        discarded.addAndGet(n);
                    }
                }
            }
        }
        catch (final IOException e)
        {
            throw new RuntimeException(e);
        }
    }

    @Override
    public void close() throws Exception
    {
        running = false;
        thread.join(5000);
        for (final SelectionKey k : selector.keys())
        {
            k.channel().close();
        }
        selector.close();
    }
}
