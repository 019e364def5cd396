package dev.pagewise.os;

import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Pins;
import dev.pagewise.os.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An anonymous private {@code mmap} region on Linux, reached through the FFM linker.
 *
 * <p>With {@link MapOptions#lazyCommit()} the region is reserved {@code PROT_NONE} with
 * {@code MAP_NORESERVE}, and {@link #commit} makes it readable and writable by {@code mprotect} in steps
 * of {@link #COMMIT_GRANULARITY}, so a reservation of a terabyte costs nothing until used. New pages read
 * as zero. {@link #close()} unmaps the region and ends the scope of every segment obtained from it;
 * using one afterwards throws {@link IllegalStateException}. Thread-safe.
 */
public final class MmapBacked implements OsBacked {

    /** The step in which a lazy region's committed prefix grows: 64 KiB (2 MiB with huge pages). */
    public static final long COMMIT_GRANULARITY = 64 << 10;
    /** The alignment and size granularity of a huge-page region. */
    public static final long HUGE_PAGE_SIZE = 2L << 20;

    private final long base;
    private final long size;
    private final MapOptions options;
    private final long granularity;
    private final Arena arena;
    private final MemorySegment segment;
    private final Pins pins;
    private final Object commitLock = new Object();
    private volatile long committed;
    private volatile WriteTracker tracker;
    private volatile boolean trackingTried;
    private volatile DirtyPageSource dirtyPageSource = DirtyPageSource.best();
    private final java.util.Map<Long, Long> keptEnds = new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("restricted")
    private MmapBacked(long base, long size, MapOptions options, long mapStart, long mapLength) {
        this.base = base;
        this.size = size;
        this.options = options;
        this.granularity = options.hugePages() ? HUGE_PAGE_SIZE : COMMIT_GRANULARITY;
        this.committed = options.lazyCommit() ? 0 : size;
        this.arena = Arena.ofShared();
        this.segment = MemorySegment.ofAddress(base).reinterpret(size, arena, _ -> unmap(mapStart, mapLength));
        this.pins = new Pins(this.toString());
    }

    /** {@return a new region of at least {@code byteSize} bytes with {@link MapOptions#DEFAULT}} */
    public static MmapBacked map(long byteSize) {
        return map(byteSize, MapOptions.DEFAULT);
    }

    /**
     * Maps a new region of {@code byteSize} bytes, rounded up to the page size (2 MiB with huge pages).
     *
     * @throws IllegalArgumentException if {@code byteSize} is not positive or too large to round
     * @throws OsException if {@code mmap}, {@code mprotect} or {@code madvise} fails, naming the call and errno
     */
    @SuppressWarnings("restricted")
    public static MmapBacked map(long byteSize, MapOptions options) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("byteSize must be positive: " + byteSize);
        }
        long page = Libc.PAGE_SIZE;
        long align = options.hugePages() ? HUGE_PAGE_SIZE : page;
        long guard = options.guardPages() ? page : 0;
        long size;
        long total;
        try {
            size = Checks.alignUp(byteSize, align);
            total = Math.addExact(Math.addExact(size, 2 * guard), options.hugePages() ? align : 0);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("byteSize too large: " + byteSize, e);
        }
        int prot = options.lazyCommit() ? Libc.PROT_NONE : Libc.PROT_READ | Libc.PROT_WRITE;
        int flags = Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS
                | (options.lazyCommit() ? Libc.MAP_NORESERVE : 0)
                | (options.populate() && !options.lazyCommit() && !options.hugePages() ? Libc.MAP_POPULATE : 0);
        long raw = Libc.mmap(0, total, prot, flags, -1, 0,
                () -> "mmap(" + ByteSizes.format(total) + ", lazyCommit=" + options.lazyCommit() + ")");
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
                    MemorySegment.ofAddress(base).reinterpret(size).fill((byte) 0);
                }
            }
        } catch (RuntimeException e) {
            unmap(mapStart, mapEnd - mapStart);
            throw e;
        }
        return new MmapBacked(base, size, options, mapStart, mapEnd - mapStart);
    }

    private static void unmap(long start, long length) {
        Libc.munmap(start, length);
    }

    /** {@return the options this region was mapped with} */
    public MapOptions options() {
        return options;
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long byteSize() {
        return size;
    }

    @Override
    public long pageSize() {
        return Libc.PAGE_SIZE;
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
            pins.checkOpen();
            return;
        }
        synchronized (commitLock) {
            pins.checkOpen();
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
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, size, Libc.PAGE_SIZE);
        pins.checkOpen();
        if (length > 0) {
            Libc.madvise(base + offset, length, Libc.MADV_DONTNEED,
                    () -> "madvise(0x" + Long.toHexString(base + offset) + ", " + length + ", MADV_DONTNEED)");
        }
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Checks.checkPageRange(offset, length, size, Libc.PAGE_SIZE);
        pins.checkOpen();
        int prot = (protection.canRead() ? Libc.PROT_READ : 0) | (protection.canWrite() ? Libc.PROT_WRITE : 0)
                | (protection.canExecute() ? Libc.PROT_EXEC : 0);
        if (length > 0) {
            Libc.mprotect(base + offset, length, prot,
                    () -> "mprotect(0x" + Long.toHexString(base + offset) + ", " + length + ", " + protection + ")");
        }
        if (!protection.canRead()) {
            return segment.asSlice(offset, 0);
        }
        MemorySegment view = segment.asSlice(offset, length);
        return protection.canWrite() ? view : view.asReadOnly();
    }

    @Override
    public ResetReport resetPages(long offset, long length, long keepResident) {
        Checks.checkPageRange(offset, length, size, Libc.PAGE_SIZE);
        Checks.requireNonNegative(keepResident, "keepResident");
        pins.checkOpen();
        return PageMapReset.reset(this, offset, length, keepResident, tracker);
    }

    @Override
    public boolean trackWrites() {
        if (!trackingTried) {
            synchronized (commitLock) {
                if (!trackingTried) {
                    pins.checkOpen();
                    tracker = WriteTracker.register(base, size);
                    trackingTried = true;
                }
            }
        }
        return tracker != null;
    }

    /** {@return how {@link #resetPages} finds the pages that hold data (without write tracking)} */
    public DirtyPageSource dirtyPageSource() {
        return dirtyPageSource;
    }

    /**
     * Forces {@link #resetPages} onto {@code source}, for tests and diagnosis; {@link DirtyPageSource#best()}
     * is the default. {@link DirtyPageSource#TRACK_WRITES} is chosen with {@link #trackWrites()} instead.
     *
     * @throws IllegalArgumentException if {@code source} is {@code TRACK_WRITES} or not available here
     */
    public void dirtyPageSource(DirtyPageSource source) {
        if (source == DirtyPageSource.TRACK_WRITES || !source.isAvailable()) {
            throw new IllegalArgumentException("dirty page source not available here: " + source);
        }
        this.dirtyPageSource = source;
    }

    /**
     * {@return the end offset of the furthest page that resets starting at {@code offset} kept resident,
     * or 0} Keyed by start so that resets of disjoint parts of the region (one arena per part) never
     * extend into each other.
     */
    long keptEnd(long offset) {
        return keptEnds.getOrDefault(offset, 0L);
    }

    void keptEnd(long offset, long end) {
        if (keptEnds.size() >= 64 && !keptEnds.containsKey(offset)) {
            keptEnds.clear();
        }
        keptEnds.put(offset, end);
    }

    /** {@return the address of the region's first byte} */
    long base() {
        return base;
    }

    @Override
    public void pin() {
        pins.pin();
    }

    @Override
    public void unpin() {
        pins.unpin();
    }

    @Override
    public void close() {
        pins.close();
        WriteTracker t = tracker;
        if (t != null) {
            t.close();
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "MmapBacked[" + ByteSizes.format(size) + " at 0x" + Long.toHexString(base)
                + (options.lazyCommit() ? ", lazyCommit" : "") + (options.hugePages() ? ", hugePages" : "")
                + (options.guardPages() ? ", guardPages" : "") + "]";
    }
}
