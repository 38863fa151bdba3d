package io.pktstore.kv.testing;

import io.pktstore.arena.Arena;
import io.pktstore.arena.ArenaGeometry;
import io.pktstore.arena.sim.SimulatedPmRegion;
import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ClientConnection;
import io.pktstore.kv.server.KvServer;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.server.Session;
import io.pktstore.kv.store.KvStore;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.UnsafeApi;

import java.io.ByteArrayOutputStream;
import java.util.function.Function;

/**
 * Drives front-end sessions without a network: requests are cut into records at chosen byte
 * boundaries (each piece a received frame with a correct checksum, as the stack delivers it), the
 * server's duty-cycle hook commits and releases, and the bytes handed to the connection are read
 * back from the records sent (and released, as TCP would once acknowledged).
 */
public final class SessionHarness implements AutoCloseable
{
    public final SimulatedPmRegion region;
    public final Arena arena;
    public final KvStore store;
    public final PacketRecordPool pool;
    public final KvServer server;
    public final Segments segments;
    private final Function<KvServer, Session> factory;
    public long now = 1_000_000_000L;

    /** A connection that records what the session sends, and whether it was released yet. */
    public final class Wire implements ClientConnection
    {
        public final ByteArrayOutputStream released = new ByteArrayOutputStream();
        public final ByteArrayOutputStream held = new ByteArrayOutputStream();
        /** Addresses of the first byte of every record sent (zero-copy checks). */
        public final java.util.List<long[]> sentRanges = new java.util.ArrayList<>();
        public int space = 1 << 20;
        public long consumed;
        public boolean closed;
        public boolean aborted;
        private boolean holding;

        @Override
        public int sendSpace()
        {
            return space - held.size();
        }

        @Override
        public int sendRecords(final int head, final long nowNs)
        {
            if (closed || aborted)
            {
                return head;   // as a connection that no longer sends: nothing taken
            }
            final PacketRecord view = new PacketRecord();
            for (int r = head; r != PacketRecord.NO_RECORD; )
            {
                view.wrap(arena, r);
                final byte[] bytes = new byte[view.dataLength()];
                final long address = view.dataAddress(arena);
                UnsafeApi.copyMemory(null, address, bytes, UnsafeApi.arrayBaseOffset(byte[].class), bytes.length);
                sentRanges.add(new long[] {address, bytes.length});
                (holding ? held : released).writeBytes(bytes);
                final int next = view.next();
                pool.release(r);
                r = next;
            }
            return PacketRecord.NO_RECORD;
        }

        @Override
        public void consumed(final int bytes, final long nowNs)
        {
            consumed += bytes;
        }

        @Override
        public void holdSends()
        {
            holding = true;
        }

        @Override
        public void releaseHeldSends(final long nowNs)
        {
            released.writeBytes(held.toByteArray());
            held.reset();
        }

        @Override
        public void close(final long nowNs)
        {
            closed = true;
        }

        @Override
        public void abort(final long nowNs)
        {
            aborted = true;
        }

        @Override
        public int localPort()
        {
            return 6379;
        }

        /** @return the released bytes so far as a string (ISO-8859-1), and forgets them. */
        public String take()
        {
            final String s = released.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            released.reset();
            return s;
        }
    }

    /** A connected session and its wire. */
    public final class Client
    {
        public final Session session;
        public final Wire wire = new Wire();

        Client()
        {
            session = factory.apply(server);
            session.open(wire);
        }

        /** Delivers {@code data} cut at the given piece lengths (the rest in one piece), then one duty cycle. */
        public String send(final byte[] data, final int... pieces)
        {
            deliver(data, pieces);
            cycle();
            return wire.take();
        }

        /** Delivers without running the duty cycle. */
        public void deliver(final byte[] data, final int... pieces)
        {
            final long buffer = UnsafeApi.allocateMemory(Math.max(1, data.length));
            UnsafeApi.copyMemory(data, UnsafeApi.arrayBaseOffset(byte[].class), null, buffer, data.length);
            int at = 0;
            int piece = 0;
            while (at < data.length)
            {
                final int length = piece < pieces.length ? Math.min(pieces[piece++], data.length - at)
                    : Math.min(segments.mss, data.length - at);
                if (length == 0)
                {
                    continue;
                }
                final int record = segments.segment(buffer + at, length);
                if (record == PacketRecord.NO_RECORD)
                {
                    throw new AssertionError("harness arena out of space");
                }
                session.deliver(record, now);
                at += length;
            }
            UnsafeApi.freeMemory(buffer);
        }

        /** @return the reply to {@code text} sent in one piece. */
        public String send(final String text)
        {
            return send(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        /** The connection goes away. */
        public void close()
        {
            session.closed();
        }
    }

    /**
     * @param engine the store's engine.
     * @param buffers arena buffers (2 KiB each).
     * @param config the server's settings.
     * @param factory makes the protocol's sessions.
     */
    public SessionHarness(final Engine engine, final int buffers, final ServerConfig config,
                          final Function<KvServer, Session> factory)
    {
        final ArenaGeometry geometry = ArenaGeometry.of(buffers * 8, buffers, 2048, buffers / 4 + 16);
        region = SimulatedPmRegion.create(geometry.requiredBytes());
        arena = Arena.format(region, geometry);
        store = KvStore.create(arena, engine, KvStoreConfig.defaults().withReserves(1, 1, 64, 32));
        pool = new PacketRecordPool(arena);
        server = new KvServer(store, pool, config);
        segments = new Segments(arena, pool);
        this.factory = factory;
    }

    /** @return a new connected client. */
    public Client client()
    {
        return new Client();
    }

    /** One duty cycle's hook: commit, release replies. */
    public void cycle()
    {
        server.afterInput(now);
        now += 10_000;
    }

    @Override
    public void close()
    {
        arena.close();
        region.close();
    }
}
