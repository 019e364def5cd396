package dev.pagewise.os.linux;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.Lifetime;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.PageScanner;
import dev.pagewise.core.Protection;
import dev.pagewise.core.ResetStrategy;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.OsException;
import dev.pagewise.os.internal.CommitWatermark;
import dev.pagewise.os.internal.RestrictedPages;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * An anonymous private {@code mmap} region on Linux, reached through the FFM linker.
 *
 * <p>With {@link MapOptions#lazyCommit()} the region is reserved {@code PROT_NONE} with
 * {@code MAP_NORESERVE}, and {@link #commit} makes it readable and writable by {@code mprotect} in steps
 * of {@link #COMMIT_GRANULARITY}, so a reservation of a terabyte costs nothing until used. New pages read
 * as zero. The region remembers which pages a {@link #protect} call restricted, and {@link #zero} and
 * {@link #releasePages} refuse them, so a reset can never fault. Its {@link #pageScanner()} finds the pages
 * that hold data through Linux's pagemap ({@code PAGEMAP_SCAN} on 6.7+, {@code /proc/self/pagemap}
 * before), and tracks writes with userfaultfd when a reset policy asks.
 *
 * <p>{@link #guard} uses {@code MADV_GUARD_INSTALL} (Linux 6.13+): the guard pages fault on any access, take
 * no memory, leave the mapping one VMA and survive {@code MADV_DONTNEED}. Where the kernel answers
 * {@code EINVAL} (older kernels, and mappings it does not support guards in, such as locked or hugetlb ones)
 * it falls back to {@code mprotect(PROT_NONE)}, as {@link #protect} does.
 *
 * <p>With {@link MapOptions#hugeTlb()} the pages come from the kernel's pool of explicit 2 MiB huge pages,
 * reserved when the region is mapped (never {@code MAP_NORESERVE}, so a fault cannot find the pool empty and
 * raise {@code SIGBUS}); {@link #pageSize()} is then 2 MiB, the region has no page scanner, and
 * {@link #releasePages} zeroes the pages in place instead of returning them.
 *
 * <p>{@link #close()} unmaps the region and ends the scope of its segment; it fails while an allocator
 * or slice holds the region. Thread-safe.
 */
public final class MmapBacked implements OsBacked {

    static {
        Restricted.ownSegment(MmapBacked.class, range -> ((MmapBacked) range).segment);
    }

    /** The step in which a lazy region's committed prefix grows: 64 KiB (2 MiB with huge pages). */
    public static final long COMMIT_GRANULARITY = 64 << 10;
    /** The alignment and size granularity of a huge-page region. */
    public static final long HUGE_PAGE_SIZE = 2L << 20;

    private static final System.Logger LOG = System.getLogger(MmapBacked.class.getName());
    /** Whether this kernel installs guard pages with {@code madvise} (Linux 6.13+); probed once on a scratch page. */
    private static final boolean GUARD_ADVICE = probeGuardAdvice();

    private final long base;
    private final long size;
    private final MapOptions options;
    private final long granularity;
    /** Whether {@link #releasePages} zeroes in place rather than releasing: for hugetlb, see there. */
    private volatile boolean releaseInPlace;
    private final MemorySegment segment;
    private final Lifetime lifetime;
    private final Object lock = new Object();
    private volatile long committed;
    private final RestrictedPages restricted = new RestrictedPages();
    private final RestrictedPages guards = new RestrictedPages("is a guard page; unguard it first");
    private final long page;
    private volatile boolean guardAdvice = GUARD_ADVICE;
    private volatile ResetStrategy scanSource = PageMapScanner.best();
    private PageMapScanner scanner;
    private WriteTracker tracker;
    private boolean trackingTried;
    /** Test hook: the steps of guard and unguard that fail, see {@link #failSteps}. */
    private volatile java.util.Set<String> failing = java.util.Set.of();

    @SuppressWarnings("restricted")
    private MmapBacked(long base, long size, MapOptions options, long mapStart, long mapLength) {
        this.base = base;
        this.size = size;
        this.options = options;
        this.granularity = options.hugePages() || options.hugeTlb() ? HUGE_PAGE_SIZE : COMMIT_GRANULARITY;
        this.page = options.hugeTlb() ? HUGE_PAGE_SIZE : Libc.PAGE_SIZE;
        this.committed = options.lazyCommit() ? 0 : size;
        this.releaseInPlace = releasesInPlace(options);
        Arena arena = Arena.ofShared();
        this.segment = MemorySegment.ofAddress(base).reinterpret(size, arena, _ -> Libc.munmap(mapStart, mapLength));
        this.lifetime = Lifetime.create(describe(), () -> {
            try {
                WriteTracker t = tracker;
                if (t != null) {
                    t.close();
                }
            } finally {
                arena.close();
            }
        });
        LOG.log(System.Logger.Level.DEBUG, "mapped {0}; page scanner: {1}", this, scanSource);
    }

    /**
     * {@return a new region of at least {@code byteSize} bytes with {@link MapOptions#DEFAULT}}
     *
     * @param byteSize the size of the region, in bytes; rounded up to the page size
     * @throws IllegalArgumentException if {@code byteSize} is not positive or too large to round
     * @throws OsException if the system refuses the mapping
     */
    public static MmapBacked map(long byteSize) {
        return map(byteSize, MapOptions.DEFAULT);
    }

    /**
     * Maps a new region of {@code byteSize} bytes, rounded up to the page size (2 MiB with huge pages).
     * With {@link MapOptions#hugeTlb()}, an empty or too small huge page pool fails here, with {@code ENOMEM}
     * and the pool's state in the message.
     *
     * @param byteSize the size of the region, in bytes
     * @param options  how to reserve the region
     * @return the region, open until closed
     * @throws NullPointerException if {@code options} is {@code null}
     * @throws IllegalArgumentException if {@code byteSize} is not positive or too large to round
     * @throws OsException if {@code mmap}, {@code mprotect} or {@code madvise} fails, naming the call and errno
     */
    @SuppressWarnings("restricted")
    public static MmapBacked map(long byteSize, MapOptions options) {
        Objects.requireNonNull(options, "options");
        if (byteSize <= 0) {
            throw new IllegalArgumentException("byteSize must be positive: " + byteSize);
        }
        long page = Libc.PAGE_SIZE;
        boolean hugeTlb = options.hugeTlb();
        long align = options.hugePages() || hugeTlb ? HUGE_PAGE_SIZE : page;
        long guard = options.guardPages() ? page : 0;
        long size;
        long total;
        try {
            size = Checks.alignUp(byteSize, align);
            // THP: map 2 MiB more and trim to a 2 MiB boundary; hugetlb mappings come aligned to their page size
            total = Math.addExact(Math.addExact(size, 2 * guard), options.hugePages() ? align : 0);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("byteSize too large: " + byteSize, e);
        }
        int prot = options.lazyCommit() ? Libc.PROT_NONE : Libc.PROT_READ | Libc.PROT_WRITE;
        int flags = Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS
                // hugetlb reserves its pages at mmap unless MAP_NORESERVE: without the reservation a fault on an
                // empty pool would raise SIGBUS
                | (options.lazyCommit() && !hugeTlb ? Libc.MAP_NORESERVE : 0)
                | (hugeTlb ? Libc.MAP_HUGETLB : 0)
                | (options.populate() && !options.lazyCommit() && !options.hugePages() ? Libc.MAP_POPULATE : 0);
        long raw = Libc.mmap(0, total, prot, flags, -1, 0,
                () -> "mmap(" + ByteSizes.format(total) + ", lazyCommit=" + options.lazyCommit()
                        + (hugeTlb ? ", MAP_HUGETLB; " + hugeTlbPool() : "") + ")");
        long base = Checks.alignUp(raw + guard, align);
        long mapStart = base - guard;
        long mapEnd = base + size + guard;
        try {
            if (mapStart > raw) {
                Libc.munmap(raw, mapStart - raw);
            }
            if (raw + total > mapEnd) {
                Libc.munmap(mapEnd, raw + total - mapEnd);
            }
            if (guard > 0 && !options.lazyCommit()) {
                Libc.mprotect(mapStart, guard, Libc.PROT_NONE, () -> "mprotect(guard below)");
                Libc.mprotect(base + size, guard, Libc.PROT_NONE, () -> "mprotect(guard above)");
            }
            if (options.hugePages()) {
                Libc.madvise(base, size, Libc.MADV_HUGEPAGE,
                        () -> "madvise(0x" + Long.toHexString(base) + ", " + ByteSizes.format(size) + ", MADV_HUGEPAGE)");
                if (options.populate() && !options.lazyCommit()) {
                    Zeroing.zero(MemorySegment.ofAddress(base).reinterpret(size));
                }
            }
        } catch (RuntimeException e) {
            Libc.munmap(mapStart, mapEnd - mapStart);
            throw e;
        }
        return new MmapBacked(base, size, options, mapStart, mapEnd - mapStart);
    }

    /** {@return the state of the hugetlb pool, from {@code /proc/meminfo}, for the message of a failed mapping} */
    private static String hugeTlbPool() {
        long free = -1;
        long total = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                String[] parts = line.split("\\s+");
                if (parts[0].equals("HugePages_Total:")) {
                    total = Long.parseLong(parts[1]);
                } else if (parts[0].equals("HugePages_Free:")) {
                    free = Long.parseLong(parts[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "hugetlb pool unknown (/proc/meminfo: " + e + ")";
        }
        return "hugetlb pool: " + free + " of " + total + " huge pages free; reserve more with vm.nr_hugepages";
    }

    @SuppressWarnings("restricted")
    private static boolean probeGuardAdvice() {
        long page = Libc.PAGE_SIZE;
        try {
            long at = Libc.mmap(0, page, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0,
                    () -> "mmap(guard probe)");
            try {
                Libc.madvise(at, page, Libc.MADV_GUARD_INSTALL, () -> "madvise(MADV_GUARD_INSTALL probe)");
                return true;
            } finally {
                Libc.munmap(at, page);
            }
        } catch (OsException e) {
            LOG.log(System.Logger.Level.DEBUG, "guard pages fall back to mprotect: {0}", e.getMessage());
            return false;
        }
    }

    /** {@return the options this region was mapped with} */
    public MapOptions options() {
        return options;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here the segment spans the reserved but uncommitted tail of a lazy region, and pages that
     * {@link #protect} restricted: touching either ends the JVM with {@code SIGSEGV}.
     */
    @Override
    public MemorySegment segment() {
        return Restricted.segment(lifetime, segment);
    }

    @Override
    public long byteSize() {
        return size;
    }

    /** {@inheritDoc} Here the system page size, or 2 MiB with {@link MapOptions#hugeTlb()}. */
    @Override
    public long pageSize() {
        return page;
    }

    @Override
    public long committed() {
        return committed;
    }

    @Override
    public void commit(long offset, long length) {
        Checks.checkRange(offset, length, size);
        long end = offset + length;
        if (end <= committed) {
            lifetime.checkAlive();
            return;
        }
        synchronized (lock) {
            lifetime.checkAlive();
            long from = committed;
            long to = CommitWatermark.advance(from, end, granularity, size);
            if (to > from) {
                Libc.mprotect(base + from, to - from, Libc.PROT_READ | Libc.PROT_WRITE,
                        () -> "mprotect(0x" + Long.toHexString(base + from) + ", " + (to - from) + ", READ_WRITE)");
                committed = to;
            }
        }
    }

    @Override
    public void zero(long offset, long length) {
        Checks.checkRange(offset, length, committed);
        lifetime.checkAlive();
        restricted.checkWritable(offset, length, "zero", this);
        guards.checkWritable(offset, length, "zero", this);
        if (length > 0) {
            Zeroing.zero(segment, offset, length);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here {@code madvise(MADV_DONTNEED)}, except over a {@link MapOptions#hugeTlb()} region: there the pages are
     * zeroed in place and stay resident. On a private hugetlb mapping {@code MADV_DONTNEED} may not give the page's
     * reservation back on some kernels, so the next touch could find the pool empty and raise {@code SIGBUS}; the
     * pages are reserved for the mapping anyway, so keeping them costs nothing more.
     */
    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, size, page);
        lifetime.checkAlive();
        restricted.checkWritable(offset, length, "releasePages", this);
        guards.checkWritable(offset, length, "releasePages", this);
        if (length > 0 && releaseInPlace) {
            // past the committed prefix the pages were never writable, so they read zero already (and would fault)
            long end = Math.min(offset + length, committed);
            if (end > offset) {
                Zeroing.zero(segment, offset, end - offset);
            }
        } else if (length > 0) {
            Libc.madvise(base + offset, length, Libc.MADV_DONTNEED,
                    () -> "madvise(0x" + Long.toHexString(base + offset) + ", " + length + ", MADV_DONTNEED)");
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws OsException if {@code mprotect} fails
     */
    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Restricted.check("OsBacked.protect(long, long, Protection)");
        Objects.requireNonNull(protection, "protection");
        Checks.checkPageRange(offset, length, committed, page);
        int prot = (protection.canRead() ? Libc.PROT_READ : 0) | (protection.canWrite() ? Libc.PROT_WRITE : 0)
                | (protection.canExecute() ? Libc.PROT_EXEC : 0);
        synchronized (lock) {
            lifetime.checkAlive();
            if (length > 0) {
                Libc.mprotect(base + offset, length, prot,
                        () -> "mprotect(0x" + Long.toHexString(base + offset) + ", " + length + ", " + protection + ")");
                restricted.mark(offset, offset + length, protection != Protection.READ_WRITE);
            }
        }
        if (!protection.canRead()) {
            return segment.asSlice(offset, 0);
        }
        MemorySegment view = segment.asSlice(offset, length);
        return protection.canWrite() ? view : view.asReadOnly();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here {@code madvise(MADV_GUARD_INSTALL)} where the kernel supports it for this mapping, else
     * {@code mprotect(PROT_NONE)}. The pages' contents are discarded by the first and kept by the second.
     *
     * @throws OsException if {@code madvise} fails otherwise than with {@code EINVAL}, or {@code mprotect} fails
     */
    @Override
    public void guard(long offset, long length) {
        Restricted.check("OsBacked.guard(long, long)");
        Checks.checkPageRange(offset, length, committed, page);
        synchronized (lock) {
            lifetime.checkAlive();
            if (length == 0) {
                return;
            }
            // marked first, so that no zero or releasePages starts on the pages while they turn into guards
            guards.mark(offset, offset + length, true);
            try {
                if (!guardAdvice || !installGuard(offset, length)) {
                    Libc.mprotect(base + offset, length, Libc.PROT_NONE,
                            () -> "mprotect(0x" + Long.toHexString(base + offset) + ", " + length + ", NONE)");
                }
                failIfTold("guard");
            } catch (RuntimeException e) {
                // a call that failed may have guarded some of the pages: they stay marked, so that zero and
                // releasePages refuse them rather than fault, unless they are all made READ_WRITE again
                try {
                    restoreReadWrite(offset, length);
                    guards.mark(offset, offset + length, false);
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
        }
    }

    /** Removes guards and protection from {@code [offset, offset + length)}, as {@link #unguard} does; under {@code lock}. */
    private void restoreReadWrite(long offset, long length) {
        failIfTold("undo");
        if (GUARD_ADVICE) {
            try {
                Libc.madvise(base + offset, length, Libc.MADV_GUARD_REMOVE,
                        () -> "madvise(0x" + Long.toHexString(base + offset) + ", " + length + ", MADV_GUARD_REMOVE)");
            } catch (OsException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
        }
        Libc.mprotect(base + offset, length, Libc.PROT_READ | Libc.PROT_WRITE,
                () -> "mprotect(0x" + Long.toHexString(base + offset) + ", " + length + ", READ_WRITE)");
        restricted.mark(offset, offset + length, false);
    }

    /** Test hook: the steps of {@link #guard} and {@link #unguard} ({@code "guard"}, {@code "undo"}, {@code "unguard"}) that fail. */
    void failSteps(String... steps) {
        this.failing = java.util.Set.of(steps);
    }

    private void failIfTold(String step) {
        if (failing.contains(step)) {
            throw new OsException(step + " (test hook)", Errno.EPERM, "EPERM");
        }
    }

    /** {@return whether {@code MADV_GUARD_INSTALL} took; {@code false} where the kernel refuses it with EINVAL} */
    private boolean installGuard(long offset, long length) {
        try {
            Libc.madvise(base + offset, length, Libc.MADV_GUARD_INSTALL,
                    () -> "madvise(0x" + Long.toHexString(base + offset) + ", " + length + ", MADV_GUARD_INSTALL)");
            return true;
        } catch (OsException e) {
            if (e.errno() == Errno.EINVAL) {
                return false;
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here {@code madvise(MADV_GUARD_REMOVE)} where the kernel has it, then {@code mprotect(READ_WRITE)},
     * which undoes either way of guarding.
     *
     * @throws OsException if {@code madvise} fails otherwise than with {@code EINVAL}, or {@code mprotect} fails
     */
    @Override
    public void unguard(long offset, long length) {
        Restricted.check("OsBacked.unguard(long, long)");
        Checks.checkPageRange(offset, length, committed, page);
        synchronized (lock) {
            lifetime.checkAlive();
            if (length == 0) {
                return;
            }
            failIfTold("unguard");
            restoreReadWrite(offset, length);
            guards.mark(offset, offset + length, false);
        }
    }

    /** Test hook: {@code false} makes {@link #guard} use {@code mprotect}, as on a kernel before 6.13. */
    void guardAdvice(boolean use) {
        this.guardAdvice = use && GUARD_ADVICE;
    }

    /** {@return whether {@link #releasePages} zeroes a region mapped with {@code options} in place} */
    static boolean releasesInPlace(MapOptions options) {
        return options.hugeTlb();
    }

    /** Test hook: {@code true} makes {@link #releasePages} zero in place, as over a hugetlb region. */
    void releaseInPlace(boolean inPlace) {
        this.releaseInPlace = inPlace;
    }

    /** {@return whether this kernel installs guard pages with {@code madvise}} */
    static boolean guardAdviceSupported() {
        return GUARD_ADVICE;
    }

    /** {@return whether pages of this mapping may become transparent huge pages} */
    boolean mayUseHugePages() {
        return !options.hugeTlb() && (options.hugePages() || TransparentHugePages.ALWAYS);
    }

    /**
     * {@inheritDoc} Here: Linux's pagemap, the most precise source this process can use
     * ({@link ResetStrategy#PAGEMAP_SCAN} on Linux 6.7+, else {@link ResetStrategy#PAGEMAP_READ}); none where
     * {@code /proc/self/pagemap} cannot be read, or with {@link MapOptions#hugeTlb()}.
     */
    @Override
    public Optional<PageScanner> pageScanner() {
        if (options.hugeTlb()) {
            // the scanners count in base pages and reset by madvise per base page; hugetlb has neither
            return Optional.empty();
        }
        synchronized (lock) {
            if (scanner == null || scanner.strategy() != scanSource) {
                scanner = scanSource == ResetStrategy.PREFIX ? null : new PageMapScanner(this, scanSource, null);
            }
            return Optional.ofNullable(scanner);
        }
    }

    /** The write-tracking scanner, registering the whole region with userfaultfd on first use; or {@code null}. */
    PageMapScanner writeTracking() {
        synchronized (lock) {
            if (!trackingTried) {
                lifetime.checkAlive();
                tracker = WriteTracker.register(base, size);
                trackingTried = true;
            }
            return tracker == null ? null : new PageMapScanner(this, ResetStrategy.TRACK_WRITES, tracker);
        }
    }

    /** Test hook: forces the scanner onto {@code source}, as on a kernel that lacks the better ones. */
    void scanSource(ResetStrategy source) {
        if (!PageMapScanner.isAvailable(source)) {
            throw new IllegalArgumentException("page scanner not available here: " + source);
        }
        this.scanSource = source;
    }

    /**
     * {@return the bytes of {@code [offset, offset + length)} resident in memory now} It asks the kernel
     * with {@code mincore}, one byte of output per page: about a microsecond per megabyte, so it is for
     * diagnosis and metrics, not for a hot path.
     *
     * @param offset the start of the part, from the start of the region
     * @param length the length of the part, in bytes; widened to whole pages
     * @throws IllegalArgumentException if the part lies outside the region
     * @throws IllegalStateException if the region is closed
     */
    public long residentBytes(long offset, long length) {
        Checks.checkRange(offset, length, size);
        lifetime.checkAlive();
        long from = Checks.alignDown(offset, page);
        long to = Checks.alignUp(offset + length, page);
        return to == from ? 0 : Libc.residentPages(base + from, to - from) * Libc.PAGE_SIZE;
    }

    /** {@return the address of the region's first byte} */
    long base() {
        return base;
    }

    @Override
    public Lifetime lifetime() {
        return lifetime;
    }

    private String describe() {
        return "MmapBacked[" + ByteSizes.format(size) + " at 0x" + Long.toHexString(base)
                + (options.lazyCommit() ? ", lazyCommit" : "") + (options.hugePages() ? ", hugePages" : "")
                + (options.hugeTlb() ? ", hugeTlb" : "")
                + (options.guardPages() ? ", guardPages" : "") + "]";
    }

    @Override
    public String toString() {
        return lifetime.name();
    }
}
