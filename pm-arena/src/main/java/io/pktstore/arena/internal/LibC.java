package io.pktstore.arena.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;

/**
 * Internal, not API (public only because JNR generates its implementation in another class
 * loader). The few libc calls the mapped region needs, bound once through JNR-FFI. Addresses and lengths are
 * passed as Java longs (64-bit on the x86-64 / aarch64 LP64 ABIs this project runs on).
 */
public interface LibC {
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 0x01;
    /** Like MAP_SHARED, but unknown flags are an error instead of being ignored (needed for MAP_SYNC). */
    int MAP_SHARED_VALIDATE = 0x03;
    int MAP_SYNC = 0x80000;
    int MS_SYNC = 4;
    int EINVAL = 22;
    int EWOULDBLOCK = 11;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int EOPNOTSUPP = 95;
    /** mmap's failure value, (void *) -1. */
    long MAP_FAILED = -1L;
    /** statfs f_type of tmpfs. */
    long TMPFS_MAGIC = 0x01021994L;
    /** sizeof(struct statfs) on LP64 Linux is 120; a little slack costs nothing. */
    int STATFS_BUFFER_SIZE = 256;

    /** The bound library. */
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    int open(String path, int flags);

    int close(int fd);

    int flock(int fd, int operation);

    /**
     * The hint address is a Pointer (pass null) on purpose: declared with six primitive parameters,
     * JNR's all-primitive fast path passed a garbage offset on this machine (mmap returned EINVAL
     * without reaching the kernel); a Pointer parameter takes the general path, which works.
     *
     * @return the mapping, or a pointer whose address is {@link #MAP_FAILED}
     */
    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(long addr, long length);

    int msync(long addr, long length, int flags);

    /** struct statfs: f_type is the first field, a long, on LP64 Linux. */
    int fstatfs(int fd, @Out byte[] buf);

    String strerror(int errnum);

    /** @return errno of the last call on this thread */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    /** @return "strerror (errno N)" for the last call's errno */
    static String lastError() {
        final int e = errno();
        return INSTANCE.strerror(e) + " (errno " + e + ")";
    }
}
