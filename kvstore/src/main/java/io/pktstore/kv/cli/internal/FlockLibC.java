package io.pktstore.kv.cli.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Internal, not API (public only because JNR generates its implementation in another class
 * loader). The libc calls {@code ArenaFile} needs for its lock: {@code flock(2)} on a descriptor
 * of its own. Unlike the POSIX record locks behind {@code FileChannel.lock}, which the kernel drops
 * as soon as the process closes ANY descriptor of the file (and mapping the arena opens and closes
 * one), a flock belongs to its open file description and lasts until that descriptor is closed.
 */
public interface FlockLibC {
    int O_RDWR = 2;
    int O_CREAT = 0x40;
    int O_CLOEXEC = 0x80000;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;
    int EWOULDBLOCK = 11;

    /** The bound library. */
    FlockLibC INSTANCE = LibraryLoader.create(FlockLibC.class).load("c");

    int open(String path, int flags, int mode);

    int flock(int fd, int operation);

    int close(int fd);

    String strerror(int errnum);

    /** @return errno of the last call on this thread */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }
}
