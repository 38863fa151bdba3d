package io.pktstore.stack.system;

import io.pktstore.nic.fault.FaultConfig;
import io.pktstore.stack.StackCounters;
import io.pktstore.stack.record.PacketRecord;
import io.pktstore.stack.record.PacketRecordPool;
import io.pktstore.stack.tcp.TcpConfig;
import io.pktstore.stack.tcp.TcpConnection;
import io.pktstore.stack.tcp.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * An application callback that throws after taking a delivered record must not cost the record its
 * buffer: the stack counts the error and goes on, and the buffer (owned by the record now) must not go
 * back to the receive ring, where the next frame would overwrite the record's bytes.
 */
class ThrowingCallbackTest
{
    private static final int PORT = 7000;
    private static final byte[] FIRST = "first message, kept by the app".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SECOND = "second message overwrites?....".getBytes(StandardCharsets.US_ASCII);

    /** Keeps the first delivered record, then throws; consumes the rest normally. */
    static final class KeepThenThrow implements TcpHandler
    {
        final RuntimeException failure = new IllegalStateException("application bug");
        final PacketRecordPool pool;
        int kept = PacketRecord.NO_RECORD;

        KeepThenThrow(final PacketRecordPool pool)
        {
            this.pool = pool;
        }

        @Override
        public void onConnected(final TcpConnection c, final long nowNs)
        {
        }

        @Override
        public void onData(final TcpConnection c, final int record, final long nowNs)
        {
            if (kept == PacketRecord.NO_RECORD)
            {
                kept = record;
                throw failure;
            }
            c.consumed(c.unconsumed(), nowNs);
            pool.release(record);
        }

        @Override
        public void onPeerClosed(final TcpConnection c, final long nowNs)
        {
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason, final long nowNs)
        {
        }
    }

    /** The client side: connects and remembers its connection. */
    static class Client implements TcpHandler
    {
        TcpConnection connection;

        @Override
        public void onConnected(final TcpConnection c, final long nowNs)
        {
            connection = c;
        }

        @Override
        public void onData(final TcpConnection c, final int record, final long nowNs)
        {
        }

        @Override
        public void onPeerClosed(final TcpConnection c, final long nowNs)
        {
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason, final long nowNs)
        {
        }
    }

    @Test
    @Timeout(30)
    void recordTakenBeforeTheCallbackThrewKeepsItsBytes()
    {
        final TcpConfig config = new TcpConfig().maxConnections(4).seed(1);
        try (StackPair pair = new StackPair(FaultConfig.builder().build(), 1, config, 512))
        {
            final KeepThenThrow server = new KeepThenThrow(pair.stackA.pool());
            final Client client = new Client();
            pair.tcpA.listen(PORT, server);
            pair.tcpB.connect(StackPair.IP_A, PORT, client, pair.clock.now);
            for (int i = 0; i < 1000 && client.connection == null; i++)
            {
                cycle(pair);
            }
            assertNotNull(client.connection, "connected");
            client.connection.send(new UnsafeBuffer(FIRST), 0, FIRST.length, pair.clock.now);
            for (int i = 0; i < 1000 && server.kept == PacketRecord.NO_RECORD; i++)
            {
                cycle(pair);
            }
            assertSame(server.failure, pair.stackA.lastTransportError(), "the error was caught and kept");
            assertEquals(1, pair.stackA.counters().get(StackCounters.RX_DROP_TRANSPORT_ERROR));

            // More frames arrive at A (ACKs, retransmissions, the second message) through the same ring.
            for (int round = 0; round < 20; round++)
            {
                client.connection.send(new UnsafeBuffer(SECOND), 0, SECOND.length, pair.clock.now);
                for (int i = 0; i < 200; i++)
                {
                    cycle(pair);
                }
            }
            final PacketRecord r = pair.stackA.pool().view(server.kept);
            final byte[] bytes = new byte[r.dataLength()];
            new UnsafeBuffer(pair.arenaA.bufferAddress(r.bufferIndex()) + r.dataOffset(), bytes.length).getBytes(0, bytes);
            assertEquals(new String(FIRST, StandardCharsets.US_ASCII), new String(bytes, StandardCharsets.US_ASCII),
                "the kept record still holds the bytes it was delivered with");
        }
    }

    @Test
    @Timeout(30)
    void callbackThrowingFromATimerDoesNotEscapeTheDutyCycle()
    {
        final TcpConfig config = new TcpConfig().maxConnections(4).maxSynRetransmissions(1).seed(1);
        try (StackPair pair = new StackPair(FaultConfig.builder().build(), 1, config, 512))
        {
            final RuntimeException failure = new IllegalStateException("application bug in onClosed");
            final Client throwsOnClose = new Client()
            {
                @Override
                public void onClosed(final TcpConnection c, final int reason, final long nowNs)
                {
                    throw failure;
                }
            };
            final Client peerClient = new Client();
            pair.tcpA.listen(PORT, new KeepThenThrow(pair.stackA.pool()));
            // Nobody answers at .9: the SYN retries run out in a timer, whose onClosed throws.
            pair.tcpB.connect(0xC6120109, PORT, throwsOnClose, pair.clock.now);
            pair.tcpB.connect(StackPair.IP_A, PORT, peerClient, pair.clock.now);
            for (int i = 0; i < 20_000 && pair.stackB.lastTransportError() == null; i++)
            {
                final int work = pair.stackA.doWork() + pair.stackB.doWork();
                final long next = Math.min(pair.tcpA.nextDeadlineNs(), pair.tcpB.nextDeadlineNs());
                pair.clock.now = work > 0 || next == Long.MAX_VALUE ? pair.clock.now + 1_000_000L :
                    Math.max(pair.clock.now + 1_000_000L, next);
            }
            assertSame(failure, pair.stackB.lastTransportError(), "the error was caught and kept");
            assertEquals(1, pair.stackB.counters().get(StackCounters.TRANSPORT_POLL_ERRORS));
            assertNotNull(peerClient.connection, "the other connection was made and goes on");
            assertEquals(1, pair.tcpB.connectionCount(), "the timed-out connection is gone, the other lives");
        }
    }

    /** Both duty cycles without {@link StackPair#step}'s check (a transport error is expected here). */
    private static void cycle(final StackPair pair)
    {
        final int work = pair.stackA.doWork() + pair.stackB.doWork();
        pair.clock.now += work == 0 ? 1_000_000L : StackPair.STEP_NS;
    }
}
