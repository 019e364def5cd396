package dev.pagewise.os.linux;

import dev.pagewise.os.MapOptions;
import dev.pagewise.os.OsException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Transparent huge pages (MADV_HUGEPAGE) and explicit ones (MAP_HUGETLB). */
class HugePagesTest {

    static final long HUGE = MmapBacked.HUGE_PAGE_SIZE;

    @Test
    void transparentHugePagesShouldBackTheMappingWhereTheKernelEnablesThem() throws Exception {
        String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).trim();
        assumeTrue(mode.contains("[always]") || mode.contains("[madvise]"), "THP is off here: " + mode);
        try (MmapBacked m = MmapBacked.map(4 << 20, MapOptions.DEFAULT.withHugePages())) {
            long base = m.segment().address();
            assertEquals(0, base % HUGE, "2 MiB-aligned by over-mapping and trimming");
            m.segment().fill((byte) 1);
            String vma = smapsOf(base);
            assertEquals(1, field(vma, "THPeligible:"), vma);
            long anonHuge = field(vma, "AnonHugePages:");
            assumeTrue(anonHuge > 0 || !Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/defrag"))
                    .matches("(?s).*\\[(always|defer\\+madvise|madvise)].*"),
                    "the kernel found no free 2 MiB page and compaction is off");
            assertTrue(anonHuge >= 2048, "at least one huge page (kB): " + vma);
        }
    }

    @Test
    void hugeTlbShouldFailClearlyWhenNoHugePagesAreReserved() throws Exception {
        assumeTrue(meminfo("HugePages_Free:") == 0 && overcommitHugePages() == 0,
                "this machine has huge pages reserved (vm.nr_hugepages), so MAP_HUGETLB succeeds");
        OsException e = assertThrows(OsException.class, () -> MmapBacked.map(HUGE, MapOptions.DEFAULT.withHugeTlb()));
        assertEquals("ENOMEM", e.errnoName());
        assertTrue(e.getMessage().startsWith("mmap(2.0 MiB, lazyCommit=false, MAP_HUGETLB; hugetlb pool: 0 of "),
                e.getMessage());
        assertTrue(e.getMessage().contains("reserve more with vm.nr_hugepages) failed: ENOMEM (12)"), e.getMessage());
        assertThrows(OsException.class, () -> MmapBacked.map(HUGE, MapOptions.DEFAULT.withHugeTlb().withLazyCommit()),
                "a lazy hugetlb region reserves its pages up front too");
    }

    @Test
    void hugeTlbShouldMapTwoMiBPagesWhenReserved() throws Exception {
        assumeTrue(meminfo("HugePages_Free:") >= 2, "needs 2 free huge pages (vm.nr_hugepages is "
                + Files.readString(Path.of("/proc/sys/vm/nr_hugepages")).trim() + " here; reserving them is the admin's call)");
        try (MmapBacked m = MmapBacked.map(3 << 20, MapOptions.DEFAULT.withHugeTlb())) {
            assertEquals(4 << 20, m.byteSize());
            assertEquals(HUGE, m.pageSize());
            assertTrue(m.pageScanner().isEmpty());
            m.segment().fill((byte) 3);
            assertEquals(2048, field(smapsOf(m.segment().address()), "KernelPageSize:"));
            long resident = m.residentBytes(0, m.byteSize());
            m.releasePages(0, HUGE);
            assertEquals(0, m.segment().get(JAVA_BYTE, 0));
            assertEquals(3, m.segment().get(JAVA_BYTE, HUGE));
            assertEquals(resident, m.residentBytes(0, m.byteSize()), "zeroed in place: the huge page stays");
            assertThrows(IllegalArgumentException.class, () -> m.releasePages(0, 4096));
        }
    }

    @Test
    void releasePagesShouldZeroInPlaceOnlyOverHugeTlb() {
        assertTrue(MmapBacked.releasesInPlace(MapOptions.DEFAULT.withHugeTlb()));
        assertTrue(MmapBacked.releasesInPlace(MapOptions.DEFAULT.withHugeTlb().withLazyCommit()));
        assertEquals(false, MmapBacked.releasesInPlace(MapOptions.DEFAULT));
        assertEquals(false, MmapBacked.releasesInPlace(MapOptions.DEFAULT.withHugePages()));
    }

    @Test
    void releasingInPlaceShouldZeroTheCommittedPagesAndKeepThemResident() {
        // no hugetlb pages are reserved on most machines: the hook gives an ordinary region hugetlb's release
        long page = Libc.PAGE_SIZE;
        try (MmapBacked m = MmapBacked.map(64 << 10, MapOptions.DEFAULT.withLazyCommit())) {
            m.releaseInPlace(true);
            m.commit(0, 64 << 10);
            m.segment().fill((byte) 5);
            long resident = m.residentBytes(0, m.byteSize());
            assertTrue(resident >= 16 * page, "written pages are resident: " + resident);
            m.releasePages(0, m.byteSize());
            assertEquals(-1, m.segment().mismatch(java.lang.foreign.MemorySegment.ofArray(new byte[64 << 10])), "reads zero");
            assertEquals(resident, m.residentBytes(0, m.byteSize()), "the pages stay resident");
        }
        try (MmapBacked m = MmapBacked.map(1 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            m.releaseInPlace(true);
            m.commit(0, 64 << 10);
            m.segment().asSlice(0, 64 << 10).fill((byte) 5);
            m.releasePages(0, 1 << 20); // past the committed prefix: nothing to zero, and no fault
            assertEquals(0, m.segment().get(JAVA_BYTE, 100));
        }
    }

    @Test
    void hugeTlbShouldRefuseOptionsThatCannotApply() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MapOptions.DEFAULT.withGuardPages().withHugeTlb());
        assertTrue(e.getMessage().contains("guardPages"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MapOptions.DEFAULT.withHugeTlb().withHugePages());
        assertTrue(e.getMessage().contains("hugePages"), e.getMessage());
    }

    /** {@return the smaps entry of the VMA that starts at {@code base}} */
    static String smapsOf(long base) throws IOException {
        String smaps = Files.readString(Path.of("/proc/self/smaps"));
        int at = smaps.indexOf(String.format("%x-", base));
        assertTrue(at >= 0, "no VMA starts at " + Long.toHexString(base));
        int end = smaps.indexOf("VmFlags:", at);
        return smaps.substring(at, smaps.indexOf('\n', end));
    }

    static long field(String vma, String name) {
        int at = vma.indexOf(name);
        assertTrue(at >= 0, name + " missing: " + vma);
        return Long.parseLong(vma.substring(at + name.length(), vma.indexOf('\n', at)).replace("kB", "").trim());
    }

    static long meminfo(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(name))
                .mapToLong(l -> Long.parseLong(l.substring(name.length()).replace("kB", "").trim())).findFirst().orElse(0);
    }

    static long overcommitHugePages() throws IOException {
        return Long.parseLong(Files.readString(Path.of("/proc/sys/vm/nr_overcommit_hugepages")).trim());
    }
}
