package dev.pagewise.tests;

import dev.pagewise.core.FixedRange;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;

import java.util.function.LongFunction;
import java.util.stream.Stream;

/** The backings every range and allocator test runs against. */
public final class Ranges {

    private Ranges() {
    }

    /** A named way to make a range of a given size. */
    public record Kind(String name, LongFunction<FixedRange> make) {
        public FixedRange of(long size) {
            return make.apply(size);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static final Kind NATIVE = new Kind("NativeBacked", NativeBacked::allocate);
    public static final Kind MMAP = new Kind("MmapBacked", MmapBacked::map);
    public static final Kind MMAP_LAZY = new Kind("MmapBacked(lazyCommit)",
            size -> MmapBacked.map(size, MapOptions.DEFAULT.withLazyCommit()));
    public static final Kind MMAP_GUARDED = new Kind("MmapBacked(lazyCommit, guardPages)",
            size -> MmapBacked.map(size, MapOptions.DEFAULT.withLazyCommit().withGuardPages()));

    public static Stream<Kind> all() {
        return Stream.of(NATIVE, MMAP, MMAP_LAZY, MMAP_GUARDED);
    }
}
