package io.pktstore.nic.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.TxBurst;
import io.pktstore.nic.testutil.NativeFrames;
import io.pktstore.nic.testutil.Packets;
import org.agrona.UnsafeApi;

/** What the driver benchmarks share: the machine line, medians, test frames and the peer's threads. */
final class BenchSupport
{
    /** Frames per transmit call. */
    static final int BURST = 32;

    private BenchSupport()
    {
    }

    /** @return cores, CPU, kernel, JDK and the load average, for the report's first line. */
    static String machine()
    {
        String load = "?";
        try
        {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (final Exception ignored)
        {
            // reported as "?"
        }
        return Runtime.getRuntime().availableProcessors() + " cores (shared), " + cpuModel() + ", kernel " +
            System.getProperty("os.version") + ", JDK " + System.getProperty("java.version") + ", loadavg " + load;
    }

    private static String cpuModel()
    {
        try
        {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
        }
        catch (final Exception ex)
        {
            return "unknown CPU";
        }
    }

    static double median(final double[] values)
    {
        final double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A frame of {@code size} bytes to {@code dstMac} with the local experimental ethertype 0x88B5. */
    static ByteBuffer frame(final String dstMac, final int size)
    {
        final ByteBuffer f = NativeFrames.allocate(size);
        final byte[] mac = Packets.mac(dstMac);
        for (int i = 0; i < 6; i++)
        {
            f.put(i, mac[i]);
        }
        f.put(12, (byte)0x88).put(13, (byte)0xB5);
        return f;
    }

    /** Blasts frames on {@code device} until stopped; counts accepted frames. */
    static Thread blaster(final FrameDevice device, final ByteBuffer frame, final int size, final AtomicBoolean stop,
        final AtomicLong accepted)
    {
        final Thread thread = new Thread(() ->
        {
            final TxBurst burst = new TxBurst(BURST, 1);
            final long address = NativeFrames.address(frame);
            for (int i = 0; i < BURST; i++)
            {
                burst.beginFrame();
                burst.addSegment(address, size);
            }
            while (!stop.get())
            {
                accepted.addAndGet(device.transmit(burst, 0));
            }
        }, "blaster");
        thread.start();
        return thread;
    }

    /** Receives until stopped; counts frames. */
    static Thread counter(final FrameDevice device, final AtomicBoolean stop, final AtomicLong received)
    {
        final Thread thread = new Thread(() ->
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(64, 2048);
            while (!stop.get())
            {
                final int n = device.receive(mem.burst, 0);
                if (n > 0)
                {
                    received.addAndGet(n);
                }
            }
        }, "counter");
        thread.start();
        return thread;
    }

    /** Sends every frame {@code echo} receives straight back to {@code toMac}, busy polling, until stopped. */
    static Thread echo(final FrameDevice echo, final String toMac, final AtomicBoolean stop)
    {
        final byte[] mac = Packets.mac(toMac);
        final Thread thread = new Thread(() ->
        {
            final NativeFrames.BurstMemory mem = NativeFrames.burst(8, 2048);
            final TxBurst back = new TxBurst(8, 1);
            while (!stop.get())
            {
                final int n = echo.receive(mem.burst, 0);
                if (n == 0)
                {
                    continue;
                }
                back.clear();
                for (int i = 0; i < n; i++)
                {
                    final long a = mem.burst.bufferAddress(i);
                    for (int b = 0; b < 6; b++)
                    {
                        UnsafeApi.putByte(a + b, mac[b]);
                    }
                    back.beginFrame();
                    back.addSegment(a, mem.burst.frameLength(i));
                }
                echo.transmit(back, 0);
            }
        }, "echo");
        thread.start();
        return thread;
    }
}
