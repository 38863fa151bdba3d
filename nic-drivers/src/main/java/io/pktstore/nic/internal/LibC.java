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
        /**
         * socket(2).
         *
         * @param domain address family
         * @param type socket type
         * @param protocol protocol
         * @return descriptor, or -1 with errno
         */
        @SaveError
        int socket(int domain, int type, int protocol);

        /**
         * setsockopt(2).
         *
         * @param fd socket
         * @param level option level
         * @param option option name
         * @param value address of the value
         * @param length value length
         * @return 0, or -1 with errno
         */
        @SaveError
        int setsockopt(int fd, int level, int option, long value, int length);

        /**
         * getsockopt(2).
         *
         * @param fd socket
         * @param level option level
         * @param option option name
         * @param value address of the value buffer
         * @param lengthAddress address of a socklen_t: buffer size in, value length out
         * @return 0, or -1 with errno
         */
        @SaveError
        int getsockopt(int fd, int level, int option, long value, long lengthAddress);

        /**
         * syscall(2). mmap is reached through it: JNR's fast path for six-argument calls passes a garbage sixth
         * argument on this machine (seen with strace: sendto's addrlen arrived as a random number; mmap's
         * offset made glibc refuse with EINVAL before any syscall); seven arguments take JNR's generic path,
         * which passes all of them correctly.
         *
         * @param number syscall number
         * @param a1 argument 1
         * @param a2 argument 2
         * @param a3 argument 3
         * @param a4 argument 4
         * @param a5 argument 5
         * @param a6 argument 6
         * @return the syscall's result, or -1 with errno
         */
        @SaveError
        long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

        /**
         * munmap(2).
         *
         * @param address mapping start
         * @param length mapping length
         * @return 0, or -1 with errno
         */
        @SaveError
        int munmap(long address, long length);

        /**
         * bind(2).
         *
         * @param fd socket
         * @param address address of the sockaddr
         * @param length sockaddr length
         * @return 0, or -1 with errno
         */
        @SaveError
        int bind(int fd, long address, int length);

        /**
         * if_nametoindex(3).
         *
         * @param name interface name
         * @return the index, or 0 with errno
         */
        @SaveError
        int if_nametoindex(String name);

        /**
         * send(2), used instead of six-argument sendto (see {@link #syscall}).
         *
         * @param fd socket
         * @param buffer data address (0 to only kick a TX ring)
         * @param length data length
         * @param flags MSG_* flags
         * @return bytes sent, or -1 with errno
         */
        @SaveError
        long send(int fd, long buffer, long length, int flags);

        /**
         * poll(2).
         *
         * @param fds address of the pollfd array
         * @param count entries
         * @param timeoutMs timeout in ms, -1 for none
         * @return ready descriptors, 0 on timeout, or -1 with errno
         */
        @SaveError
        int poll(long fds, long count, int timeoutMs);

        /**
         * ioctl(2).
         *
         * @param fd descriptor
         * @param request request code
         * @param argument address of the argument
         * @return request-specific, -1 with errno on failure
         */
        @SaveError
        int ioctl(int fd, long request, long argument);

        /**
         * close(2).
         *
         * @param fd descriptor
         * @return 0, or -1 with errno
         */
        @SaveError
        int close(int fd);

        /**
         * open(2).
         *
         * @param path file path
         * @param flags O_* flags
         * @return descriptor, or -1 with errno
         */
        @SaveError
        int open(String path, int flags);

        /**
         * setns(2): moves the calling thread into a namespace.
         *
         * @param fd descriptor of a namespace file
         * @param nstype CLONE_NEW* type, 0 for any
         * @return 0, or -1 with errno
         */
        @SaveError
        int setns(int fd, int nstype);

        /**
         * getpid(2).
         *
         * @return the process id
         */
        @SaveError
        int getpid();

        /**
         * gettid(2).
         *
         * @return the calling thread's id
         */
        @SaveError
        int gettid();

        /**
         * clock_gettime(2).
         *
         * @param clock CLOCK_* id
         * @param timespec address of a struct timespec (tv_sec i64@0, tv_nsec i64@8)
         * @return 0, or -1 with errno
         */
        @SaveError
        int clock_gettime(int clock, long timespec);

        /**
         * strerror(3).
         *
         * @param errno an errno value
         * @return its text
         */
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
    /** CLOCK_REALTIME. */
    public static final int CLOCK_REALTIME = 0;
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
    /** EFAULT. */
    public static final int EFAULT = 14;
    /** EEXIST. */
    public static final int EEXIST = 17;
    /** EINVAL. */
    public static final int EINVAL = 22;
    /** EOPNOTSUPP (= ENOTSUP on Linux). */
    public static final int EOPNOTSUPP = 95;
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
     * @param address hint, 0 for none
     * @param length bytes to map
     * @param prot PROT_* bits
     * @param flags MAP_* bits
     * @param fd descriptor to map
     * @param offset offset in the file/socket
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
            case EFAULT: name = "EFAULT"; break;
            case EEXIST: name = "EEXIST"; break;
            case EOPNOTSUPP: name = "EOPNOTSUPP"; break;
            case ENOBUFS: name = "ENOBUFS"; break;
            default: name = "errno " + errno;
        }
        return name + " (" + text + ")";
    }
}
