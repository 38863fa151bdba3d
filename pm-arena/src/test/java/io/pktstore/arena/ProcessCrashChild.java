package io.pktstore.arena;

import java.nio.file.Path;

import org.agrona.UnsafeApi;

/**
 * Child process for {@link ProcessCrashTest}: creates an arena file and commits a linked list of
 * entries as fast as it can (write payload, persist, write record, persist, barrier, link with
 * setRoot), printing "ACK n" after entry n is committed, until it is killed or the arena is full.
 * Not a test and not a benchmark: a workload to be killed with SIGKILL.
 *
 * <pre>
 *  record: 0 buffer (i32) | 4 length (i32) | 8 next record + 1, 0 = end (i64) | 16 seq (i64)
 *  buffer: length bytes, byte i = (byte) (seq * 31 + i)
 * </pre>
 */
public final class ProcessCrashChild {
    static final int BUFFER_OFFSET = 0;
    static final int LENGTH_OFFSET = 4;
    static final int NEXT_OFFSET = 8;
    static final int SEQ_OFFSET = 16;

    private ProcessCrashChild() {
    }

    /**
     * @param args arena file path, max entries
     */
    public static void main(final String[] args) throws InterruptedException {
        final Path file = Path.of(args[0]);
        final long maxEntries = Long.parseLong(args[1]);
        final Arena arena = Arena.create(file, 8 << 20, 256);
        System.out.println("READY " + arena.mode());
        System.out.flush();
        long head = 0;
        for (long seq = 1; seq <= maxEntries; seq++) {
            final int r = arena.allocateRecord();
            final int b = arena.allocateBuffer();
            if (r == Arena.NONE || b == Arena.NONE) {
                break;
            }
            final int length = 1 + (int) (seq % arena.bufferSize());
            final long buf = arena.bufferAddress(b);
            for (int i = 0; i < length; i++) {
                UnsafeApi.putByte(buf + i, payloadByte(seq, i));
            }
            arena.persistBuffer(b, 0, length);
            final long rec = arena.recordAddress(r);
            UnsafeApi.putInt(rec + BUFFER_OFFSET, b);
            UnsafeApi.putInt(rec + LENGTH_OFFSET, length);
            UnsafeApi.putLong(rec + NEXT_OFFSET, head);
            UnsafeApi.putLong(rec + SEQ_OFFSET, seq);
            arena.persistRecord(r);
            arena.barrier();
            arena.setRoot(0, r + 1L);
            head = r + 1L;
            System.out.println("ACK " + seq);
        }
        System.out.println("DONE");
        System.out.flush();
        Thread.sleep(60_000); // wait to be killed; never closes cleanly
    }

    static byte payloadByte(final long seq, final int i) {
        return (byte) (seq * 31 + i);
    }
}
