package dev.pagewise.os.linux;

import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetStrategy;
import dev.pagewise.core.ResetReport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reset correctness: random write patterns, then a reset under every policy and every dirty-page
 * source: the reset range reads zero, bytes before it are untouched, resident memory stays within
 * the budget, and kept pages take no fault when touched again. A second cycle writes a prefix of the
 * first's writes, so that the pages the first reset kept lie partly past the used bytes.
 */
class ResetProperties {

    static final long PAGE = Libc.PAGE_SIZE;
    static final long REGION = 8 << 20;

    enum Pattern { DENSE, SPARSE, PAGE_EDGES, HUGE_RUN }

    record Write(Pattern pattern, long start, long length) {
    }

    /** A policy and, for pagemap-driven ones, the dirty-page source to force. */
    record Setup(String name, ResetPolicy policy, ResetStrategy source, long keep) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Provide
    Arbitrary<List<Write>> writes() {
        Arbitrary<Pattern> pattern = Arbitraries.of(Pattern.class);
        Arbitrary<Long> start = Arbitraries.longs().between(0, REGION - 1);
        Arbitrary<Long> length = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(1, 3 * PAGE)),
                Tuple.of(2, Arbitraries.longs().between(PAGE, 1 << 20)),
                Tuple.of(1, Arbitraries.just(2L << 20)));
        return Combinators.combine(pattern, start, length).as(Write::new).list().ofMinSize(1).ofMaxSize(12);
    }

    @Provide
    Arbitrary<Setup> setups() {
        long[] keeps = {0, PAGE, 64 << 10, 1 << 20, 4 << 20};
        List<Setup> all = new java.util.ArrayList<>();
        all.add(new Setup("zeroAll", ResetPolicy.zeroAll(), null, REGION));
        all.add(new Setup("decommitAll", ResetPolicy.decommitAll(), null, 0));
        for (long keep : keeps) {
            for (ResetStrategy source : new ResetStrategy[] {
                    ResetStrategy.PAGEMAP_SCAN, ResetStrategy.PAGEMAP_READ, ResetStrategy.PREFIX}) {
                if (PageMapScanner.isAvailable(source)) {
                    all.add(new Setup("keepResident(" + keep + ")/" + source, ResetPolicy.keepResident(keep), source, keep));
                }
            }
            if (PageMapScan.isSupported() && WriteTracker.unavailableReason() == null) {
                all.add(new Setup("trackWrites(" + keep + ")", ResetPolicy.trackWrites(keep), null, keep));
            }
        }
        return Arbitraries.of(all);
    }

    static long apply(MemorySegment s, Write w) {
        long start = w.start();
        long end = Math.min(REGION, start + w.length());
        switch (w.pattern()) {
            case DENSE -> s.asSlice(start, end - start).fill((byte) 0x5A);
            case SPARSE -> {
                for (long p = start; p < end; p += 4 * PAGE) {
                    s.set(JAVA_BYTE, p, (byte) 1);
                }
            }
            case PAGE_EDGES -> {
                for (long p = (start / PAGE) * PAGE; p < end; p += PAGE) {
                    if (p > 0) {
                        s.set(JAVA_BYTE, p - 1, (byte) 2);
                    }
                    s.set(JAVA_BYTE, p, (byte) 3);
                }
            }
            case HUGE_RUN -> {
                long hs = (start / (2 << 20)) * (2 << 20);
                long he = Math.min(REGION, hs + (2 << 20));
                s.asSlice(hs, he - hs).fill((byte) 0x7F);
                end = he;
            }
        }
        return end;
    }

    @Property(tries = 300)
    void resetLeavesZerosWithinBudgetAndTouchesNothingElse(@ForAll("writes") List<Write> writes,
                                                           @ForAll("setups") Setup setup,
                                                           @ForAll boolean twoCycles) {
        try (MmapBacked m = MmapBacked.map(REGION)) {
            if (setup.source() != null) {
                m.scanSource(setup.source());
            }
            MemorySegment s = m.segment();
            long offset = 3 * PAGE + 100;
            int cycles = twoCycles ? 2 : 1;
            for (int cycle = 0; cycle < cycles; cycle++) {
                long used = offset;
                // the second cycle writes less, so pages the first one kept lie past its used bytes
                for (Write w : cycle == 0 ? writes : writes.subList(0, (writes.size() + 1) / 2)) {
                    used = Math.max(used, apply(s, w));
                }
                s.asSlice(0, offset).fill((byte) 0x11);
                ResetReport report = setup.policy().reset(m, offset, used - offset);
                assertTrue(report.bytesZeroed() >= 0 && report.bytesDecommitted() >= 0, report.toString());
                byte[] sentinel = new byte[(int) offset];
                java.util.Arrays.fill(sentinel, (byte) 0x11);
                assertEquals(-1, s.asSlice(0, offset).mismatch(MemorySegment.ofArray(sentinel)),
                        "bytes before the reset range are untouched");
                long firstNonZero = firstNonZero(s, offset);
                assertEquals(-1, firstNonZero, () -> setup + ": byte " + firstNonZero + " not zero after " + report);
                if (setup.keep() < REGION) {
                    // a reset of at most min(budget, 64 KiB) zeroes its used bytes in place without looking
                    // further: their pages may come on top of pages an earlier reset kept (ResetPolicy.keepResident)
                    long small = used - offset <= Math.min(setup.keep(), 64 << 10) ? used - offset + PAGE : 0;
                    long residentAfterOffset = privatePages(s.address() + 4 * PAGE, REGION - 4 * PAGE);
                    assertTrue(residentAfterOffset * PAGE <= setup.keep() + PAGE + small,
                            setup + ": " + residentAfterOffset + " pages resident, budget " + setup.keep());
                }
            }
        }
    }

    /**
     * An arena's resets, which know where the range's resident pages end (an earlier reset may have kept pages
     * far past the next request's used bytes): every reset leaves zeros and at most the budget resident, small
     * resets included. Ranges without a scanner are left out: their resets do not look past the used bytes.
     */
    @Property(tries = 150)
    void arenaResetsLeaveZerosWithinTheBudget(@ForAll("requests") List<List<Write>> requests,
                                              @ForAll("scannedBudgets") Setup setup) {
        try (MmapBacked m = MmapBacked.map(REGION)) {
            m.scanSource(setup.source());
            MemorySegment s = m.segment();
            try (dev.pagewise.core.BumpArena arena = dev.pagewise.core.BumpArena.builder(m)
                    .resetPolicy(setup.policy()).build()) {
                for (List<Write> request : requests) {
                    long used = 0;
                    for (Write w : request) {
                        used = Math.max(used, w.pattern() == Pattern.HUGE_RUN
                                ? Math.min(REGION, (w.start() / (2 << 20) + 1) * (2 << 20))
                                : Math.min(REGION, w.start() + w.length()));
                    }
                    MemorySegment block = arena.allocate(used, 1);
                    for (Write w : request) {
                        apply(block, w);
                    }
                    ResetReport report = arena.reset();
                    long resident = privatePages(s.address(), REGION);
                    assertTrue(resident * PAGE <= setup.keep() + PAGE,
                            setup + ": " + resident + " pages resident after " + report + ", budget " + setup.keep());
                }
                long firstNonZero = firstNonZero(s, 0);
                assertEquals(-1, firstNonZero, () -> setup + ": byte " + firstNonZero + " not zero");
            }
        }
    }

    @Provide
    Arbitrary<List<List<Write>>> requests() {
        return writes().map(w -> w.subList(0, Math.min(w.size(), 4))).list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<Setup> scannedBudgets() {
        List<Setup> all = new java.util.ArrayList<>();
        for (long keep : new long[] {PAGE, 64 << 10, 1 << 20}) {
            for (ResetStrategy source : new ResetStrategy[] {ResetStrategy.PAGEMAP_SCAN, ResetStrategy.PAGEMAP_READ}) {
                if (PageMapScanner.isAvailable(source)) {
                    all.add(new Setup("keepResident(" + keep + ")/" + source, ResetPolicy.keepResident(keep), source, keep));
                }
            }
        }
        net.jqwik.api.Assume.that(!all.isEmpty());
        return Arbitraries.of(all);
    }

    /** {@return pages backed by a private frame (present and exclusive): what counts toward RSS} */
    static long privatePages(long address, long length) {
        PageMapReader reader = new PageMapReader();
        long count = 0;
        for (long pos = address; pos < address + length; ) {
            int n = reader.read(pos, (address + length - pos) / PAGE);
            for (int i = 0; i < n; i++) {
                long e = reader.entry(i);
                if ((e & PageMapReader.PRESENT) != 0 && (e & PageMapReader.EXCLUSIVE) != 0) {
                    count++;
                }
            }
            pos += n * PAGE;
        }
        return count;
    }

    private static long firstNonZero(MemorySegment s, long from) {
        long n = s.byteSize();
        for (long i = from; i < n; i += 8) {
            if (s.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, Math.min(i, n - 8)) != 0) {
                for (long j = i; j < Math.min(n, i + 8); j++) {
                    if (s.get(JAVA_BYTE, j) != 0) {
                        return j;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Kept pages are private frames (pagemap: present and exclusive), so writing them takes no fault
     * (getrusage). The fault count of the test thread can include the JVM's own first touches of heap or
     * stack pages; a real defect fails every attempt, so up to three reset-and-measure attempts are made.
     */
    @Property(tries = 100)
    void keptPagesTakeNoFaultWhenTouchedAgain(@ForAll("writes") List<Write> writes) {
        assumeScan();
        try (MmapBacked m = MmapBacked.map(REGION); var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment s = m.segment();
            long used = 0;
            for (Write w : writes) {
                used = Math.max(used, apply(s, w));
            }
            long usedPages = (used + PAGE - 1) / PAGE;
            long[] resident = new long[(int) usedPages];
            MemorySegment vec = arena.allocate(usedPages);
            MemorySegment usage = arena.allocate(Libc.RUSAGE_SIZE, 8);
            String last = "";
            for (int attempt = 0; attempt < 3; attempt++) {
                ResetPolicy.keepResident(2 << 20).reset(m, 0, usedPages * PAGE);
                Libc.mincore(s.address(), usedPages * PAGE, vec);
                int count = 0;
                for (int p = 0; p < usedPages; p++) {
                    if ((vec.get(JAVA_BYTE, p) & 1) != 0) {
                        resident[count++] = p * PAGE;
                    }
                }
                assertTrue(count * PAGE <= 2 << 20, count + " pages resident, budget 2 MiB");
                assertTrue(count > 0, "the reset keeps written pages resident");
                for (int i = 0; i < count; i++) {
                    long entry = PageMapReader.entryOf(s.address() + resident[i]);
                    assertTrue((entry & PageMapReader.PRESENT) != 0 && (entry & PageMapReader.EXCLUSIVE) != 0,
                            "kept page at " + resident[i] + " is a private frame, writable without a fault");
                }
                try (MmapBacked scratch = MmapBacked.map(2 * PAGE)) {
                    touch(scratch.segment(), new long[] {0, PAGE}, 2);
                    touch(scratch.segment(), new long[] {0, PAGE}, 2);
                }
                Libc.threadMinorFaults(usage);
                long before = Libc.threadMinorFaults(usage);
                touch(s, resident, count);
                long faults = Libc.threadMinorFaults(usage) - before;
                if (faults <= 2) {
                    return;
                }
                last = count + " kept pages written, " + faults + " minor faults";
            }
            throw new AssertionError(last + " in each of 3 attempts");
        }
    }

    /** Writes one byte at each of the first {@code count} offsets; warmed up before it is measured. */
    private static void touch(MemorySegment s, long[] offsets, int count) {
        for (int i = 0; i < count; i++) {
            s.set(JAVA_BYTE, offsets[i], (byte) 9);
        }
    }

    private static void assumeScan() {
        org.junit.jupiter.api.Assumptions.assumeTrue(PageMapScan.isSupported(),
                () -> "PAGEMAP_SCAN unavailable: " + PageMapScan.unsupportedReason());
    }
}
