package dev.pagewise.os.linux;

import dev.pagewise.os.DelegatingOsBacked;
import dev.pagewise.os.MapOptions;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.PageScanner;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.ResetStrategy;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ResetTest {

    static final long PAGE = Libc.PAGE_SIZE;

    @Test
    void arenaThatSpikedShouldSettleWithinKeepResident() {
        assumeTrue(PageMapScanner.best() != ResetStrategy.PREFIX, "needs the pagemap");
        try (MmapBacked range = MmapBacked.map(512L << 20, MapOptions.DEFAULT.withLazyCommit());
             BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.keepResident(4 << 20)).build()) {
            arena.allocate(256 << 20, 4096).fill((byte) 1);
            assertTrue(ResetProperties.privatePages(range.segment().address(), 256 << 20) * PAGE >= 256 << 20);
            ResetReport spike = arena.reset();
            assertEquals(4 << 20, spike.bytesZeroed());
            for (int request = 0; request < 50; request++) {
                for (int b = 0; b < 64; b++) {
                    arena.allocate(16 << 10, 8).fill((byte) request);
                }
                arena.reset();
            }
            long rss = ResetProperties.privatePages(range.segment().address(), range.byteSize()) * PAGE;
            assertTrue(rss <= 5 << 20, "steady state " + rss + " bytes resident");
        }
    }

    @Test
    void sparseWritesShouldZeroOnlyWrittenPages() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            MemorySegment s = range.segment();
            for (long p = 0; p < 256; p += 4) {
                s.set(JAVA_BYTE, p * PAGE + 17, (byte) 1);
            }
            ResetReport report = ResetPolicy.keepResident(1 << 20).reset(range, 0, 1 << 20);
            assertEquals(ResetStrategy.PAGEMAP_SCAN, report.strategy());
            assertEquals(64 * PAGE, report.bytesZeroed(), "one page in four was written");
            assertEquals(0, report.bytesDecommitted());
            assertEquals(64, report.regions());
        }
    }

    @Test
    void keepResidentShouldMemsetDenseWritesWithoutScanningAndScanAgainWhenTheyTurnSparse() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long size = 1 << 20;
        try (MmapBacked range = MmapBacked.map(2 * size)) {
            MemorySegment s = range.segment().asSlice(0, size);
            ResetPolicy policy = ResetPolicy.keepResident(size);
            s.fill((byte) 1);
            assertEquals(ResetStrategy.PAGEMAP_SCAN, policy.reset(range, 0, size).strategy(), "the first reset scans");
            for (int i = 1; i < 16; i++) {
                // the last dense reset uses all but 100 bytes: the rest of its last page reads zero, and stays unwritten
                long used = i == 15 ? size - 100 : size;
                s.asSlice(0, used).fill((byte) i);
                ResetReport dense = policy.reset(range, 0, used);
                assertEquals(ResetStrategy.ZERO, dense.strategy(), "dense reset " + i + " memsets");
                assertEquals(used, dense.bytesZeroed());
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) size])), "reads zero after reset " + i);
            }
            s.fill((byte) 2);
            assertEquals(ResetStrategy.PAGEMAP_SCAN, policy.reset(range, 0, size).strategy(), "every 16th reset scans");
            for (long p = 0; p < 256; p += 8) {
                s.set(JAVA_BYTE, p * PAGE, (byte) 3);
            }
            // pages stay resident after a reset, so this scan still reports all of them dirty: the hint stays dense
            // until the pages the cycle no longer writes are released; what matters is that every byte reads zero
            ResetReport next = policy.reset(range, 0, size);
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) size])));
            assertTrue(next.bytesZeroed() >= 32 * PAGE, next.toString());
        }
        try (MmapBacked range = MmapBacked.map(2 * size)) {
            MemorySegment s = range.segment().asSlice(0, size);
            ResetPolicy policy = ResetPolicy.keepResident(size);
            for (int cycle = 0; cycle < 20; cycle++) {
                for (long p = 0; p < 256; p += 4) {
                    s.set(JAVA_BYTE, p * PAGE + cycle, (byte) 1);
                }
                ResetReport sparse = policy.reset(range, 0, size);
                assertEquals(ResetStrategy.PAGEMAP_SCAN, sparse.strategy(), "sparse cycle " + cycle + " scans");
                assertEquals(64 * PAGE, sparse.bytesZeroed());
            }
        }
    }

    /**
     * Each rescan that finds the pages dense again doubles the wait for the next (16, 32, ... up to 256 resets);
     * one that finds pages gone (released, as an idle purge does) scans every reset while writes stay sparse,
     * and starts over at 16 once they are dense again.
     */
    @Test
    void keepResidentShouldRescanDenseWritesLessOftenUntilAScanFindsThemSparse() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long size = 128 << 10; // past the 64 KiB a reset zeroes without looking
        try (MmapBacked range = MmapBacked.map(size)) {
            MemorySegment s = range.segment();
            ResetPolicy policy = ResetPolicy.keepResident(size);
            List<Integer> scans = new java.util.ArrayList<>();
            for (int i = 0; i <= 752; i++) {
                s.fill((byte) 1);
                if (policy.reset(range, 0, size).strategy() == ResetStrategy.PAGEMAP_SCAN) {
                    scans.add(i);
                }
            }
            assertEquals(List.of(0, 16, 48, 112, 240, 496, 752), scans);
            for (int i = 753; i < 752 + 256; i++) {
                s.fill((byte) 1);
                assertEquals(ResetStrategy.ZERO, policy.reset(range, 0, size).strategy(), "dense reset " + i);
            }
            range.releasePages(0, size);
            for (int cycle = 0; cycle < 3; cycle++) {
                for (long p = 0; p < size / PAGE; p += 4) {
                    s.set(JAVA_BYTE, p * PAGE, (byte) 1);
                }
                ResetReport sparse = policy.reset(range, 0, size);
                assertEquals(ResetStrategy.PAGEMAP_SCAN, sparse.strategy(), "sparse cycle " + cycle);
                assertEquals(size / 4, sparse.bytesZeroed(), "sparse cycle " + cycle);
            }
            scans.clear();
            for (int i = 0; i <= 16; i++) {
                s.fill((byte) 1);
                if (policy.reset(range, 0, size).strategy() == ResetStrategy.PAGEMAP_SCAN) {
                    scans.add(i);
                }
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) size])), "reads zero after reset " + i);
            }
            assertEquals(List.of(0, 16), scans, "dense again: the first rescan comes after 16 resets");
        }
    }

    /**
     * {@code resetTo} frees the blocks above its mark, but they stay writable until the generation ends: what is
     * written through them after it must not survive the next reset, nor the arena's close, whatever its size
     * (a memset of the used bytes up to 64 KiB, a scan above).
     */
    @Test
    void bytesWrittenAboveAResetToMarkShouldNotSurviveTheNextResetOrClose() {
        for (long size : new long[] {32 << 10, 1 << 20}) {
            for (ResetPolicy policy : List.of(ResetPolicy.keepResident(4 << 20), ResetPolicy.zeroAll())) {
                String what = policy + ", " + size + " bytes";
                byte[] zeros = new byte[(int) size];
                try (MmapBacked range = MmapBacked.map(8 << 20)) {
                    try (BumpArena arena = BumpArena.builder(range).resetPolicy(policy).build()) {
                        MemorySegment freed = arena.allocate(size, 8);
                        arena.resetTo(0);
                        freed.fill((byte) 0x41);
                        arena.allocate(size / 8, 8);
                        arena.reset();
                        assertEquals(-1, arena.allocate(size, 8).mismatch(MemorySegment.ofArray(zeros)), what + ": reset");
                        arena.reset();
                        MemorySegment again = arena.allocate(size, 8);
                        arena.resetTo(0);
                        again.fill((byte) 0x42);
                    }
                    try (BumpArena next = BumpArena.builder(range).resetPolicy(policy).build()) {
                        assertEquals(-1, next.allocate(size, 8).mismatch(MemorySegment.ofArray(zeros)), what + ": close");
                    }
                }
            }
        }
    }

    @Test
    void pagesPastTheUsedBytesCountAgainstTheBudgetWithoutBeingZeroedAgain() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long k = 1 << 10;
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            MemorySegment s = range.segment();
            long base = s.address();
            ResetPolicy half = ResetPolicy.keepResident(512 * k);
            s.asSlice(0, 512 * k).fill((byte) 1);
            assertEquals(512 * k, half.reset(range, 0, 512 * k).bytesZeroed());
            assertEquals(512 * k, ResetProperties.privatePages(base, 1 << 20) * PAGE, "the budget stays resident");

            s.asSlice(0, 128 * k).fill((byte) 2);
            ResetReport shorter = half.reset(range, 0, 128 * k);
            assertEquals(128 * k, shorter.bytesZeroed(), "[128 KiB, 512 KiB) reads zero already: " + shorter);
            assertEquals(0, shorter.bytesDecommitted(), shorter.toString());
            assertEquals(512 * k, ResetProperties.privatePages(base, 1 << 20) * PAGE);

            ResetPolicy quarter = ResetPolicy.keepResident(256 * k);
            s.asSlice(0, 128 * k).fill((byte) 3);
            ResetReport smaller = quarter.reset(range, 0, 128 * k);
            assertEquals(128 * k, smaller.bytesZeroed(), smaller.toString());
            assertEquals(256 * k, ResetProperties.privatePages(base, 1 << 20) * PAGE, "the tail past the budget went back");
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[1 << 20])));
        }
    }

    @Test
    void aSmallResetMayLeaveItsUsedPagesOverTheBudgetUntilTheNextLargerReset() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long k = 1 << 10;
        try (MmapBacked range = MmapBacked.map(4 << 20)) {
            MemorySegment s = range.segment();
            ResetPolicy policy = ResetPolicy.keepResident(64 * k);
            s.asSlice(2 << 20, 1 << 20).fill((byte) 1);
            policy.reset(range, 0, 3 << 20);
            assertEquals(64 * k, ResetProperties.privatePages(s.address(), 4 << 20) * PAGE,
                    "the budget stays resident, 2 MiB in");

            // a short request that wrote one byte of its last page: its memset faults in the 7 pages before it
            s.set(JAVA_BYTE, 7 * PAGE, (byte) 2);
            ResetReport small = policy.reset(range, 0, 7 * PAGE + 1);
            assertEquals(ResetStrategy.ZERO, small.strategy(), "one memset, no walk of the 4 MiB: " + small);
            long resident = ResetProperties.privatePages(s.address(), 4 << 20) * PAGE;
            assertTrue(resident <= 64 * k + 8 * PAGE, resident + " bytes resident: the budget and the used pages at most");

            s.asSlice(0, 128 * k).fill((byte) 3);
            policy.reset(range, 0, 128 * k);
            resident = ResetProperties.privatePages(s.address(), 4 << 20) * PAGE;
            assertEquals(64 * k, resident, "a larger reset holds the budget again");
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[4 << 20])));
        }
    }

    @Test
    void anArenasSmallResetShouldHoldTheBudgetWhenAnEarlierResetKeptPagesFurtherOn() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long k = 1 << 10;
        try (MmapBacked range = MmapBacked.map(4 << 20);
             BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.keepResident(64 * k)).build()) {
            long base = range.segment().address();
            arena.allocate(2 << 20, 1);
            arena.allocate(1 << 20, 1).fill((byte) 1);
            arena.reset();
            assertEquals(64 * k, ResetProperties.privatePages(base, 4 << 20) * PAGE, "the budget stays resident, 2 MiB in");

            // the arena knows where its resident pages end: this memset would fault in 7 pages past the budget
            arena.allocate(7 * PAGE, 1);
            arena.allocate(1, 1).fill((byte) 2);
            ResetReport small = arena.reset();
            long resident = ResetProperties.privatePages(base, 4 << 20) * PAGE;
            assertTrue(resident <= 64 * k, resident + " bytes resident after " + small + ", budget 64 KiB");
            assertEquals(-1, range.segment().mismatch(MemorySegment.ofArray(new byte[4 << 20])));
        }
    }

    @Test
    void anArenasResetShouldHoldTheBudgetWhenAWriteFaultsInAWholeHugePage() throws Exception {
        String thp = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        assumeTrue(!thp.contains("[never]"), "transparent huge pages are off: " + thp.strip());
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        try (MmapBacked range = MmapBacked.map(16 << 20, MapOptions.DEFAULT.withHugePages());
             BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.keepResident(1 << 20)).build()) {
            arena.allocate(100 << 10, 1); // used, never written: the walk finds nothing resident
            arena.reset();
            arena.allocate(10 << 10, 1).fill((byte) 1); // may fault in the whole huge page [0, 2 MiB)
            ResetReport report = arena.reset();
            long resident = ResetProperties.privatePages(range.segment().address(), 16 << 20) * PAGE;
            assertTrue(resident <= 1 << 20, resident + " bytes resident after " + report);
            assertEquals(-1, range.segment().mismatch(MemorySegment.ofArray(new byte[16 << 20])));
        }
    }

    @Test
    void anArenaOverARangeWithoutAScannerShouldZeroASmallResetsUsedBytesOnly() {
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            OsBacked blind = new DelegatingOsBacked(range) {
                @Override
                public Optional<PageScanner> pageScanner() {
                    return Optional.empty();
                }
            };
            try (BumpArena arena = BumpArena.builder(blind).resetPolicy(ResetPolicy.keepResident(64 << 10)).build()) {
                arena.allocate(5000, 1).fill((byte) 1);
                assertEquals(new ResetReport(ResetStrategy.ZERO, 5000, 0, 1), arena.reset(),
                        "one memset of the used bytes, not the prefix reset's 8192");
            }
            assertEquals(-1, range.segment().mismatch(MemorySegment.ofArray(new byte[1 << 20])));
        }
    }

    @Test
    void anEmptyResetShouldDoNothingWhateverTheArenaKnows() {
        try (MmapBacked range = MmapBacked.map(4 << 20);
             BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.keepResident(64 << 10)).build()) {
            arena.allocate(2 << 20, 1);
            arena.allocate(1 << 20, 1).fill((byte) 1);
            arena.reset();
            assertEquals(ResetReport.empty(ResetStrategy.NONE), arena.reset(), "the kept pages lie past the budget's reach");
        }
    }

    @Test
    void anArenasResetShouldWalkThePagesPastItsUsedBytesOnlyAsFarAsItsResidentPagesReach() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long k = 1 << 10;
        try (MmapBacked range = MmapBacked.map(8 << 20)) {
            long[] walkedTo = new long[1];
            OsBacked recorded = watched(range, (offset, length) -> walkedTo[0] = Math.max(walkedTo[0], offset + length));
            try (BumpArena arena = BumpArena.builder(recorded).resetPolicy(ResetPolicy.keepResident(1 << 20)).build()) {
                arena.allocate(4 << 20, 1).fill((byte) 1);
                arena.reset();
                assertEquals(8 << 20, walkedTo[0], "the first reset knows nothing yet: it walks the committed prefix");
                for (int request = 0; request < 3; request++) {
                    walkedTo[0] = 0;
                    MemorySegment used = arena.allocate(128 * k, 1);
                    for (long p = 0; p < used.byteSize(); p += 4 * PAGE) {
                        used.set(JAVA_BYTE, p, (byte) 1); // sparse: a scan
                    }
                    ResetReport report = arena.reset();
                    assertTrue(walkedTo[0] <= 1 << 20, "walked to " + walkedTo[0] + " for " + report
                            + ": nothing past the 1 MiB kept is resident");
                }
                assertEquals(1 << 20, ResetProperties.privatePages(range.segment().address(), 8 << 20) * PAGE);
                assertEquals(-1, range.segment().mismatch(MemorySegment.ofArray(new byte[8 << 20])));
            }
        }
    }

    @Test
    void aScanThatMayNotKeepThePagesPastTheUsedBytesShouldWalkThemInTheSameCall() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long k = 1 << 10;
        try (MmapBacked range = MmapBacked.map(2 << 20)) {
            MemorySegment s = range.segment();
            AtomicInteger walks = new AtomicInteger();
            OsBacked counting = watched(range, (offset, length) -> walks.incrementAndGet());
            for (long p = 0; p < 1 << 20; p += 4 * PAGE) {
                s.set(JAVA_BYTE, p, (byte) 1); // sparse: a scan, not the dense memset
            }
            s.asSlice(1 << 20, 512 * k).fill((byte) 0); // resident past the used bytes, reading zero

            ResetReport report = ResetPolicy.keepResident(512 * k).reset(counting, 0, 1 << 20);
            assertEquals(1, walks.get(), "used pages and the rest of the committed prefix in one walk");
            assertEquals(256 * k, report.bytesZeroed(), "only the written pages: " + report);
            assertEquals(768 * k, report.bytesDecommitted(), "from where the budget ran out: " + report);
            assertEquals(512 * k, ResetProperties.privatePages(s.address(), 2 << 20) * PAGE);
            assertEquals(512 * k, ResetProperties.privatePages(s.address(), 1280 * k) * PAGE,
                    "the written pages and the first 256 KiB past the used bytes stay");
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[2 << 20])));
        }
    }

    @Test
    void pagesPastTheUsedBytesThatTheBudgetCoversShouldStayWithoutBeingLookedAt() {
        assumeTrue(PageMapScan.isSupported(), () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
        long k = 1 << 10;
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            MemorySegment s = range.segment();
            s.asSlice(256 * k, 768 * k).fill((byte) 0); // resident past the used bytes, reading zero
            for (long p = 0; p < 256 * k; p += 4 * PAGE) {
                s.set(JAVA_BYTE, p, (byte) 1); // sparse: a scan of the used pages only
            }
            ResetReport report = ResetPolicy.keepResident(1 << 20).reset(range, 0, 256 * k);
            assertEquals(64 * k, report.bytesZeroed(), report.toString());
            assertEquals(0, report.bytesDecommitted(), "the budget covers every page: " + report);
            assertEquals(832 * k, ResetProperties.privatePages(s.address(), 1 << 20) * PAGE);
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[1 << 20])));
        }
    }

    @Test
    void trackWritesShouldZeroExactlyThePagesWrittenSinceTheLastReset() {
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            assumeTrue(range.pageScanner().orElseThrow().writeTracking() != null,
                    () -> "userfaultfd write-protection unavailable: " + WriteTracker.unavailableReason());
            MemorySegment s = range.segment();
            s.fill((byte) 1);
            ResetPolicy.trackWrites(1 << 20).reset(range, 0, 1 << 20);
            for (long p = 0; p < 10; p++) {
                s.set(JAVA_BYTE, p * 8 * PAGE, (byte) 1);
            }
            ResetReport report = ResetPolicy.trackWrites(1 << 20).reset(range, 0, 1 << 20);
            assertEquals(ResetStrategy.TRACK_WRITES, report.strategy());
            assertEquals(10 * PAGE, report.bytesZeroed(), "only the ten pages written this cycle");
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[1 << 20])));
        }
    }

    @Test
    void trackWritesShouldFallBackToKeepResidentWhenUserfaultfdIsRefused() {
        String previous = WriteTracker.forceUnavailable("userfaultfd: refused for this test");
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            MemorySegment s = range.segment();
            s.fill((byte) 1);
            ResetReport report = ResetPolicy.trackWrites(1 << 20).reset(range, 0, 1 << 20);
            assertEquals(null, range.pageScanner().orElseThrow().writeTracking(), "tracking refused");
            assertEquals(PageMapScanner.best(), report.strategy());
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[1 << 20])));
        } finally {
            WriteTracker.forceUnavailable(previous);
        }
    }

    @Test
    void resetsOfDisjointSlicesShouldNeverTouchEachOther() {
        assumeTrue(PageMapScanner.best() != ResetStrategy.PREFIX, "needs the pagemap");
        try (MmapBacked range = MmapBacked.map(4 << 20)) {
            dev.pagewise.core.OsBacked low = range.slice(0, 1 << 20);
            dev.pagewise.core.OsBacked high = range.slice(1 << 20, 1 << 20);
            high.segment().fill((byte) 1);
            ResetPolicy.keepResident(1 << 20).reset(high, 0, 1 << 20);
            high.segment().fill((byte) 2);
            low.segment().asSlice(0, PAGE).fill((byte) 3);
            ResetPolicy.keepResident(1 << 20).reset(low, 0, PAGE);
            assertEquals(0, low.segment().get(JAVA_BYTE, 0));
            for (long i = 0; i < 1 << 20; i += PAGE) {
                assertEquals(2, high.segment().get(JAVA_BYTE, i), "the other slice's live data at " + i);
            }
            low.close();
            high.close();
        }
    }

    @Test
    void aLaterArenaOverASmallerSliceAtTheSameOffsetShouldNeverReachItsNeighbour() {
        assumeTrue(PageMapScanner.best() != ResetStrategy.PREFIX, "needs the pagemap");
        try (MmapBacked range = MmapBacked.map(4 << 20)) {
            OsBacked whole = range.slice(0, 2 << 20);
            try (BumpArena first = BumpArena.builder(whole).resetPolicy(ResetPolicy.keepResident(2 << 20)).build()) {
                first.allocate(2 << 20, 4096).fill((byte) 1);
                first.reset(); // keeps 2 MiB resident
            }
            whole.close();
            OsBacked left = range.slice(0, 1 << 20);
            OsBacked right = range.slice(1 << 20, 1 << 20);
            try (BumpArena neighbour = BumpArena.over(right);
                 BumpArena later = BumpArena.builder(left).resetPolicy(ResetPolicy.keepResident(2 << 20)).build()) {
                MemorySegment live = neighbour.allocate(1 << 20, 4096);
                live.fill((byte) 2);
                later.allocate(128 << 10, 4096).fill((byte) 3); // past the memset shortcut: a scan
                ResetReport report = later.reset();
                assertTrue(report.bytesZeroed() <= 1 << 20, "zeroed only its own slice: " + report);
                assertEquals(-1, live.mismatch(MemorySegment.ofArray(filled(1 << 20, 2))), "the neighbour's live data");
            }
            left.close();
            right.close();
        }
    }

    @Test
    void writeTrackingShouldBeThePolicysChoiceNotASideEffectOnTheMapping() {
        try (MmapBacked range = MmapBacked.map(2 << 20)) {
            OsBacked tracked = range.slice(0, 1 << 20);
            OsBacked plain = range.slice(1 << 20, 1 << 20);
            assumeTrue(tracked.pageScanner().orElseThrow().writeTracking() != null,
                    () -> "userfaultfd write-protection unavailable: " + WriteTracker.unavailableReason());
            tracked.segment().fill((byte) 1);
            assertEquals(ResetStrategy.TRACK_WRITES, ResetPolicy.trackWrites(1 << 20).reset(tracked, 0, 1 << 20).strategy());
            plain.segment().fill((byte) 1);
            ResetReport report = ResetPolicy.keepResident(1 << 20).reset(plain, 0, 1 << 20);
            assertEquals(PageMapScanner.best(), report.strategy(), "keepResident over the same mapping does not track writes");
            assertEquals(-1, plain.segment().mismatch(MemorySegment.ofArray(new byte[1 << 20])));
            tracked.close();
            plain.close();
        }
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void slicesShouldBeRangesOfTheirOwnThatHoldTheirParent() {
        try (MmapBacked range = MmapBacked.map(4 << 20)) {
            assertThrowsIae(() -> range.slice(1, PAGE));
            assertThrowsIae(() -> range.slice(0, PAGE + 1));
            assertThrowsIae(() -> range.slice(3 << 20, 2 << 20));
            dev.pagewise.core.OsBacked a = range.slice(0, 1 << 20);
            dev.pagewise.core.OsBacked b = range.slice(1 << 20, 1 << 20);
            assertEquals(range.segment().address() + (1 << 20), b.segment().address());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, range::close, "held by its slices");
            b.segment().fill((byte) 5);
            a.segment().fill((byte) 6);
            ResetPolicy.keepResident(1 << 20).reset(a, 0, 1 << 20);
            assertEquals(-1, a.segment().mismatch(MemorySegment.ofArray(new byte[1 << 20])));
            assertEquals(5, b.segment().get(JAVA_BYTE, 0), "the other slice is untouched");
            a.close();
            b.close();
        }
        try (dev.pagewise.core.NativeBacked plain = dev.pagewise.core.NativeBacked.allocate(4096)) {
            dev.pagewise.core.FixedRange part = plain.slice(100, 50);
            assertEquals(50, part.byteSize());
            assertThrowsIae(() -> part.commit(40, 20));
            part.close();
        }
    }

    /** {@return {@code range} with its pagemap scanner, telling {@code onScan} the part of each scan first} */
    private static OsBacked watched(MmapBacked range, java.util.function.BiConsumer<Long, Long> onScan) {
        PageScanner pagemap = range.pageScanner().orElseThrow();
        PageScanner watching = new PageScanner() {
            @Override
            public ResetStrategy strategy() {
                return pagemap.strategy();
            }

            @Override
            public void scan(long offset, long length, long maxPages, Visitor visitor) {
                onScan.accept(offset, length);
                pagemap.scan(offset, length, maxPages, visitor);
            }
        };
        return new DelegatingOsBacked(range) {
            @Override
            public Optional<PageScanner> pageScanner() {
                return Optional.of(watching);
            }
        };
    }

    private static void assertThrowsIae(org.junit.jupiter.api.function.Executable call) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
    }

    @Test
    void hugePageRegionsShouldResetToZero() {
        try (MmapBacked range = MmapBacked.map(8 << 20, MapOptions.DEFAULT.withHugePages())) {
            MemorySegment s = range.segment();
            s.fill((byte) 3);
            ResetReport report = ResetPolicy.keepResident(3 << 20).reset(range, 0, 8 << 20);
            assertTrue(report.bytesZeroed() <= 3 << 20, report.toString());
            assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[8 << 20])));
        }
    }

    @Test
    void everyForcedSourceShouldLeaveTheSameContents() {
        for (ResetStrategy source : ResetStrategy.values()) {
            if (!PageMapScanner.isAvailable(source)) {
                continue;
            }
            try (MmapBacked range = MmapBacked.map(1 << 20)) {
                range.scanSource(source);
                MemorySegment s = range.segment();
                for (long i = 0; i < (1 << 20); i += 3 * PAGE + 5) {
                    s.set(JAVA_BYTE, i, (byte) 1);
                }
                ResetReport report = ResetPolicy.keepResident(256 << 10).reset(range, 0, 1 << 20);
                assertEquals(source, report.strategy());
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[1 << 20])), source + " " + report);
            }
        }
    }

    @Test
    void shouldRejectBadResetArguments() {
        try (MmapBacked range = MmapBacked.map(1 << 20)) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ResetPolicy.keepResident(0).reset(range, 0, 2 << 20));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ResetPolicy.zeroAll().reset(range, -1, PAGE));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> range.pageScanner().orElseThrow().scan(1, PAGE, 0, (o, l, st, h) -> true));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> range.scanSource(ResetStrategy.TRACK_WRITES));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ResetPolicy.keepResident(-1));
        }
    }

    @Test
    void resetShouldEmitAJfrEventWhenEnabled() throws Exception {
        Path file = Files.createTempFile("pagewise", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.pagewise.Reset").withThreshold(java.time.Duration.ZERO);
            recording.start();
            try (MmapBacked range = MmapBacked.map(1 << 20); BumpArena arena = BumpArena.over(range)) {
                arena.allocate(100_000, 8).fill((byte) 1);
                arena.reset();
            }
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.pagewise.Reset")).toList();
            assertEquals(1, events.size());
            assertEquals(100_000, events.getFirst().getLong("bytesUsed"));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
