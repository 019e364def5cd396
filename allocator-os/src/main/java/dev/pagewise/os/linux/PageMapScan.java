package dev.pagewise.os.linux;


import dev.pagewise.os.OsException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux {@code PAGEMAP_SCAN} ioctl on {@code /proc/self/pagemap} (kernel 6.7+): reports the
 * regions of an address range whose pages match a set of categories.
 *
 * <p>A page matches when {@code ((categories ^ categoryInverted) & categoryMask) == categoryMask} and,
 * if {@code categoryAnyofMask} is not zero, {@code (categories ^ categoryInverted) & categoryAnyofMask}
 * is not zero; each region reports {@code categories & returnMask}, and adjacent matching pages with
 * equal reported categories form one region. A scanner holds its own buffers: it is confined to the
 * thread that uses it. {@link #isSupported()} probes the kernel once per process.
 */
final class PageMapScan {

    /** The page has asynchronous write-protection enabled. */
    public static final long WPALLOWED = 1 << 0;
    /** The page was written since it was write-protected (meaningful only under uffd-wp). */
    public static final long WRITTEN = 1 << 1;
    /** The page is file-backed (or shared anonymous). */
    public static final long FILE = 1 << 2;
    /** The page is present in memory. */
    public static final long PRESENT = 1 << 3;
    /** The page is swapped out. */
    public static final long SWAPPED = 1 << 4;
    /** The page maps the shared zero page: it was only read. */
    public static final long PFNZERO = 1 << 5;
    /** The page is part of a transparent or hugetlb huge page. */
    public static final long HUGE = 1 << 6;
    /** The page is soft-dirty. */
    public static final long SOFT_DIRTY = 1 << 7;
    /** Every category above. */
    public static final long ALL_CATEGORIES = 0xFF;

    /** Flag: write-protect the matching pages (uffd-wp async) as they are reported. */
    public static final long WP_MATCHING = 1 << 0;
    /** Flag: fail unless the range is registered for async uffd write-protection. */
    public static final long CHECK_WPASYNC = 1 << 1;

    /**
     * The most regions one call may fill. Past 512 the kernel refills its bounce buffer and
     * {@code walk_end} can come back short of the true end of the walk, so calls stop here and continue.
     */
    public static final int MAX_REGIONS = 512;

    /** {@code struct pm_scan_arg}. */
    static final StructLayout PM_SCAN_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("size"), JAVA_LONG.withName("flags"), JAVA_LONG.withName("start"),
            JAVA_LONG.withName("end"), JAVA_LONG.withName("walk_end"), JAVA_LONG.withName("vec"),
            JAVA_LONG.withName("vec_len"), JAVA_LONG.withName("max_pages"),
            JAVA_LONG.withName("category_inverted"), JAVA_LONG.withName("category_mask"),
            JAVA_LONG.withName("category_anyof_mask"), JAVA_LONG.withName("return_mask")).withName("pm_scan_arg");
    /** {@code struct page_region}. */
    static final StructLayout PAGE_REGION = MemoryLayout.structLayout(
            JAVA_LONG.withName("start"), JAVA_LONG.withName("end"), JAVA_LONG.withName("categories"))
            .withName("page_region");

    /** {@code _IOWR('f', 16, struct pm_scan_arg)}. */
    static final long PAGEMAP_SCAN = (3L << 30) | (PM_SCAN_ARG.byteSize() << 16) | ('f' << 8) | 16;

    private static final VarHandle SIZE = handle("size");
    private static final VarHandle FLAGS = handle("flags");
    private static final VarHandle START = handle("start");
    private static final VarHandle END = handle("end");
    private static final VarHandle WALK_END = handle("walk_end");
    private static final VarHandle VEC = handle("vec");
    private static final VarHandle VEC_LEN = handle("vec_len");
    private static final VarHandle MAX_PAGES = handle("max_pages");
    private static final VarHandle INVERTED = handle("category_inverted");
    private static final VarHandle MASK = handle("category_mask");
    private static final VarHandle ANYOF = handle("category_anyof_mask");
    private static final VarHandle RETURN_MASK = handle("return_mask");

    private final MemorySegment arg;
    private final MemorySegment vec;
    private int count;

    /** Creates a scanner with room for {@link #MAX_REGIONS} regions per call. */
    public PageMapScan() {
        Arena arena = Arena.ofAuto();
        this.arg = arena.allocate(PM_SCAN_ARG);
        this.vec = arena.allocate(PAGE_REGION, MAX_REGIONS);
    }

    private static VarHandle handle(String name) {
        return PM_SCAN_ARG.varHandle(groupElement(name));
    }

    /** {@return whether this kernel supports {@code PAGEMAP_SCAN}} Decided once, by a probe. */
    public static boolean isSupported() {
        return Probe.REASON == null;
    }

    /** {@return why {@code PAGEMAP_SCAN} is not available, or {@code null} if it is} */
    public static String unsupportedReason() {
        return Probe.REASON;
    }

    /**
     * Scans {@code [start, end)} once, filling at most {@code maxRegions} (at most {@link #MAX_REGIONS})
     * regions, read back with {@link #regionStart}, {@link #regionEnd} and {@link #regionCategories}.
     *
     * @param maxPages stop after reporting this many pages; 0 for no limit
     * @return the number of regions filled
     * @throws UnsupportedOperationException if the kernel lacks the ioctl
     * @throws OsException if the ioctl fails
     */
    public int scan(long start, long end, long flags, long maxPages, long categoryInverted, long categoryMask,
                    long categoryAnyofMask, long returnMask, int maxRegions) {
        if (!isSupported()) {
            throw new UnsupportedOperationException("PAGEMAP_SCAN unavailable: " + unsupportedReason());
        }
        if (maxRegions <= 0 || maxRegions > MAX_REGIONS) {
            throw new IllegalArgumentException("maxRegions must be in [1, " + MAX_REGIONS + "]: " + maxRegions);
        }
        count = 0;
        SIZE.set(arg, 0L, PM_SCAN_ARG.byteSize());
        FLAGS.set(arg, 0L, flags);
        START.set(arg, 0L, start);
        END.set(arg, 0L, end);
        WALK_END.set(arg, 0L, 0L);
        VEC.set(arg, 0L, vec.address());
        VEC_LEN.set(arg, 0L, (long) maxRegions);
        MAX_PAGES.set(arg, 0L, maxPages);
        INVERTED.set(arg, 0L, categoryInverted);
        MASK.set(arg, 0L, categoryMask);
        ANYOF.set(arg, 0L, categoryAnyofMask);
        RETURN_MASK.set(arg, 0L, returnMask);
        count = Libc.ioctl(Probe.FD, PAGEMAP_SCAN, arg, () -> "ioctl(PAGEMAP_SCAN, 0x" + Long.toHexString(start)
                + "..0x" + Long.toHexString(end) + ", flags=" + flags + ")");
        return count;
    }

    /** {@return the address where the last scan stopped; equal to its {@code end} when it completed} */
    public long walkEnd() {
        return (long) WALK_END.get(arg, 0L);
    }

    /** {@return the number of regions the last scan filled} */
    public int regionCount() {
        return count;
    }

    /** {@return the first address of region {@code i} of the last scan} */
    public long regionStart(int i) {
        return vec.getAtIndex(JAVA_LONG, 3L * checkIndex(i));
    }

    /** {@return the end address (exclusive) of region {@code i} of the last scan} */
    public long regionEnd(int i) {
        return vec.getAtIndex(JAVA_LONG, 3L * checkIndex(i) + 1);
    }

    /** {@return the categories of region {@code i} of the last scan, masked by its {@code returnMask}} */
    public long regionCategories(int i) {
        return vec.getAtIndex(JAVA_LONG, 3L * checkIndex(i) + 2);
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("region " + i + " of " + count);
        }
        return i;
    }

    /** The process's pagemap descriptor and the result of the one-time probe. */
    static final class Probe {
        static final int FD;
        static final String REASON;

        static {
            int fd = -1;
            String reason;
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                reason = "not Linux";
            } else {
                try {
                    fd = Libc.open("/proc/self/pagemap", Libc.O_RDONLY | Libc.O_CLOEXEC);
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment a = arena.allocate(PM_SCAN_ARG);
                        MemorySegment v = arena.allocate(PAGE_REGION);
                        SIZE.set(a, 0L, PM_SCAN_ARG.byteSize());
                        VEC.set(a, 0L, v.address());
                        VEC_LEN.set(a, 0L, 1L);
                        MAX_PAGES.set(a, 0L, 1L);
                        MASK.set(a, 0L, ALL_CATEGORIES);
                        Libc.ioctl(fd, PAGEMAP_SCAN, a, () -> "ioctl(PAGEMAP_SCAN probe)");
                    }
                    reason = null;
                } catch (OsException e) {
                    reason = e.getMessage() + (e.errnoName().equals("ENOTTY") ? " (kernel older than 6.7)" : "");
                } catch (RuntimeException | LinkageError e) {
                    reason = e.toString();
                }
            }
            FD = reason == null ? fd : -1;
            REASON = reason;
            if (reason != null && fd >= 0) {
                Libc.close(fd);
            }
        }

        private Probe() {
        }
    }
}
