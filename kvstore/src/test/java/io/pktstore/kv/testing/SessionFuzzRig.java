package io.pktstore.kv.testing;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.server.Session;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Runs fuzz inputs through a protocol's session as the stack would deliver them, and checks what holds
 * whatever the bytes: no exception escapes (the caller's fuzz test fails on one), nothing leaks (once
 * the session closed and every key is deleted and committed, the arena has exactly the free records,
 * buffers and overflow blocks it had before), the index's invariants hold after each input, and the
 * replies are well formed (a {@link ReplyCheck} of the protocol).
 *
 * <p>Input layout: byte 0 seeds the cuts (records of 1..64 bytes, or of the MSS when its low six bits
 * are 0) and, with its high bit, says whether the peer closes after the stream; the rest is the stream. One rig (arena, store, server, one reused session) serves every input.
 */
public final class SessionFuzzRig
{
    /** What a protocol's replies must look like. */
    public interface ReplyCheck
    {
        /**
         * @param replies every byte the session released, as ISO-8859-1.
         * @param closed whether the session closed (or aborted) its connection.
         * @return null if well formed, else what is wrong.
         */
        String check(String replies, boolean closed);
    }

    private final SessionHarness harness;
    private final ReplyCheck check;
    private final long keyScratch = UnsafeApi.allocateMemory(2048);
    private final int[] nodes = new int[256];
    private final int freeRecords;
    private final int freeBuffers;
    private final int freeOverflows;
    private SessionHarness.Client client;

    /**
     * @param factory makes the protocol's session.
     * @param warmUp a request that stores a key the store must copy (so its key-copy buffer, which it keeps
     *               for later copies, is taken before the baseline), then deletes it.
     * @param check the protocol's reply check.
     */
    public SessionFuzzRig(final Function<KvServer, Session> factory, final String warmUp, final ReplyCheck check)
    {
        this.harness = new SessionHarness(Engine.SKIPLIST, 1024, ServerConfig.defaults().withLimits(64, 1024, 256), factory);
        this.check = check;
        this.client = harness.client();
        client.send(warmUp.getBytes(StandardCharsets.ISO_8859_1));
        client = harness.reconnect(client);
        clearStore();
        this.freeRecords = harness.arena.freeRecordCount();
        this.freeBuffers = harness.arena.freeBufferCount();
        this.freeOverflows = harness.arena.freeOverflowCount();
    }

    /** Runs one input; throws AssertionError if an invariant does not hold. */
    public void run(final byte[] data)
    {
        if (data.length == 0)
        {
            return;
        }
        final int control = data[0] & 0xFF;
        final byte[] stream = java.util.Arrays.copyOfRange(data, 1, data.length);
        final int[] pieces = cuts(control, stream.length);
        client = harness.reconnect(client);
        client.deliver(stream, pieces);
        final StringBuilder replies = new StringBuilder();
        for (int i = 0; i < 4; i++)
        {
            harness.cycle();
            replies.append(client.wire.take());
        }
        if ((control & 0x80) != 0)
        {
            replies.append(client.peerClose());
        }
        final boolean closed = client.wire.closed || client.wire.aborted;
        final String problem = check.check(replies.toString(), closed);
        client.close();
        final String index = harness.store.checkInvariants();
        if (index != null)
        {
            throw new AssertionError("index invariant broken: " + index);
        }
        clearStore();
        client = harness.reconnect(client);
        if (problem != null)
        {
            throw new AssertionError(problem + "\nreplies: " + printable(replies.toString()));
        }
        if (harness.arena.freeRecordCount() != freeRecords || harness.arena.freeBufferCount() != freeBuffers
            || harness.arena.freeOverflowCount() != freeOverflows)
        {
            throw new AssertionError("leak: free records " + harness.arena.freeRecordCount() + " (was " + freeRecords
                + "), free buffers " + harness.arena.freeBufferCount() + " (was " + freeBuffers + "), free overflow blocks "
                + harness.arena.freeOverflowCount() + " (was " + freeOverflows + ")");
        }
    }

    private static int[] cuts(final int control, final int length)
    {
        if ((control & 0x3F) == 0 || length == 0)
        {
            return new int[] {Math.max(1, length)};
        }
        final SplittableRandom rnd = new SplittableRandom(control);
        final int[] pieces = new int[length];
        int n = 0;
        for (int at = 0; at < length; n++)
        {
            pieces[n] = 1 + rnd.nextInt(64);
            at += pieces[n];
        }
        return java.util.Arrays.copyOf(pieces, n);
    }

    /** Deletes every key and commits, so each input starts from an empty store. */
    private void clearStore()
    {
        while (harness.store.count() > 0)
        {
            final int n = harness.store.scan(0, 0, true, 0, -1, nodes, nodes.length);
            for (int i = 0; i < n; i++)
            {
                final int length = harness.store.nodes().keyLength(nodes[i]);
                UnsafeApi.copyMemory(harness.store.nodes().keyAddress(nodes[i]), keyScratch, length);
                final int status = harness.store.delete(keyScratch, length);
                if (status != io.pktstore.kv.store.StoreStatus.DELETED)
                {
                    throw new AssertionError("a key the scan returned could not be deleted ("
                        + io.pktstore.kv.store.StoreStatus.name(status) + "), node " + nodes[i] + ", key "
                        + printable(new String(bytesAt(keyScratch, length), StandardCharsets.ISO_8859_1)));
                }
            }
        }
        harness.cycle();
    }

    private static byte[] bytesAt(final long address, final int length)
    {
        final byte[] b = new byte[length];
        UnsafeApi.copyMemory(null, address, b, UnsafeApi.arrayBaseOffset(byte[].class), length);
        return b;
    }

    /** @return the text with control bytes escaped, for a failure message. */
    public static String printable(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 2000); i++)
        {
            final char c = s.charAt(i);
            sb.append(c >= ' ' && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int)c));
        }
        return sb.toString();
    }
}
