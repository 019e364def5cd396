package dev.pagewise.os.linux;

import dev.pagewise.os.OsException;
import dev.pagewise.core.internal.ByteSizes;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * userfaultfd asynchronous write-protection over one region ({@code UFFD_FEATURE_WP_ASYNC |
 * UFFD_FEATURE_WP_UNPOPULATED}): the kernel resolves write faults itself and marks the pages written,
 * so a {@code PAGEMAP_SCAN} reports exactly the pages written since the last {@link #protect}.
 */
final class WriteTracker implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WriteTracker.class.getName());

    private static final long UFFD_API = 0xAA;
    private static final long UFFD_FEATURE_WP_UNPOPULATED = 1L << 13;
    private static final long UFFD_FEATURE_WP_ASYNC = 1L << 15;
    private static final int UFFD_USER_MODE_ONLY = 1;
    private static final long UFFDIO_REGISTER_MODE_WP = 1L << 1;
    private static final long UFFDIO_WRITEPROTECT_MODE_WP = 1L << 0;
    /** {@code _IOWR(0xAA, 0x3F, struct uffdio_api)}, 24 bytes. */
    private static final long UFFDIO_API = (3L << 30) | (24L << 16) | (0xAAL << 8) | 0x3F;
    /** {@code _IOWR(0xAA, 0x00, struct uffdio_register)}, 32 bytes. */
    private static final long UFFDIO_REGISTER = (3L << 30) | (32L << 16) | (0xAAL << 8);
    /** {@code _IOWR(0xAA, 0x06, struct uffdio_writeprotect)}, 24 bytes. */
    private static final long UFFDIO_WRITEPROTECT = (3L << 30) | (24L << 16) | (0xAAL << 8) | 0x06;

    private static volatile String unavailable = probeReason();

    private final int fd;
    private final MemorySegment wp;

    private WriteTracker(int fd) {
        this.fd = fd;
        this.wp = Arena.ofAuto().allocate(24, 8);
    }

    private static long sysUserfaultfd() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> 323;
            case "aarch64" -> 282;
            default -> -1;
        };
    }

    private static String probeReason() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "not Linux";
        }
        if (sysUserfaultfd() < 0) {
            return "userfaultfd syscall number unknown on " + System.getProperty("os.arch");
        }
        return null;
    }

    /**
     * Makes write tracking unavailable to ranges that register from now on, as a refused userfaultfd would;
     * {@code null} makes it available again. For tests of the fallback.
     *
     * @return the previous reason
     */
    static String forceUnavailable(String reason) {
        String previous = unavailable;
        unavailable = reason;
        return previous;
    }

    /** {@return why write tracking is unavailable in this process, or {@code null} if it may work} */
    static String unavailableReason() {
        return unavailable;
    }

    /**
     * Registers {@code [base, base + size)} for async write-protection. Pages present now count as
     * written until the first {@link #protect}.
     *
     * @return the tracker, or {@code null} when userfaultfd is not permitted or lacks the features;
     *         the reason is logged once and kept in {@link #unavailableReason()}
     */
    static WriteTracker register(long base, long size) {
        if (unavailable != null || !PageMapScan.isSupported()) {
            return null;
        }
        int fd;
        try {
            fd = open();
        } catch (OsException e) {
            disable("userfaultfd: " + e.getMessage() + (e.errno() == 1
                    ? " (needs CAP_SYS_PTRACE or vm.unprivileged_userfaultfd=1)" : ""));
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment api = arena.allocate(24, 8);
            api.set(JAVA_LONG, 0, UFFD_API);
            api.set(JAVA_LONG, 8, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED);
            Libc.ioctl(fd, UFFDIO_API, api, () -> "ioctl(UFFDIO_API, WP_ASYNC|WP_UNPOPULATED)");
            MemorySegment reg = arena.allocate(32, 8);
            reg.set(JAVA_LONG, 0, base);
            reg.set(JAVA_LONG, 8, size);
            reg.set(JAVA_LONG, 16, UFFDIO_REGISTER_MODE_WP);
            Libc.ioctl(fd, UFFDIO_REGISTER, reg, () -> "ioctl(UFFDIO_REGISTER, 0x" + Long.toHexString(base) + ", "
                    + ByteSizes.format(size) + ", MODE_WP)");
        } catch (OsException e) {
            Libc.close(fd);
            disable(e.getMessage());
            return null;
        }
        return new WriteTracker(fd);
    }

    private static int open() {
        long nr = sysUserfaultfd();
        try {
            return (int) Libc.syscall(nr, Libc.O_CLOEXEC | Libc.O_NONBLOCK, () -> "userfaultfd(O_CLOEXEC|O_NONBLOCK)");
        } catch (OsException e) {
            if (e.errno() != 1) {
                throw e;
            }
            return (int) Libc.syscall(nr, Libc.O_CLOEXEC | Libc.O_NONBLOCK | UFFD_USER_MODE_ONLY,
                    () -> "userfaultfd(O_CLOEXEC|O_NONBLOCK|UFFD_USER_MODE_ONLY)");
        }
    }

    private static void disable(String reason) {
        unavailable = reason;
        LOG.log(System.Logger.Level.INFO, "pagewise: write tracking unavailable, falling back to keepResident: {0}", reason);
    }

    /** Write-protects {@code [address, address + length)}: from now on only new writes count as written. */
    synchronized void protect(long address, long length) {
        wp.set(JAVA_LONG, 0, address);
        wp.set(JAVA_LONG, 8, length);
        wp.set(JAVA_LONG, 16, UFFDIO_WRITEPROTECT_MODE_WP);
        Libc.ioctl(fd, UFFDIO_WRITEPROTECT, wp, () -> "ioctl(UFFDIO_WRITEPROTECT, 0x" + Long.toHexString(address)
                + ", " + length + ")");
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
