package dev.pagewise.os;

/**
 * How {@link OsMemory#map} reserves a region.
 *
 * @param lazyCommit reserve address space only ({@code PROT_NONE}, {@code MAP_NORESERVE} on Linux;
 *                   {@code MEM_RESERVE} on Windows) and make it accessible as {@code commit} advances;
 *                   otherwise the whole region is readable and writable from the start
 * @param populate   fault every page in up front ({@code MAP_POPULATE}); ignored with {@code lazyCommit}
 * @param hugePages  align the region to 2 MiB and ask for transparent huge pages ({@code MADV_HUGEPAGE});
 *                   a hint, ignored on Windows
 * @param guardPages put one inaccessible page before and after the region, so native code that runs off
 *                   either end faults instead of corrupting a neighbour
 */
public record MapOptions(boolean lazyCommit, boolean populate, boolean hugePages, boolean guardPages) {

    /** Eagerly accessible, no populate, no huge pages, no guard pages. */
    public static final MapOptions DEFAULT = new MapOptions(false, false, false, false);

    /** {@return these options with {@code lazyCommit} set} */
    public MapOptions withLazyCommit() {
        return new MapOptions(true, populate, hugePages, guardPages);
    }

    /** {@return these options with {@code populate} set} */
    public MapOptions withPopulate() {
        return new MapOptions(lazyCommit, true, hugePages, guardPages);
    }

    /** {@return these options with {@code hugePages} set} */
    public MapOptions withHugePages() {
        return new MapOptions(lazyCommit, populate, true, guardPages);
    }

    /** {@return these options with {@code guardPages} set} */
    public MapOptions withGuardPages() {
        return new MapOptions(lazyCommit, populate, hugePages, true);
    }
}
