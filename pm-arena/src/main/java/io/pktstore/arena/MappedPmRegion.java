package io.pktstore.arena;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import io.pktstore.arena.internal.LibC;

/**
 * A file mapped into memory with {@code mmap} through JNR-FFI (so mappings above 2 GiB work, unlike
 * {@code FileChannel.map}), with the persist primitive its file system allows:
 *
 * <ul>
 *   <li>{@link PersistMode#DAX_MAP_SYNC} when {@code mmap(MAP_SHARED_VALIDATE | MAP_SYNC)} succeeds
 *       (a DAX file system on real PM); persist = cache-line write-back + fence.</li>
 *   <li>{@link PersistMode#TMPFS_WRITEBACK} when {@code fstatfs} reports {@code TMPFS_MAGIC};
 *       persist = cache-line write-back + fence.</li>
 *   <li>{@link PersistMode#BLOCK_MSYNC} otherwise; persist marks pages dirty and the barrier
 *       {@code msync(MS_SYNC)}s every run of dirty pages (group commit).</li>
 * </ul>
 *
 * <h2>A failed msync poisons the region</h2>
 * When an {@code msync} fails, some dirty pages may never reach the disk, and Linux reports a
 * write-back error only once: a later msync of the same pages can succeed although the data is
 * lost. So the first failure <em>poisons</em> the region: that barrier throws an
 * {@link ArenaException} naming the file, the range and the error, and from then on every
 * {@link #persist} and {@link #barrier} throws too ({@link #isPoisoned()}, {@link #poisonReason()}),
 * so nothing more can be acknowledged as durable. Stores still reach the mapping, and
 * {@link #close()} still unmaps. The only way on is to close the region, reopen the file and
 * recover from what is on disk.
 *
 * <p>Single owner, not thread-safe. {@link #persist} and {@link #barrier} allocate nothing (until
 * the region is poisoned).
 */
public final class MappedPmRegion implements PmRegion {
    private static final long PAGE_SIZE = org.agrona.UnsafeApi.pageSize();

    /**
     * The {@code msync} system call, replaceable by tests ({@link #msyncForTest}), since a real
     * write-back failure is hard to provoke.
     */
    @FunctionalInterface
    interface Msync {
        /**
         * @param address first byte (page-aligned)
         * @param length  bytes
         * @return 0 on success, else the errno of the failure
         */
        int msync(long address, long length);
    }

    private static final Msync SYSTEM_MSYNC = (address, length) ->
        LibC.INSTANCE.msync(address, length, LibC.MS_SYNC) == 0 ? 0 : LibC.errno();

    private final Path file;
    /** Held open for the region's lifetime: it carries the flock(2) that makes this the file's only owner. */
    private final int lockFd;
    private final long address;
    private final long size;
    private final PersistMode mode;
    private final DirtyPageSet dirtyPages;
    private final DirtyPageSet.RunConsumer msyncRun = this::msyncRun;
    private boolean closed;
    private long msyncCalls;
    private Msync msync = SYSTEM_MSYNC;
    /** Null until a write-back fails; then why, for every later persist and barrier. */
    private String poisonReason;

    private MappedPmRegion(final Path file, final int lockFd, final long address, final long size, final PersistMode mode) {
        this.file = file;
        this.lockFd = lockFd;
        this.address = address;
        this.size = size;
        this.mode = mode;
        this.dirtyPages = mode == PersistMode.BLOCK_MSYNC ? new DirtyPageSet((size + PAGE_SIZE - 1) / PAGE_SIZE) : null;
    }

    /**
     * Opens {@code file} with exactly {@code size} bytes, creating it (sparse) if it does not exist or
     * is empty, and maps it with the best persistence mode available.
     *
     * @param file path of the arena file
     * @param size bytes; must equal the current length of a non-empty existing file
     * @return the mapped region
     * @throws ArenaException if the size is not positive, the existing file has another length
     *                        (the file is left as it was), or the file cannot be opened or mapped
     */
    public static MappedPmRegion open(final Path file, final long size) {
        return open(file, size, null);
    }

    /**
     * Like {@link #open(Path, long)}, with a requested persistence mode.
     *
     * @param file      path of the arena file
     * @param size      bytes; must equal the current length of a non-empty existing file
     * @param requested the mode to use, or null for the best available; {@link PersistMode#BLOCK_MSYNC}
     *                  works on any file, the others only where the file system provides them
     * @return the mapped region
     * @throws ArenaException if the requested mode is not available for this file, or as
     *                        {@link #open(Path, long)}
     */
    public static MappedPmRegion open(final Path file, final long size, final PersistMode requested) {
        if (size <= 0) {
            throw new InvalidGeometryException("region size " + size + " must be positive (" + file + ")");
        }
        try {
            final long existing = Files.exists(file) ? Files.size(file) : -1;
            if (existing > 0 && existing != size) {
                throw new ArenaException("file " + file + " is " + existing + " bytes, not the requested " + size
                    + "; it was left unchanged");
            }
            if (existing <= 0) {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(size); // sparse: pages are allocated when first written
                }
            }
        } catch (final IOException e) {
            throw new ArenaException("cannot create " + file + " with " + size + " bytes: " + e.getMessage(), e);
        }
        return map(file, size, requested);
    }

    /**
     * Maps an existing, non-empty file at its current length with the best persistence mode.
     *
     * @param file path of an existing file
     * @return the mapped region
     * @throws NotAnArenaException if the file is empty
     * @throws ArenaException      if the file does not exist or cannot be mapped
     */
    public static MappedPmRegion openExisting(final Path file) {
        return openExisting(file, null);
    }

    /**
     * Maps an existing, non-empty file at its current length.
     *
     * @param file      path of an existing file
     * @param requested the mode to use, or null for the best available
     * @return the mapped region
     * @throws NotAnArenaException if the file is empty
     * @throws ArenaException      if the file does not exist, cannot be mapped, or the requested mode
     *                             is not available
     */
    public static MappedPmRegion openExisting(final Path file, final PersistMode requested) {
        final long length;
        try {
            length = Files.size(file);
        } catch (final IOException e) {
            throw new ArenaException("cannot open arena file " + file + ": " + e, e);
        }
        if (length == 0) {
            throw new NotAnArenaException("file " + file + " is empty: not an arena");
        }
        return map(file, length, requested);
    }

    private static MappedPmRegion map(final Path file, final long size, final PersistMode requested) {
        if (requested == PersistMode.SIMULATED) {
            throw new ArenaException("SIMULATED mode is provided by io.pktstore.arena.sim.SimulatedPmRegion, not by a file");
        }
        final LibC libc = LibC.INSTANCE;
        final int fd = libc.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new ArenaException("cannot open " + file + " read-write: " + LibC.lastError());
        }
        boolean mapped = false;
        try {
            lockExclusively(libc, fd, file);
            final int prot = LibC.PROT_READ | LibC.PROT_WRITE;
            long address = LibC.MAP_FAILED;
            PersistMode mode = null;
            if (requested == null || requested == PersistMode.DAX_MAP_SYNC) {
                address = mmapAddress(libc.mmap(null, size, prot, LibC.MAP_SHARED_VALIDATE | LibC.MAP_SYNC, fd, 0));
                if (address != LibC.MAP_FAILED) {
                    mode = PersistMode.DAX_MAP_SYNC;
                } else {
                    final int errno = LibC.errno();
                    // EOPNOTSUPP: no DAX here; EINVAL: kernel without MAP_SHARED_VALIDATE. Anything
                    // else (ENOMEM, EACCES...) would fail the plain mapping too: report it now.
                    if (errno != LibC.EOPNOTSUPP && errno != LibC.EINVAL) {
                        throw new ArenaException("cannot map " + file + " (" + size + " bytes): " + LibC.lastError());
                    }
                    if (requested == PersistMode.DAX_MAP_SYNC) {
                        throw new ArenaException("DAX_MAP_SYNC requested but " + file
                            + " does not support MAP_SYNC: " + LibC.lastError());
                    }
                }
            }
            if (mode == null) {
                final PersistMode fsMode = isTmpfs(libc, fd, file) ? PersistMode.TMPFS_WRITEBACK : PersistMode.BLOCK_MSYNC;
                if (requested == PersistMode.TMPFS_WRITEBACK && fsMode != PersistMode.TMPFS_WRITEBACK) {
                    throw new ArenaException("TMPFS_WRITEBACK requested but " + file + " is not on tmpfs: "
                        + "cache-line write-back would not make it durable");
                }
                mode = requested == null ? fsMode : requested;
                address = mmapAddress(libc.mmap(null, size, prot, LibC.MAP_SHARED, fd, 0));
                if (address == LibC.MAP_FAILED) {
                    throw new ArenaException("cannot map " + file + " (" + size + " bytes): " + LibC.lastError());
                }
            }
            if ((mode == PersistMode.DAX_MAP_SYNC || mode == PersistMode.TMPFS_WRITEBACK) && !CacheLineWriteback.available()) {
                libc.munmap(address, size);
                throw new ArenaException("cannot use " + mode + " for " + file + ": " + CacheLineWriteback.unavailableReason());
            }
            final MappedPmRegion region = new MappedPmRegion(file, fd, address, size, mode);
            mapped = true;
            return region;
        } finally {
            if (!mapped) {
                libc.close(fd); // also releases the lock
            }
        }
    }

    /**
     * One owner per arena file: flock(2) on the descriptor this region keeps open, not a POSIX record
     * lock (FileChannel.lock), which the kernel drops when the process closes ANY descriptor of the file.
     * A flock belongs to its open file description, so a second open (in this process or another) is
     * refused too, and the lock goes away with the descriptor, also when the process dies.
     */
    private static void lockExclusively(final LibC libc, final int fd, final Path file) {
        if (libc.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0) {
            if (LibC.errno() == LibC.EWOULDBLOCK) {
                throw new ArenaInUseException("arena file " + file + " is in use by another pktstore process (or another open)");
            }
            throw new ArenaException("cannot lock " + file + ": " + LibC.lastError());
        }
    }

    private static long mmapAddress(final jnr.ffi.Pointer mapping) {
        return mapping == null ? LibC.MAP_FAILED : mapping.address();
    }

    private static boolean isTmpfs(final LibC libc, final int fd, final Path file) {
        final byte[] statfs = new byte[LibC.STATFS_BUFFER_SIZE];
        if (libc.fstatfs(fd, statfs) != 0) {
            throw new ArenaException("fstatfs(" + file + ") failed: " + LibC.lastError());
        }
        final long fType = java.nio.ByteBuffer.wrap(statfs).order(java.nio.ByteOrder.nativeOrder()).getLong(0);
        return fType == LibC.TMPFS_MAGIC;
    }

    /** @return the mapped file */
    public Path file() {
        return file;
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public PersistMode mode() {
        return mode;
    }

    /**
     * {@inheritDoc}
     *
     * @throws ArenaException if the region is {@link #isPoisoned() poisoned}
     */
    @Override
    public void persist(final long offset, final long length) {
        if (poisonReason != null) {
            throw poisoned("persist");
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("persist range [" + offset + ", +" + length + ") outside region of " + size + " bytes");
        }
        if (length == 0) {
            return;
        }
        if (dirtyPages != null) {
            dirtyPages.mark(offset / PAGE_SIZE, (offset + length - 1) / PAGE_SIZE);
        } else {
            CacheLineWriteback.writeback(address + offset, length);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws ArenaException if an {@code msync} fails now (the region is poisoned from then on) or
     *                        the region is already {@link #isPoisoned() poisoned}
     */
    @Override
    public void barrier() {
        if (poisonReason != null) {
            throw poisoned("barrier");
        }
        if (dirtyPages != null) {
            if (!dirtyPages.isEmpty()) {
                dirtyPages.drain(msyncRun);
            }
        } else {
            // writebackMemory already fenced after each persist; this orders any later stores.
            VarHandle.fullFence();
        }
    }

    private void msyncRun(final long firstPage, final long pageCount) {
        final long offset = firstPage * PAGE_SIZE;
        final long length = Math.min(pageCount * PAGE_SIZE, size - offset);
        msyncCalls++;
        final int errno = msync.msync(address + offset, length);
        if (errno != 0) {
            // Poison before throwing: the error is reported once, a retry could falsely succeed.
            poisonReason = "msync of " + file + " [" + offset + ", +" + length + ") failed: "
                + LibC.INSTANCE.strerror(errno) + " (errno " + errno + "); data written since the last successful "
                + "barrier may be lost";
            throw new ArenaException(poisonReason);
        }
    }

    private ArenaException poisoned(final String operation) {
        return new ArenaException(operation + " refused: region " + file + " is poisoned, nothing more can be made "
            + "durable (close it, reopen the file and recover). Cause: " + poisonReason);
    }

    /**
     * @return true once a write-back failed: every persist and barrier throws from then on
     */
    public boolean isPoisoned() {
        return poisonReason != null;
    }

    /** @return why the region is poisoned (file, range, error), or null if it is not */
    public String poisonReason() {
        return poisonReason;
    }

    /** Test seam: replaces the msync call of this region (e.g. with one that fails). */
    void msyncForTest(final Msync replacement) {
        this.msync = java.util.Objects.requireNonNull(replacement, "replacement");
    }

    /**
     * @return how many {@code msync} calls the barriers issued so far ({@link PersistMode#BLOCK_MSYNC}
     *         only; one per run of consecutive dirty pages, which is what group commit saves)
     */
    public long msyncCalls() {
        return msyncCalls;
    }

    /** @return true once {@link #close()} has run */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (LibC.INSTANCE.munmap(address, size) != 0) {
                throw new ArenaException("munmap of " + file + " failed: " + LibC.lastError());
            }
        } finally {
            LibC.INSTANCE.close(lockFd); // releases the lock
        }
    }

    @Override
    public String toString() {
        return "MappedPmRegion{" + file + ", " + size + " bytes, " + mode + '}';
    }
}
