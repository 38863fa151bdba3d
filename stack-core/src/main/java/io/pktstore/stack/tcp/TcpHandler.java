package io.pktstore.stack.tcp;

/**
 * What an application implements to use TCP connections. One instance serves many connections (pass a
 * long-lived object, never a lambda per call); every method runs on the stack's thread inside its duty
 * cycle, so it must not block.
 * <p>
 * When: the stack calls back after it has finished processing the segment (or timer) that caused the
 * event, never from inside that processing, so a callback sees the connection as the whole segment left
 * it and may call any {@link TcpConnection} method. The order for one segment is always onConnected,
 * onSendAcked, onData (in sequence order, one call per record), onPeerClosed; onClosed comes last and
 * only for a connection the application was told about (an active open, or after onConnected).
 * <p>
 * Ownership of data: {@link #onData} hands the application a packet record index. From then on the
 * application owns that record: it either keeps it (e.g. links it into an index), passes it back to
 * {@link TcpConnection#sendRecords} (zero-copy echo), or releases it through the stack's
 * {@code PacketRecordPool}. The bytes of a delivered record count against the receive window until the
 * application calls {@link TcpConnection#consumed(int)}; that is how a slow application closes the
 * window (flow control) instead of letting the arena fill up.
 */
public interface TcpHandler
{
    /**
     * The connection reached ESTABLISHED (active or passive open). The application may send now.
     *
     * @param connection the connection.
     * @param nowNs      the duty cycle's clock.
     */
    void onConnected(TcpConnection connection, long nowNs);

    /**
     * In-order data arrived.
     *
     * @param connection the connection.
     * @param record     packet record covering the new bytes ({@code dataOffset}/{@code dataLength} in its
     *                   buffer, {@code tcpSeq} = sequence number of the first byte); now owned by the
     *                   application.
     * @param nowNs      the duty cycle's clock.
     */
    void onData(TcpConnection connection, int record, long nowNs);

    /**
     * The peer's FIN arrived in order: no more data will come. The application may keep sending and
     * should call {@link TcpConnection#close} when done.
     *
     * @param connection the connection.
     * @param nowNs      the duty cycle's clock.
     */
    void onPeerClosed(TcpConnection connection, long nowNs);

    /**
     * Bytes we sent were acknowledged; {@link TcpConnection#sendSpace()} grew by that much: the moment to
     * pass again what {@link TcpConnection#send} or {@link TcpConnection#sendRecords} did not take.
     *
     * @param connection the connection.
     * @param bytes      bytes newly acknowledged, > 0.
     * @param nowNs      the duty cycle's clock.
     */
    default void onSendAcked(final TcpConnection connection, final int bytes, final long nowNs)
    {
    }

    /**
     * The connection is gone; the object goes back to the pool right after this returns and must not
     * be used again.
     *
     * @param connection the connection.
     * @param reason     a {@link TcpCloseReason} constant.
     * @param nowNs      the duty cycle's clock.
     */
    void onClosed(TcpConnection connection, int reason, long nowNs);
}
