package dev.pagewise.os.linux;

import dev.pagewise.os.OsMemory;
import dev.pagewise.os.OsException;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.internal.CommitWatermark;
import dev.pagewise.core.Protection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MmapBackedTest {

    static final long PAGE = Libc.PAGE_SIZE;

    @Test
    void shouldRoundSizeUpToPages() {
        try (MmapBacked m = MmapBacked.map(1)) {
            assertEquals(PAGE, m.byteSize());
            assertEquals(PAGE, m.pageSize());
        }
        try (MmapBacked m = MmapBacked.map(PAGE + 1)) {
            assertEquals(2 * PAGE, m.byteSize());
        }
    }

    @Test
    void shouldRejectNonPositiveAndHugeSizes() {
        assertThrows(IllegalArgumentException.class, () -> MmapBacked.map(0));
        assertThrows(IllegalArgumentException.class, () -> MmapBacked.map(-5));
        assertThrows(IllegalArgumentException.class, () -> MmapBacked.map(Long.MAX_VALUE));
    }

    @Test
    void impossibleMapShouldNameCallSizeAndErrno() throws Exception {
        assumeTrue(!"1".equals(Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).trim()),
                "overcommit_memory=1 accepts any mapping");
        OsException e = assertThrows(OsException.class, () -> MmapBacked.map(1L << 40));
        assertEquals("mmap(1.0 TiB, lazyCommit=false) failed: ENOMEM (12)", e.getMessage());
        assertEquals(12, e.errno());
        assertEquals("ENOMEM", e.errnoName());
    }

    @Test
    void lazyCommitShouldReserveATerabyteForFree() {
        try (MmapBacked m = MmapBacked.map(1L << 40, MapOptions.DEFAULT.withLazyCommit())) {
            assertEquals(0, m.committed());
            m.commit(0, 10);
            assertEquals(MmapBacked.COMMIT_GRANULARITY, m.committed());
            m.segment().set(JAVA_LONG, 0, 99L);
            assertEquals(99L, m.segment().get(JAVA_LONG, 0));
            long far = (1L << 40) - 8;
            m.commit(far, 8);
            assertEquals(m.byteSize(), m.committed());
            m.segment().set(JAVA_LONG, far, 1L);
            assertTrue(Libc.residentPages(m.segment().address(), 1L << 30) <= 2, "untouched pages stay unresident");
        }
    }

    @Test
    void commitPastTheEndShouldFailAndKeepState() {
        try (MmapBacked m = MmapBacked.map(64 << 10, MapOptions.DEFAULT.withLazyCommit())) {
            m.commit(0, 4096);
            long before = m.committed();
            assertThrows(IllegalArgumentException.class, () -> m.commit(m.byteSize() - 8, 16));
            assertEquals(before, m.committed());
        }
    }

    @Test
    void releasePagesShouldZeroAndFreeMemory() {
        try (MmapBacked m = MmapBacked.map(16 * PAGE)) {
            MemorySegment s = m.segment();
            s.fill((byte) 0x11);
            assertEquals(16, Libc.residentPages(s.address(), 16 * PAGE));
            m.releasePages(4 * PAGE, 8 * PAGE);
            assertEquals(8, Libc.residentPages(s.address(), 16 * PAGE));
            for (long i = 0; i < 16 * PAGE; i += 512) {
                boolean released = i >= 4 * PAGE && i < 12 * PAGE;
                assertEquals(released ? 0 : 0x11, s.get(JAVA_BYTE, i), "byte " + i);
            }
        }
    }

    @Test
    void releasePagesShouldRejectUnalignedOrOutsideRanges() {
        try (MmapBacked m = MmapBacked.map(4 * PAGE)) {
            m.segment().fill((byte) 1);
            assertThrows(IllegalArgumentException.class, () -> m.releasePages(1, PAGE));
            assertThrows(IllegalArgumentException.class, () -> m.releasePages(0, PAGE + 1));
            assertThrows(IllegalArgumentException.class, () -> m.releasePages(PAGE, 4 * PAGE));
            assertThrows(IllegalArgumentException.class, () -> m.releasePages(-PAGE, PAGE));
            assertEquals(-1, m.segment().mismatch(MemorySegment.ofArray(filled((int) (4 * PAGE)))),
                    "rejected calls change nothing");
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 1);
        return b;
    }

    @Test
    void readProtectedViewShouldRefuseWritesInJava() {
        try (MmapBacked m = MmapBacked.map(4 * PAGE)) {
            m.segment().set(JAVA_LONG, PAGE, 7L);
            MemorySegment view = m.protect(PAGE, PAGE, Protection.READ);
            assertTrue(view.isReadOnly());
            assertEquals(7L, view.get(JAVA_LONG, 0));
            assertThrows(IllegalArgumentException.class, () -> view.set(JAVA_LONG, 0, 1L),
                    "the view enforces PROT_READ before the hardware would kill the JVM");
            MemorySegment none = m.protect(2 * PAGE, PAGE, Protection.NONE);
            assertEquals(0, none.byteSize());
            assertThrows(IndexOutOfBoundsException.class, () -> none.get(JAVA_BYTE, 0));
            MemorySegment rw = m.protect(PAGE, 2 * PAGE, Protection.READ_WRITE);
            rw.set(JAVA_LONG, 0, 8L);
            assertEquals(8L, m.segment().get(JAVA_LONG, PAGE));
        }
    }

    @ParameterizedTest
    @EnumSource(Protection.class)
    void everyProtectionShouldBeAcceptedByTheKernel(Protection protection) {
        try (MmapBacked m = MmapBacked.map(2 * PAGE)) {
            MemorySegment view = m.protect(0, PAGE, protection);
            assertEquals(protection.canRead() ? PAGE : 0, view.byteSize());
            assertEquals(!protection.canWrite() && protection.canRead(), view.isReadOnly());
        }
    }

    @Test
    void protectShouldRejectBadRanges() {
        try (MmapBacked m = MmapBacked.map(2 * PAGE)) {
            assertThrows(IllegalArgumentException.class, () -> m.protect(1, PAGE, Protection.READ));
            assertThrows(IllegalArgumentException.class, () -> m.protect(0, 3 * PAGE, Protection.READ));
        }
    }

    @Test
    void guardPagesShouldSurroundTheRegion() throws Exception {
        try (MmapBacked m = MmapBacked.map(4 * PAGE, MapOptions.DEFAULT.withGuardPages())) {
            long base = m.segment().address();
            assertEquals("---p", permissionsAt(base - PAGE), "guard below");
            assertEquals("---p", permissionsAt(base - 1), "guard below");
            assertEquals("---p", permissionsAt(base + 4 * PAGE), "guard above");
            assertEquals("---p", permissionsAt(base + 5 * PAGE - 1), "guard above");
            assertEquals("rw-p", permissionsAt(base), "region itself");
            assertEquals("rw-p", permissionsAt(base + 4 * PAGE - 1), "region itself");
        }
    }

    /** {@return the permissions of the mapping that holds {@code address}, from /proc/self/maps} */
    static String permissionsAt(long address) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] parts = line.split(" ");
            String[] bounds = parts[0].split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(bounds[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(bounds[1], 16)) < 0) {
                return parts[1];
            }
        }
        return "unmapped";
    }

    @Test
    void closeShouldUnmapEverythingIncludingGuards() throws Exception {
        MmapBacked m = MmapBacked.map(4 * PAGE, MapOptions.DEFAULT.withGuardPages());
        long base = m.segment().address();
        m.close();
        assertEquals("unmapped", permissionsAt(base));
    }

    @Test
    void hugePagesShouldAlignTo2MiBAndAdvise() throws Exception {
        try (MmapBacked m = MmapBacked.map(3 << 20, MapOptions.DEFAULT.withHugePages())) {
            assertEquals(0, m.segment().address() % MmapBacked.HUGE_PAGE_SIZE);
            assertEquals(4 << 20, m.byteSize());
            String smaps = Files.readString(Path.of("/proc/self/smaps"));
            String header = String.format("%x-", m.segment().address());
            int at = smaps.indexOf(header);
            assertTrue(at >= 0);
            int next = smaps.indexOf("VmFlags:", at);
            String flags = smaps.substring(next, smaps.indexOf('\n', next));
            assertTrue(flags.contains(" hg"), "MADV_HUGEPAGE set: " + flags);
        }
    }

    @Test
    void populateShouldFaultPagesInUpFront() {
        try (MmapBacked m = MmapBacked.map(64 * PAGE, MapOptions.DEFAULT.withPopulate())) {
            assertEquals(64, Libc.residentPages(m.segment().address(), 64 * PAGE));
        }
        try (MmapBacked m = MmapBacked.map(64 * PAGE)) {
            assertEquals(0, Libc.residentPages(m.segment().address(), 64 * PAGE));
        }
    }

    @Test
    void osMemoryShouldPickMmapOnLinux() {
        try (var range = OsMemory.map(PAGE)) {
            assertTrue(range instanceof MmapBacked);
        }
    }

    @Test
    void commitWatermarkArithmetic() {
        assertEquals(0, CommitWatermark.advance(0, 0, 65536, 1 << 20));
        assertEquals(65536, CommitWatermark.advance(0, 1, 65536, 1 << 20));
        assertEquals(65536, CommitWatermark.advance(65536, 65536, 65536, 1 << 20));
        assertEquals(131072, CommitWatermark.advance(65536, 65537, 65536, 1 << 20));
        assertEquals(100_000, CommitWatermark.advance(0, 99_999, 65536, 100_000), "capped at the size");
        assertEquals(100_000, CommitWatermark.advance(65536, 100_000, 65536, 100_000));
        assertThrows(IllegalArgumentException.class, () -> CommitWatermark.advance(0, 100_001, 65536, 100_000));
        assertEquals(Long.MAX_VALUE, CommitWatermark.advance(0, Long.MAX_VALUE - 3, 65536, Long.MAX_VALUE),
                "no overflow near the top");
    }
}
