package io.pktstore.nic.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * The libc calls the drivers and the test-host harness need, bound through JNR-FFI. Pointers are
 * passed as raw {@code long} addresses (of direct ByteBuffers allocated up front) so that calls on
 * the data path (send, poll, getsockopt) allocate nothing. Every call saves errno; read it with
 * {@link #errno()} right after a failed call on the same thread.
 */
public final class LibC
{
    /** The bound functions. */
    public interface Functions
    {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int setsockopt(int fd, int level, int option, long value, int length);

        @SaveError
        int getsockopt(int fd, int level, int option, long value, long lengthAddress);

        /**
         * syscall(2). mmap is reached through it: JNR's fast path for six-argument calls passed a
         * garbage sixth argument (the mmap offset) on this machine, so glibc refused with EINVAL before
         * any syscall; seven arguments take JNR's generic path, which passes all of them correctly.
         */
        @SaveError
        long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

        @SaveError
        int munmap(long address, long length);

        @SaveError
        int bind(int fd, long address, int length);

        @SaveError
        int if_nametoindex(String name);

        /** send(2), used instead of six-argument sendto (see {@link #syscall}). */
        @SaveError
        long send(int fd, long buffer, long length, int flags);

        @SaveError
        int poll(long fds, long count, int timeoutMs);

        @SaveError
        int ioctl(int fd, long request, long argument);

        @SaveError
        int close(int fd);

        @SaveError
        int open(String path, int flags);

        @SaveError
        int setns(int fd, int nstype);

        @SaveError
        int getpid();

        @SaveError
        int gettid();

        String strerror(int errno);
    }

    /** The loaded library. */
    public static final Functions C = LibraryLoader.create(Functions.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(C);

    /** Linux constants used here (x86-64 / generic). */
    public static final int AF_PACKET = 17;
    /** SOCK_RAW. */
    public static final int SOCK_RAW = 3;
    /** SOCK_DGRAM. */
    public static final int SOCK_DGRAM = 2;
    /** AF_INET. */
    public static final int AF_INET = 2;
    /** SOL_PACKET. */
    public static final int SOL_PACKET = 263;
    /** PROT_READ | PROT_WRITE. */
    public static final int PROT_READ_WRITE = 3;
    /** MAP_SHARED. */
    public static final int MAP_SHARED = 1;
    /** MAP_FAILED as returned by mmap. */
    public static final long MAP_FAILED = -1L;
    /** MSG_DONTWAIT. */
    public static final int MSG_DONTWAIT = 0x40;
    /** POLLIN. */
    public static final short POLLIN = 1;
    /** POLLERR. */
    public static final short POLLERR = 8;
    /** O_RDONLY | O_CLOEXEC. */
    public static final int O_RDONLY_CLOEXEC = 0x80000;
    /** CLONE_NEWNET. */
    public static final int CLONE_NEWNET = 0x40000000;
    /** SIOCGIFMTU. */
    public static final long SIOCGIFMTU = 0x8921;

    /** errno values we name in messages. */
    public static final int EPERM = 1;
    /** ENOENT. */
    public static final int ENOENT = 2;
    /** EINTR. */
    public static final int EINTR = 4;
    /** ENXIO. */
    public static final int ENXIO = 6;
    /** EAGAIN. */
    public static final int EAGAIN = 11;
    /** ENOMEM. */
    public static final int ENOMEM = 12;
    /** EACCES. */
    public static final int EACCES = 13;
    /** EBUSY. */
    public static final int EBUSY = 16;
    /** ENODEV. */
    public static final int ENODEV = 19;
    /** EINVAL. */
    public static final int EINVAL = 22;
    /** ENOBUFS. */
    public static final int ENOBUFS = 105;

    /** SYS_mmap on x86-64. */
    private static final long SYS_MMAP = 9;

    private LibC()
    {
    }

    /**
     * mmap(2) through syscall(2) (see {@link Functions#syscall}).
     *
     * @return the mapped address, or {@link #MAP_FAILED} with errno set.
     */
    public static long mmap(final long address, final long length, final int prot, final int flags, final int fd,
        final long offset)
    {
        return C.syscall(SYS_MMAP, address, length, prot, flags, fd, offset);
    }

    /** @return errno of the last call made through {@link #C} on this thread. */
    public static int errno()
    {
        return RUNTIME.getLastError();
    }

    /**
     * @param errno an errno value.
     * @return "ENAME (text)" for errno values named here, "errno N (text)" otherwise.
     */
    public static String describe(final int errno)
    {
        final String text = C.strerror(errno);
        final String name;
        switch (errno)
        {
            case EPERM: name = "EPERM"; break;
            case ENOENT: name = "ENOENT"; break;
            case EINTR: name = "EINTR"; break;
            case ENXIO: name = "ENXIO"; break;
            case EAGAIN: name = "EAGAIN"; break;
            case ENOMEM: name = "ENOMEM"; break;
            case EACCES: name = "EACCES"; break;
            case EBUSY: name = "EBUSY"; break;
            case ENODEV: name = "ENODEV"; break;
            case EINVAL: name = "EINVAL"; break;
            case ENOBUFS: name = "ENOBUFS"; break;
            default: name = "errno " + errno;
        }
        return name + " (" + text + ")";
    }
}
