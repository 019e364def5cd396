package dev.pagewise.os.linux;

import dev.pagewise.core.PageScanner;
import dev.pagewise.core.ResetStrategy;
import dev.pagewise.core.internal.Checks;

/**
 * The {@link PageScanner} of an {@link MmapBacked} region: Linux's pagemap tells which pages hold data.
 * {@link ResetStrategy#PAGEMAP_SCAN} asks the kernel with one {@code PAGEMAP_SCAN} walk per 512 regions;
 * {@link ResetStrategy#PAGEMAP_READ} reads 8-byte {@code /proc/self/pagemap} entries where the ioctl is
 * missing; {@link ResetStrategy#TRACK_WRITES} adds userfaultfd write-protection, so that only pages written
 * since the last reset are {@link PageState#DIRTY} and resident ones still zero are {@link PageState#CLEAN}.
 */
final class PageMapScanner implements PageScanner {

    /** Pages that hold data: present or swapped, and neither the shared zero page nor file-backed. */
    private static final long DIRTY_INVERTED = PageMapScan.PFNZERO | PageMapScan.FILE;
    private static final long DIRTY_ANYOF = PageMapScan.PRESENT | PageMapScan.SWAPPED;
    private static final long TRACK_RETURN = PageMapScan.WRITTEN | PageMapScan.PRESENT | PageMapScan.SWAPPED
            | PageMapScan.PFNZERO | PageMapScan.FILE;

    private static final Scratch<PageMapScan> SCANS = new Scratch<>(PageMapScan::new);
    private static final Scratch<PageMapReader> READERS = new Scratch<>(PageMapReader::new);

    private final MmapBacked region;
    private final ResetStrategy source;
    private final WriteTracker tracker;

    PageMapScanner(MmapBacked region, ResetStrategy source, WriteTracker tracker) {
        this.region = region;
        this.source = source;
        this.tracker = tracker;
    }

    /** {@inheritDoc} Here: a huge page where the mapping may get transparent huge pages, else 0. */
    @Override
    public long faultReach() {
        return region.mayUseHugePages() ? MmapBacked.HUGE_PAGE_SIZE : 0;
    }

    /** {@return the most precise source available without write tracking: scan, else read, else {@code PREFIX} (none)} */
    static ResetStrategy best() {
        if (PageMapScan.isSupported()) {
            return ResetStrategy.PAGEMAP_SCAN;
        }
        return PageMapReader.isSupported() ? ResetStrategy.PAGEMAP_READ : ResetStrategy.PREFIX;
    }

    /** {@return whether this process can scan with {@code source}} */
    static boolean isAvailable(ResetStrategy source) {
        return switch (source) {
            case PAGEMAP_SCAN -> PageMapScan.isSupported();
            case PAGEMAP_READ -> PageMapReader.isSupported();
            case PREFIX -> true;
            default -> false;
        };
    }

    @Override
    public ResetStrategy strategy() {
        return source;
    }

    @Override
    public void scan(long offset, long length, long maxPages, Visitor visitor) {
        Checks.checkPageRange(offset, length, region.byteSize(), Libc.PAGE_SIZE);
        region.lifetime().checkAlive();
        if (length == 0) {
            return;
        }
        long start = region.base() + offset;
        long end = start + length;
        switch (source) {
            case PAGEMAP_READ -> {
                PageMapReader reader = READERS.acquire();
                try {
                    read(reader, start, end, visitor);
                } finally {
                    READERS.release(reader);
                }
            }
            default -> {
                PageMapScan scan = SCANS.acquire();
                try {
                    scan(scan, start, end, tracker == null ? maxPages : 0, visitor);
                } finally {
                    SCANS.release(scan);
                }
            }
        }
    }

    private void scan(PageMapScan scan, long start, long end, long maxPages, Visitor visitor) {
        long base = region.base();
        long pos = start;
        while (pos < end) {
            int n = tracker == null
                    ? scan.scan(pos, end, 0, maxPages, DIRTY_INVERTED, DIRTY_INVERTED, DIRTY_ANYOF,
                            PageMapScan.SWAPPED | PageMapScan.HUGE, PageMapScan.MAX_REGIONS)
                    : scan.scan(pos, end, 0, 0, 0, 0, 0, TRACK_RETURN, PageMapScan.MAX_REGIONS);
            long reported = 0;
            for (int i = 0; i < n; i++) {
                long s = scan.regionStart(i);
                long e = scan.regionEnd(i);
                reported += (e - s) / Libc.PAGE_SIZE;
                PageState state = tracker == null ? scanned(scan.regionCategories(i))
                        : tracked(scan.regionCategories(i));
                long huge = (scan.regionCategories(i) & PageMapScan.HUGE) != 0 ? MmapBacked.HUGE_PAGE_SIZE : 0;
                if (state != null && !visitor.visit(s - base, e - s, state, huge)) {
                    return;
                }
            }
            long walkEnd = scan.walkEnd();
            // The kernel stops early at max_pages; below vec_len regions otherwise means the walk completed
            // (walk_end itself is unreliable past 512 regions, so calls never ask for more).
            boolean limited = maxPages > 0 && reported >= maxPages;
            if ((n < PageMapScan.MAX_REGIONS && !limited) || walkEnd >= end || walkEnd <= pos) {
                return;
            }
            pos = walkEnd;
        }
    }

    private static PageState scanned(long categories) {
        return (categories & PageMapScan.SWAPPED) != 0 ? PageState.SWAPPED : PageState.DIRTY;
    }

    private static PageState tracked(long c) {
        if ((c & PageMapScan.SWAPPED) != 0) {
            // uffd-wp markers on unpopulated PTEs report as swapped too; a swap entry not written since
            // the last protect holds what the last reset left there: zeros.
            return (c & PageMapScan.WRITTEN) != 0 ? PageState.SWAPPED : null;
        }
        if ((c & PageMapScan.PRESENT) != 0 && (c & (PageMapScan.PFNZERO | PageMapScan.FILE)) == 0) {
            return (c & PageMapScan.WRITTEN) != 0 ? PageState.DIRTY : PageState.CLEAN;
        }
        return null;
    }

    private void read(PageMapReader reader, long start, long end, Visitor visitor) {
        long base = region.base();
        long page = Libc.PAGE_SIZE;
        long runStart = start;
        PageState runState = null;
        long pos = start;
        while (pos < end) {
            int n = reader.read(pos, (end - pos) / page);
            if (n == 0) {
                break;
            }
            for (int i = 0; i < n; i++, pos += page) {
                PageState state = stateOf(reader.entry(i));
                if (state != runState) {
                    if (runState != null && !visitor.visit(runStart - base, pos - runStart, runState, 0)) {
                        return;
                    }
                    runState = state;
                    runStart = pos;
                }
            }
        }
        if (runState != null) {
            visitor.visit(runStart - base, pos - runStart, runState, 0);
        }
    }

    /**
     * A present page that is not exclusively mapped is the shared zero page, or a page shared copy-on-write
     * after {@code fork}: only the frame number (hidden from unprivileged readers) could tell them apart, so
     * it counts as dirty, which is always safe.
     */
    private static PageState stateOf(long entry) {
        if ((entry & PageMapReader.SWAPPED) != 0) {
            return PageState.SWAPPED;
        }
        return (entry & PageMapReader.PRESENT) != 0 ? PageState.DIRTY : null;
    }

    @Override
    public void afterReset(long offset, long length) {
        if (tracker != null && length > 0) {
            Checks.checkPageRange(offset, length, region.byteSize(), Libc.PAGE_SIZE);
            tracker.protect(region.base() + offset, length);
        }
    }

    @Override
    public PageScanner writeTracking() {
        return tracker != null ? this : region.writeTracking();
    }

    @Override
    public String toString() {
        return "PageMapScanner[" + source + " over " + region + "]";
    }
}
