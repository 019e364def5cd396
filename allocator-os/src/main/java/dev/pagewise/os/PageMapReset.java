package dev.pagewise.os;

import dev.pagewise.core.ResetReport;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.os.linux.Libc;
import dev.pagewise.os.linux.Scratch;

import java.lang.foreign.MemorySegment;

/**
 * Resets part of an {@link MmapBacked} to zero while keeping at most {@code keepResident} bytes of it in
 * memory: the pages that hold data are found through the pagemap ({@link DirtyPageSource}), the first
 * {@code keepResident} bytes of them are zeroed in place, and everything after that point is returned to
 * the kernel with one {@code madvise(MADV_DONTNEED)}. Swapped-out pages are always released, never left
 * to fault their old contents back in.
 */
final class PageMapReset {

    private static final long DIRTY_INVERTED = PageMapScan.PFNZERO | PageMapScan.FILE;
    private static final long DIRTY_ANYOF = PageMapScan.PRESENT | PageMapScan.SWAPPED;
    private static final long TRACK_RETURN = PageMapScan.WRITTEN | PageMapScan.PRESENT | PageMapScan.SWAPPED
            | PageMapScan.PFNZERO | PageMapScan.FILE;

    private static final Scratch<PageMapScan> SCANNERS = new Scratch<>(PageMapScan::new);
    private static final Scratch<PageMapReader> READERS = new Scratch<>(PageMapReader::new);

    private PageMapReset() {
    }

    /** The running totals of one reset. */
    private static final class Totals {
        final MmapBacked region;
        final long base;
        final long budgetBytes;
        long zeroed;
        long decommitted;
        long kept;
        long keptEnd;
        long keptCut;
        int regions;

        Totals(MmapBacked region, long budgetBytes) {
            this.region = region;
            this.base = region.base();
            this.budgetBytes = budgetBytes;
        }

        void zero(long address, long length) {
            region.segment().asSlice(address - base, length).fill((byte) 0);
            zeroed += length;
            regions++;
        }

        void keep(long address, long length, boolean dirty) {
            if (dirty) {
                zero(address, length);
            }
            kept += length;
            keptEnd = Math.max(keptEnd, address + length - base);
        }

        void release(long address, long length) {
            if (length > 0) {
                Libc.madvise(address, length, Libc.MADV_DONTNEED,
                        () -> "madvise(0x" + Long.toHexString(address) + ", " + length + ", MADV_DONTNEED)");
                decommitted += length;
                regions++;
            }
        }

        long budgetLeft() {
            return budgetBytes - kept;
        }
    }

    static ResetReport reset(MmapBacked region, long offset, long length, long keepResident, WriteTracker tracker) {
        long startNanos = System.nanoTime();
        long page = Libc.PAGE_SIZE;
        long keptBefore = region.keptEnd(offset);
        if (keptBefore > offset + length) {
            length = keptBefore - offset;
        }
        if (length == 0) {
            return ResetReport.empty("none");
        }
        long budget = Checks.alignDown(Math.min(keepResident, length), page);
        Totals t = new Totals(region, budget);
        long start = region.base() + offset;
        long end = start + length;
        DirtyPageSource source = tracker != null ? DirtyPageSource.TRACK_WRITES : region.dirtyPageSource();
        String strategy;
        if (budget == 0) {
            strategy = "decommit";
            t.release(start, length);
        } else {
            strategy = switch (source) {
                case TRACK_WRITES -> trackWrites(t, start, end, tracker);
                case PAGEMAP_SCAN -> scan(t, start, end);
                case PAGEMAP_READ -> read(t, start, end);
                case NONE -> prefix(t, start, end);
            };
        }
        region.keptEnd(offset, t.keptEnd);
        return new ResetReport(strategy, t.zeroed, t.decommitted, t.regions, System.nanoTime() - startNanos);
    }

    private static String prefix(Totals t, long start, long end) {
        t.keep(start, t.budgetBytes, true);
        t.release(start + t.budgetBytes, end - start - t.budgetBytes);
        return "prefix";
    }

    private static String scan(Totals t, long start, long end) {
        PageMapScan scanner = SCANNERS.acquire();
        try {
            return scan(t, start, end, scanner);
        } finally {
            SCANNERS.release(scanner);
        }
    }

    private static String scan(Totals t, long start, long end, PageMapScan scanner) {
        long page = Libc.PAGE_SIZE;
        long pos = start;
        long cut = end;
        while (pos < end) {
            long pagesLeft = t.budgetLeft() / page;
            int n = scanner.scan(pos, end, 0, pagesLeft, DIRTY_INVERTED, DIRTY_INVERTED, DIRTY_ANYOF,
                    PageMapScan.SWAPPED | PageMapScan.HUGE, PageMapScan.MAX_REGIONS);
            long reported = 0;
            for (int i = 0; i < n; i++) {
                long s = scanner.regionStart(i);
                long e = scanner.regionEnd(i);
                reported += (e - s) / page;
                if ((scanner.regionCategories(i) & PageMapScan.SWAPPED) != 0) {
                    t.release(s, e - s);
                    t.kept += e - s;
                } else {
                    t.keep(s, e - s, true);
                }
            }
            long walkEnd = scanner.walkEnd();
            if (reported >= pagesLeft) {
                cut = hugePageStart(scanner, n, walkEnd);
                break;
            }
            if (n < PageMapScan.MAX_REGIONS || walkEnd >= end) {
                break;
            }
            pos = walkEnd;
        }
        t.release(cut, end - cut);
        return "pagemap-scan";
    }

    /** Where the budget ran out inside a huge page, release the whole huge page rather than split it. */
    private static long hugePageStart(PageMapScan scanner, int n, long walkEnd) {
        if (n > 0 && (scanner.regionCategories(n - 1) & PageMapScan.HUGE) != 0) {
            long hugeStart = Checks.alignDown(walkEnd, MmapBacked.HUGE_PAGE_SIZE);
            if (hugeStart >= scanner.regionStart(n - 1)) {
                return hugeStart;
            }
        }
        return walkEnd;
    }

    private static String read(Totals t, long start, long end) {
        PageMapReader reader = READERS.acquire();
        try {
            return read(t, start, end, reader);
        } finally {
            READERS.release(reader);
        }
    }

    private static String read(Totals t, long start, long end, PageMapReader reader) {
        long page = Libc.PAGE_SIZE;
        long runStart = start;
        int runKind = 0;
        long pos = start;
        while (pos < end) {
            int n = reader.read(pos, (end - pos) / page);
            if (n == 0) {
                break;
            }
            for (int i = 0; i < n; i++, pos += page) {
                long entry = reader.entry(i);
                int kind = kindOf(entry);
                if (kind != runKind) {
                    if (!flushRun(t, runKind, runStart, pos)) {
                        t.release(t.keptCut, end - t.keptCut);
                        return "pagemap-read";
                    }
                    runKind = kind;
                    runStart = pos;
                }
            }
        }
        if (!flushRun(t, runKind, runStart, end)) {
            t.release(t.keptCut, end - t.keptCut);
        }
        return "pagemap-read";
    }

    private static final int CLEAN = 0;
    private static final int DIRTY = 1;
    private static final int RELEASE = 2;

    private static int kindOf(long entry) {
        if ((entry & PageMapReader.SWAPPED) != 0) {
            return RELEASE;
        }
        if ((entry & PageMapReader.PRESENT) == 0) {
            return CLEAN;
        }
        // Present but not exclusive: the zero page, or a page shared copy-on-write after fork.
        // Only the frame number could tell them apart, so release it: cheap, and never leaks.
        return (entry & PageMapReader.EXCLUSIVE) != 0 ? DIRTY : RELEASE;
    }

    /** Handles one run of pages of one kind; returns false when the budget ran out at {@code t.keptCut}. */
    private static boolean flushRun(Totals t, int kind, long from, long to) {
        if (to <= from || kind == CLEAN) {
            return true;
        }
        if (kind == RELEASE) {
            t.release(from, to - from);
            return true;
        }
        long keep = Math.min(to - from, t.budgetLeft());
        if (keep > 0) {
            t.keep(from, keep, true);
        }
        if (keep < to - from) {
            t.keptCut = from + keep;
            return false;
        }
        return true;
    }

    private static String trackWrites(Totals t, long start, long end, WriteTracker tracker) {
        PageMapScan scanner = SCANNERS.acquire();
        try {
            return trackWrites(t, start, end, tracker, scanner);
        } finally {
            SCANNERS.release(scanner);
        }
    }

    private static String trackWrites(Totals t, long start, long end, WriteTracker tracker, PageMapScan scanner) {
        long pos = start;
        long cut = end;
        scanning:
        while (pos < end) {
            int n = scanner.scan(pos, end, 0, 0, 0, 0, 0, TRACK_RETURN, PageMapScan.MAX_REGIONS);
            for (int i = 0; i < n; i++) {
                long s = scanner.regionStart(i);
                long e = scanner.regionEnd(i);
                long c = scanner.regionCategories(i);
                if ((c & PageMapScan.SWAPPED) != 0) {
                    // uffd-wp markers on unpopulated PTEs report as swapped too; a swap entry not written
                    // since the last protect holds what the last reset left there: zeros.
                    if ((c & PageMapScan.WRITTEN) != 0) {
                        t.release(s, e - s);
                    }
                } else if ((c & PageMapScan.PRESENT) != 0 && (c & (PageMapScan.PFNZERO | PageMapScan.FILE)) == 0) {
                    boolean written = (c & PageMapScan.WRITTEN) != 0;
                    long keep = Math.min(e - s, t.budgetLeft());
                    if (keep > 0) {
                        t.keep(s, keep, written);
                    }
                    if (keep < e - s) {
                        cut = s + keep;
                        break scanning;
                    }
                }
            }
            long walkEnd = scanner.walkEnd();
            if (n < PageMapScan.MAX_REGIONS || walkEnd >= end) {
                break;
            }
            pos = walkEnd;
        }
        t.release(cut, end - cut);
        tracker.protect(start, end - start);
        return "track-writes";
    }
}
