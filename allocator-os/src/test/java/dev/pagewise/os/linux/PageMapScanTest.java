package dev.pagewise.os.linux;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel's PAGEMAP_SCAN semantics we rely on, after Wasmtime's ioctl tests. */
class PageMapScanTest {

    static final long PAGE = Libc.PAGE_SIZE;
    static final long DIRTY_INVERTED = PageMapScan.PFNZERO | PageMapScan.FILE;

    @BeforeEach
    void requireIoctl() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
    }

    private static int scanAll(PageMapScan scan, MemorySegment s, long returnMask) {
        return scan.scan(s.address(), s.address() + s.byteSize(), 0, 0, 0, PageMapScan.PRESENT, 0, returnMask,
                PageMapScan.MAX_REGIONS);
    }

    @Test
    void untouchedRegionReportsNoPages() {
        try (MmapBacked m = MmapBacked.map(10 * PAGE)) {
            PageMapScan scan = new PageMapScan();
            assertEquals(0, scanAll(scan, m.segment(), PageMapScan.ALL_CATEGORIES));
            assertEquals(m.segment().address() + m.byteSize(), scan.walkEnd());
        }
    }

    @Test
    void emptyRangeReportsNothing() {
        try (MmapBacked m = MmapBacked.map(PAGE)) {
            PageMapScan scan = new PageMapScan();
            long a = m.segment().address();
            assertEquals(0, scan.scan(a, a, 0, 0, 0, 0, 0, 0, 1));
            assertEquals(a, scan.walkEnd());
        }
    }

    @Test
    void readPagesMapTheZeroPageAndWrittenPagesArePrivate() {
        try (MmapBacked m = MmapBacked.map(10 * PAGE)) {
            MemorySegment s = m.segment();
            s.get(JAVA_BYTE, 0);
            s.set(JAVA_BYTE, PAGE, (byte) 1);
            s.get(JAVA_BYTE, 2 * PAGE);
            s.set(JAVA_BYTE, 3 * PAGE, (byte) 1);
            PageMapScan scan = new PageMapScan();
            int n = scanAll(scan, s, PageMapScan.PRESENT | PageMapScan.PFNZERO | PageMapScan.WRITTEN);
            assertEquals(4, n);
            long a = s.address();
            long zero = PageMapScan.PRESENT | PageMapScan.PFNZERO;
            long written = PageMapScan.PRESENT | PageMapScan.WRITTEN;
            for (int i = 0; i < 4; i++) {
                assertEquals(a + i * PAGE, scan.regionStart(i));
                assertEquals(a + (i + 1) * PAGE, scan.regionEnd(i));
            }
            assertEquals(zero, scan.regionCategories(0) & ~PageMapScan.WRITTEN, "read page maps the zero page");
            assertEquals(written, scan.regionCategories(1), "written page is present, private, and WRITTEN");
            assertEquals(zero, scan.regionCategories(2) & ~PageMapScan.WRITTEN);
            assertEquals(written, scan.regionCategories(3));
        }
    }

    @Test
    void dirtyMaskShouldFindOnlyWrittenPages() {
        try (MmapBacked m = MmapBacked.map(10 * PAGE)) {
            MemorySegment s = m.segment();
            s.get(JAVA_BYTE, 0);
            s.set(JAVA_BYTE, PAGE, (byte) 1);
            s.set(JAVA_BYTE, 2 * PAGE, (byte) 1);
            s.get(JAVA_BYTE, 5 * PAGE);
            s.set(JAVA_BYTE, 7 * PAGE, (byte) 1);
            PageMapScan scan = new PageMapScan();
            long a = s.address();
            int n = scan.scan(a, a + s.byteSize(), 0, 0, DIRTY_INVERTED, DIRTY_INVERTED,
                    PageMapScan.PRESENT | PageMapScan.SWAPPED, 0, PageMapScan.MAX_REGIONS);
            assertEquals(2, n, "adjacent dirty pages merge");
            assertEquals(a + PAGE, scan.regionStart(0));
            assertEquals(a + 3 * PAGE, scan.regionEnd(0));
            assertEquals(a + 7 * PAGE, scan.regionStart(1));
            assertEquals(a + 8 * PAGE, scan.regionEnd(1));
            assertEquals(a + s.byteSize(), scan.walkEnd());
        }
    }

    @Test
    void regionLimitShouldStopTheWalkAfterTheLastReportedRegion() {
        try (MmapBacked m = MmapBacked.map(10 * PAGE)) {
            MemorySegment s = m.segment();
            for (int p = 0; p < 10; p += 2) {
                s.set(JAVA_BYTE, p * PAGE, (byte) 1);
            }
            PageMapScan scan = new PageMapScan();
            long a = s.address();
            int n = scan.scan(a, a + s.byteSize(), 0, 0, DIRTY_INVERTED, DIRTY_INVERTED, PageMapScan.PRESENT, 0, 2);
            assertEquals(2, n);
            assertEquals(a + 2 * PAGE, scan.regionStart(1));
            assertTrue(scan.walkEnd() >= a + 3 * PAGE && scan.walkEnd() <= a + 4 * PAGE, "walk stops after region 2");
            assertNotEquals(a + s.byteSize(), scan.walkEnd());
        }
    }

    @Test
    void pageLimitShouldSplitARegionAndStopThere() {
        try (MmapBacked m = MmapBacked.map(10 * PAGE)) {
            MemorySegment s = m.segment();
            s.asSlice(0, 5 * PAGE).fill((byte) 1);
            PageMapScan scan = new PageMapScan();
            long a = s.address();
            int n = scan.scan(a, a + s.byteSize(), 0, 2, DIRTY_INVERTED, DIRTY_INVERTED, PageMapScan.PRESENT, 0,
                    PageMapScan.MAX_REGIONS);
            assertEquals(1, n);
            assertEquals(a, scan.regionStart(0));
            assertEquals(a + 2 * PAGE, scan.regionEnd(0));
            assertEquals(a + 2 * PAGE, scan.walkEnd());
        }
    }

    @Test
    void pageLimitWithAHoleShouldCountOnlyReportedPages() {
        try (MmapBacked m = MmapBacked.map(10 * PAGE)) {
            MemorySegment s = m.segment();
            s.set(JAVA_BYTE, 0, (byte) 1);
            s.set(JAVA_BYTE, 4 * PAGE, (byte) 1);
            s.set(JAVA_BYTE, 5 * PAGE, (byte) 1);
            PageMapScan scan = new PageMapScan();
            long a = s.address();
            int n = scan.scan(a, a + s.byteSize(), 0, 2, DIRTY_INVERTED, DIRTY_INVERTED, PageMapScan.PRESENT, 0,
                    PageMapScan.MAX_REGIONS);
            assertEquals(2, n);
            assertEquals(a + 4 * PAGE, scan.regionStart(1));
            assertEquals(a + 5 * PAGE, scan.regionEnd(1));
            assertEquals(a + 5 * PAGE, scan.walkEnd());
        }
    }

    @Test
    void fallbackEntriesShouldTellReadFromWrittenPages() {
        assumeTrue(PageMapReader.isSupported(), () -> "pagemap unreadable: " + PageMapReader.unsupportedReason());
        try (MmapBacked m = MmapBacked.map(4 * PAGE)) {
            MemorySegment s = m.segment();
            s.get(JAVA_BYTE, 0);
            s.set(JAVA_BYTE, PAGE, (byte) 1);
            long read = PageMapReader.entryOf(s.address());
            long written = PageMapReader.entryOf(s.address() + PAGE);
            long untouched = PageMapReader.entryOf(s.address() + 2 * PAGE);
            assertTrue((read & PageMapReader.PRESENT) != 0, "read page is present");
            assertEquals(0, read & PageMapReader.EXCLUSIVE, "read page maps the shared zero page");
            assertTrue((written & PageMapReader.PRESENT) != 0, "written page is present");
            assertTrue((written & PageMapReader.EXCLUSIVE) != 0, "written page is exclusively mapped");
            assertEquals(0, untouched & PageMapReader.PRESENT, "untouched page is not present");
            m.releasePages(PAGE, PAGE);
            assertEquals(0, PageMapReader.entryOf(s.address() + PAGE) & PageMapReader.PRESENT,
                    "released page is not present");
        }
    }
}
