package dev.pagewise.os.linux;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.GuardPage;
import dev.pagewise.os.MapOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Guard pages by MADV_GUARD_INSTALL (Linux 6.13+) and by the mprotect fallback, seen without touching them. */
class GuardInstallTest {

    static final long PAGE = Libc.PAGE_SIZE;
    /** Pagemap bit 58: the PTE is a guard marker (Linux 6.15+, Documentation/admin-guide/mm/pagemap.rst). */
    static final long PM_GUARD_REGION = 1L << 58;

    @Test
    void installedGuardsShouldKeepTheMappingOneVmaAndSurviveDontNeed() throws Exception {
        assumeTrue(MmapBacked.guardAdviceSupported(), "kernel " + kernel() + " has no MADV_GUARD_INSTALL (Linux 6.13+)");
        assumeTrue(pagemapReportsGuards(), "kernel " + kernel() + " has no guard bit in pagemap (Linux 6.15+)");
        try (MmapBacked region = MmapBacked.map(16 * PAGE)) {
            long base = region.segment().address();
            region.segment().fill((byte) 7);
            assertEquals(1, vmasIn(base, 16 * PAGE));
            GuardPage guarded = GuardPage.around(region);
            assertEquals(1, vmasIn(base, 16 * PAGE), "MADV_GUARD_INSTALL splits no VMA");
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base), "the protection is untouched");
            assertTrue(isGuardMarker(base), "first page is a guard marker");
            assertTrue(isGuardMarker(base + 15 * PAGE), "last page is a guard marker");
            assertFalse(isGuardMarker(base + PAGE), "the middle is not");
            assertEquals(0, region.residentBytes(0, PAGE), "the guard page's memory went back to the system");

            Libc.madvise(base, 16 * PAGE, Libc.MADV_DONTNEED, () -> "madvise(DONTNEED)");
            assertTrue(isGuardMarker(base) && isGuardMarker(base + 15 * PAGE), "guards survive MADV_DONTNEED");
            guarded.releasePages(0, guarded.byteSize());
            assertTrue(isGuardMarker(base) && isGuardMarker(base + 15 * PAGE), "and a reset of the middle");

            assertThrows(IndexOutOfBoundsException.class, () -> guarded.segment().get(JAVA_BYTE, -1),
                    "Java reads stop at the middle's bounds, before the guard");
            assertThrows(IndexOutOfBoundsException.class, () -> guarded.segment().get(JAVA_BYTE, guarded.byteSize()));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> region.zero(0, PAGE));
            assertTrue(e.getMessage().contains("is a guard page"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> region.releasePages(15 * PAGE, PAGE));

            guarded.close();
            assertFalse(isGuardMarker(base) || isGuardMarker(base + 15 * PAGE), "closing removes the guards");
            assertEquals(0, region.segment().get(JAVA_BYTE, 0), "a removed guard reads as zero");
            region.zero(0, 16 * PAGE);
            assertEquals(1, vmasIn(base, 16 * PAGE));
        }
    }

    @Test
    void theMprotectFallbackShouldProtectThePagesAndSplitTheVma() throws Exception {
        try (MmapBacked region = MmapBacked.map(16 * PAGE)) {
            region.guardAdvice(false);
            long base = region.segment().address();
            GuardPage guarded = GuardPage.around(region);
            assertEquals(3, vmasIn(base, 16 * PAGE), "guard, middle, guard");
            assertEquals("---p", MmapBackedTest.permissionsAt(base));
            assertEquals("---p", MmapBackedTest.permissionsAt(base + 15 * PAGE));
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base + PAGE));
            if (pagemapReportsGuards()) {
                assertFalse(isGuardMarker(base), "no guard marker on the fallback path");
            }
            assertThrows(IllegalStateException.class, () -> region.zero(15 * PAGE, PAGE));
            guarded.close();
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base));
            assertEquals(1, vmasIn(base, 16 * PAGE), "the VMAs merge again");
        }
    }

    @Test
    void aLockedRangeShouldFallBackToMprotect() throws Exception {
        try (Locked locked = Locked.map(8 * PAGE, false)) {
            long base = locked.segment().address();
            GuardPage guarded = GuardPage.around(locked);
            assertEquals("---p", MmapBackedTest.permissionsAt(base), "Linux installs no guard in a locked VMA");
            guarded.close();
            assertEquals("rw-p", MmapBackedTest.permissionsAt(base));
        }
    }

    @Test
    void guardsShouldStayGuardsWhateverProtectIsAsked() throws Exception {
        try (MmapBacked region = MmapBacked.map(4 * PAGE)) {
            region.guard(PAGE, PAGE);
            region.protect(PAGE, PAGE, dev.pagewise.core.Protection.READ_WRITE);
            assertThrows(IllegalStateException.class, () -> region.zero(PAGE, 1), "still a guard for resets");
            if (MmapBacked.guardAdviceSupported() && pagemapReportsGuards()) {
                assertTrue(isGuardMarker(region.segment().address() + PAGE));
            }
            region.unguard(PAGE, PAGE);
            region.zero(PAGE, PAGE);
            assertThrows(IllegalArgumentException.class, () -> region.guard(1, PAGE));
            assertThrows(IllegalArgumentException.class, () -> region.guard(0, 5 * PAGE));
        }
    }

    @Test
    void aLazyRegionShouldKeepItsGuardsThroughCommits() throws Exception {
        try (MmapBacked region = MmapBacked.map(1 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            GuardPage guarded = GuardPage.around(region);
            long base = region.segment().address();
            try (BumpArena arena = BumpArena.over(guarded)) {
                arena.allocate(guarded.byteSize(), 1).set(JAVA_BYTE, guarded.byteSize() - 1, (byte) 1);
            }
            assertTrue(isGuard(base) && isGuard(base + (1 << 20) - PAGE), "both guards after commits to the end");
            guarded.close();
            assertFalse(isGuard(base) || isGuard(base + (1 << 20) - PAGE));
        }
    }

    /** {@return whether the page at {@code address} is a guard: a guard marker, or protected PROT_NONE} */
    static boolean isGuard(long address) throws Exception {
        return "---p".equals(MmapBackedTest.permissionsAt(address)) || pagemapReportsGuards() && isGuardMarker(address);
    }

    static boolean isGuardMarker(long address) throws IOException {
        return (pagemapEntry(address) & PM_GUARD_REGION) != 0;
    }

    static long pagemapEntry(long address) throws IOException {
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            pagemap.read(entry, address / PAGE * 8);
            return entry.getLong(0);
        }
    }

    /** Linux 6.15 added the guard bit to pagemap; the release is read from uname's string. */
    static boolean pagemapReportsGuards() throws IOException {
        String[] v = kernel().split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        return major > 6 || major == 6 && minor >= 15;
    }

    static String kernel() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    }

    /** {@return how many VMAs of /proc/self/maps overlap {@code [address, address + length)}} */
    static long vmasIn(long address, long length) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> {
            String[] bounds = line.substring(0, line.indexOf(' ')).split("-");
            long start = Long.parseUnsignedLong(bounds[0], 16);
            long end = Long.parseUnsignedLong(bounds[1], 16);
            return Long.compareUnsigned(start, address + length) < 0 && Long.compareUnsigned(address, end) < 0;
        }).count();
    }
}
