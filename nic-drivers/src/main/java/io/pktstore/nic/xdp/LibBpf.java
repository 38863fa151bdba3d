package io.pktstore.nic.xdp;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * The libbpf calls (Debian's libbpf1, 1.1) that load the redirect program and attach it. Objects are
 * raw pointers ({@code long}). libbpf 1.x reports errors as a NULL pointer or a negative errno and
 * also sets errno. None of these calls has six arguments (JNR-FFI 2.2.17's fast path garbles the
 * sixth), which is why the program is loaded from an object file rather than with bpf_prog_load.
 */
final class LibBpf
{
    /** The bound functions (public: JNR implements it from another class loader). */
    public interface Functions
    {
        @SaveError
        long bpf_object__open_file(String path, long opts);

        @SaveError
        int bpf_object__load(long object);

        @SaveError
        long bpf_object__find_program_by_name(long object, String name);

        @SaveError
        int bpf_program__fd(long program);

        @SaveError
        int bpf_object__find_map_fd_by_name(long object, String name);

        @SaveError
        int bpf_map_update_elem(int mapFd, long key, long value, long flags);

        @SaveError
        int bpf_link_create(int programFd, int targetFd, int attachType, long opts);

        @SaveError
        int bpf_obj_get_info_by_fd(int fd, long info, long infoLength);

        void bpf_object__close(long object);

        long libbpf_set_print(long printFunction);
    }

    static final Functions BPF;
    private static final Runtime RUNTIME;

    static
    {
        BPF = LibraryLoader.create(Functions.class).failImmediately().load("bpf");
        RUNTIME = Runtime.getRuntime(BPF);
        // libbpf prints its own warnings to stderr; every failure is reported by the device with errno.
        BPF.libbpf_set_print(0L);
    }

    private LibBpf()
    {
    }

    /** @return errno of the last libbpf call on this thread. */
    static int errno()
    {
        return RUNTIME.getLastError();
    }
}
