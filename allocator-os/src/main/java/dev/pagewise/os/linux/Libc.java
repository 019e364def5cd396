package dev.pagewise.os.linux;

import dev.pagewise.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls Pagewise makes on Linux, bound through the FFM linker with {@code errno} captured.
 * Each wrapper throws {@link OsException} naming the call on failure. Thread-safe.
 */
final class Libc {

    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;

    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;

    public static final int MADV_DONTNEED = 4;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_DONTDUMP = 16;
    /** Linux 6.13+ ({@code include/uapi/asm-generic/mman-common.h}); older kernels answer {@code EINVAL}. */
    public static final int MADV_GUARD_INSTALL = 102;
    public static final int MADV_GUARD_REMOVE = 103;

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int RUSAGE_THREAD = 1;
    /** Offset of {@code ru_minflt} in {@code struct rusage} on 64-bit Linux. */
    public static final long RUSAGE_MINFLT_OFFSET = 64;
    public static final long RUSAGE_SIZE = 144;

    private static final long MAP_FAILED = -1L;
    private static final int SC_PAGESIZE = 30;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Scratch<MemorySegment> CAPTURES = new Scratch<>(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MPROTECT = downcall("mprotect",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MINCORE = downcall("mincore",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SYSCALL1 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL6 = downcall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL6_AT = downcall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
            ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETRUSAGE = downcall("getrusage",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle MLOCK = downcall("mlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(LIBC.find("sysconf").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    /** The system page size. */
    public static final long PAGE_SIZE = sysconf(SC_PAGESIZE);

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), descriptor, options);
    }

    private static OsException failure(Supplier<String> call, MemorySegment capture) {
        int errno = (int) ERRNO.get(capture, 0L);
        return new OsException(call.get(), errno, Errno.name(errno));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError(t);
    }

    private static long sysconf(int name) {
        try {
            return (long) SYSCONF.invokeExact(name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code mmap}; returns the mapping's address. */
    public static long mmap(long address, long length, int prot, int flags, int fd, long offset, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            MemorySegment result;
            try {
                result = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.ofAddress(address), length, prot, flags, fd, offset);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (result.address() == MAP_FAILED) {
                throw failure(call, capture);
            }
            return result.address();
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code munmap}. */
    public static void munmap(long address, long length) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) MUNMAP.invokeExact(capture, MemorySegment.ofAddress(address), length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(() -> "munmap(0x" + Long.toHexString(address) + ", " + length + ")", capture);
            }
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code mprotect}. */
    public static void mprotect(long address, long length, int prot, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) MPROTECT.invokeExact(capture, MemorySegment.ofAddress(address), length, prot);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(call, capture);
            }
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code madvise}. */
    public static void madvise(long address, long length, int advice, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) MADVISE.invokeExact(capture, MemorySegment.ofAddress(address), length, advice);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(call, capture);
            }
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code mincore}: one byte per page into {@code vec}, bit 0 set when the page is resident. */
    public static void mincore(long address, long length, MemorySegment vec) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) MINCORE.invokeExact(capture, MemorySegment.ofAddress(address), length, vec);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(() -> "mincore(0x" + Long.toHexString(address) + ", " + length + ")", capture);
            }
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code mlock}. */
    public static void mlock(long address, long length, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) MLOCK.invokeExact(capture, MemorySegment.ofAddress(address), length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(call, capture);
            }
        } finally {
            CAPTURES.release(capture);
        }
    }

    /**
     * {@code ioctl(fd, request, arg)}; returns its non-negative result.
     *
     * @throws OsException if it returns -1
     */
    public static int ioctl(int fd, long request, MemorySegment arg, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) IOCTL.invokeExact(capture, fd, request, arg);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc < 0) {
                throw failure(call, capture);
            }
            return rc;
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code open(path, flags)}; returns the file descriptor. */
    public static int open(String path, int flags) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int fd;
            try (Arena arena = Arena.ofConfined()) {
                fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (fd < 0) {
                throw failure(() -> "open(" + path + ", 0x" + Integer.toHexString(flags) + ")", capture);
            }
            return fd;
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code close(fd)}. */
    public static void close(int fd) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) CLOSE.invokeExact(capture, fd);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(() -> "close(" + fd + ")", capture);
            }
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code pread(fd, buf, count, offset)}; returns the bytes read. */
    public static long pread(int fd, MemorySegment buffer, long count, long offset) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            long n;
            try {
                n = (long) PREAD.invokeExact(capture, fd, buffer, count, offset);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                throw failure(() -> "pread(" + fd + ", " + count + ", " + offset + ")", capture);
            }
            return n;
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@code syscall(number, arg)}; returns its non-negative result. */
    public static long syscall(long number, int arg, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            long rc;
            try {
                rc = (long) SYSCALL1.invokeExact(capture, number, arg);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc < 0) {
                throw failure(call, capture);
            }
            return rc;
        } finally {
            CAPTURES.release(capture);
        }
    }

    /**
     * {@code syscall(number, a1, ..., a6)} for calls glibc does not wrap ({@code mbind}, {@code get_mempolicy});
     * pointers go as addresses, unused arguments as 0. Returns its non-negative result.
     *
     * @throws OsException if it returns -1
     */
    public static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            long rc;
            try {
                rc = (long) SYSCALL6.invokeExact(capture, number, a1, a2, a3, a4, a5, a6);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc < 0) {
                throw failure(call, capture);
            }
            return rc;
        } finally {
            CAPTURES.release(capture);
        }
    }

    /**
     * {@code syscall(number, at, a2, ..., a6)} whose first argument is the address of {@code at}: the linker keeps
     * {@code at}'s scope alive until the call returns, so the memory cannot be unmapped under the call.
     *
     * @throws OsException if it returns -1
     */
    public static long syscall(long number, MemorySegment at, long a2, long a3, long a4, long a5, long a6, Supplier<String> call) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            long rc;
            try {
                rc = (long) SYSCALL6_AT.invokeExact(capture, number, at, a2, a3, a4, a5, a6);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc < 0) {
                throw failure(call, capture);
            }
            return rc;
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@return the calling thread's minor page faults so far, from {@code getrusage(RUSAGE_THREAD)}} */
    public static long threadMinorFaults() {
        try (Arena arena = Arena.ofConfined()) {
            return threadMinorFaults(arena.allocate(RUSAGE_SIZE, 8));
        }
    }

    /**
     * {@return the calling thread's minor page faults so far} Allocates nothing: {@code usage} is a
     * {@code struct rusage} buffer of {@link #RUSAGE_SIZE} bytes, so measuring does not fault by itself.
     */
    public static long threadMinorFaults(MemorySegment usage) {
        MemorySegment capture = CAPTURES.acquire();
        try {
            int rc;
            try {
                rc = (int) GETRUSAGE.invokeExact(capture, RUSAGE_THREAD, usage);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw failure(() -> "getrusage(RUSAGE_THREAD)", capture);
            }
            return usage.get(JAVA_LONG, RUSAGE_MINFLT_OFFSET);
        } finally {
            CAPTURES.release(capture);
        }
    }

    /** {@return the number of resident pages in {@code [address, address + length)}, from {@code mincore}} */
    public static long residentPages(long address, long length) {
        long pages = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vec = arena.allocate(Math.max(1, pages));
            mincore(address, length, vec);
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vec.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        }
    }
}
