package dev.pagewise.os.linux;

import dev.pagewise.os.MapOptions;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random commit / write / protect / releasePages sequences against a byte-array model: released pages
 * read zero, nothing outside a released range changes, and protection never loses data.
 */
class OsBackedProperties {

    static final int PAGES = 32;
    static final long PAGE = Libc.PAGE_SIZE;

    enum Kind { COMMIT, WRITE, RELEASE, PROTECT_READ, PROTECT_RW }

    record Op(Kind kind, int page, int pages, int offsetInPage, byte value) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, PAGES - 1),
                Arbitraries.integers().between(0, 8),
                Arbitraries.integers().between(0, (int) PAGE - 1),
                Arbitraries.bytes().filter(b -> b != 0)).as(Op::new);
        return op.list().ofMaxSize(60);
    }

    @Property(tries = 500)
    void releasedPagesReadZeroAndNothingElseChanges(@ForAll("ops") List<Op> ops, @ForAll boolean lazy) {
        MapOptions options = lazy ? MapOptions.DEFAULT.withLazyCommit() : MapOptions.DEFAULT;
        try (OsBacked range = MmapBacked.map(PAGES * PAGE, options)) {
            byte[] model = new byte[(int) (PAGES * PAGE)];
            boolean[] writable = new boolean[PAGES];
            boolean[] readable = new boolean[PAGES];
            if (!lazy) {
                java.util.Arrays.fill(writable, true);
                java.util.Arrays.fill(readable, true);
            }
            MemorySegment s = range.segment();
            for (Op op : ops) {
                int from = op.page();
                int count = Math.min(op.pages(), PAGES - from);
                switch (op.kind()) {
                    case COMMIT -> {
                        long before = range.committed();
                        range.commit(from * PAGE, count * PAGE);
                        for (long p = before / PAGE; p < range.committed() / PAGE; p++) {
                            writable[(int) p] = readable[(int) p] = true;
                        }
                    }
                    case WRITE -> {
                        if (writable[from]) {
                            long at = from * PAGE + op.offsetInPage();
                            s.set(JAVA_BYTE, at, op.value());
                            model[(int) at] = op.value();
                        }
                    }
                    case RELEASE -> {
                        boolean restricted = false;
                        for (int p = from; p < from + count; p++) {
                            restricted |= readable[p] && !writable[p];
                        }
                        if (restricted) {
                            // refused, and nothing changes: the model stays as it is
                            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                                    () -> range.releasePages(from * PAGE, count * PAGE));
                        } else {
                            range.releasePages(from * PAGE, count * PAGE);
                            java.util.Arrays.fill(model, (int) (from * PAGE), (int) ((from + count) * PAGE), (byte) 0);
                        }
                    }
                    case PROTECT_READ, PROTECT_RW -> {
                        boolean rw = op.kind() == Kind.PROTECT_RW;
                        if ((from + count) * PAGE > range.committed()) {
                            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                                    () -> range.protect(from * PAGE, count * PAGE, Protection.READ));
                            continue;
                        }
                        range.protect(from * PAGE, count * PAGE, rw ? Protection.READ_WRITE : Protection.READ);
                        for (int p = from; p < from + count; p++) {
                            readable[p] = true;
                            writable[p] = rw;
                        }
                    }
                }
            }
            for (int p = 0; p < PAGES; p++) {
                if (!readable[p]) {
                    continue;
                }
                long mismatch = s.asSlice(p * PAGE, PAGE)
                        .mismatch(MemorySegment.ofArray(model).asSlice(p * PAGE, PAGE));
                assertEquals(-1L, mismatch, "page " + p + " differs from the model");
            }
        }
    }
}
