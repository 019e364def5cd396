package dev.pagewise.os;

/**
 * How {@link OsMemory#map} reserves a region.
 *
 * @param lazyCommit reserve address space only ({@code PROT_NONE}, {@code MAP_NORESERVE} on Linux;
 *                   {@code MEM_RESERVE} on Windows) and make it accessible as {@code commit} advances;
 *                   otherwise the whole region is readable and writable from the start
 * @param populate   fault every page in up front ({@code MAP_POPULATE}); ignored with {@code lazyCommit}
 * @param hugePages  transparent huge pages: align the region to 2 MiB (by mapping 2 MiB more and unmapping
 *                   the ends) and ask for huge pages ({@code MADV_HUGEPAGE}); a hint that the kernel may
 *                   ignore, and ignored on Windows
 * @param guardPages put one inaccessible page before and after the region, so native code that runs off
 *                   either end faults instead of corrupting a neighbour
 * @param hugeTlb    explicit huge pages from the reserved pool ({@code MAP_HUGETLB} on Linux, 2 MiB, the default
 *                   huge page size on x86-64 and aarch64): the region's page size is then 2 MiB, and the
 *                   mapping fails with {@code ENOMEM} when the pool ({@code /proc/sys/vm/nr_hugepages}) has too
 *                   few free pages. Not with {@code hugePages} or {@code guardPages}; unsupported on Windows
 */
public record MapOptions(boolean lazyCommit, boolean populate, boolean hugePages, boolean guardPages, boolean hugeTlb) {

    /** Eagerly accessible, no populate, no huge pages, no guard pages. */
    public static final MapOptions DEFAULT = new MapOptions(false, false, false, false, false);

    /**
     * Checks that explicit huge pages come alone: a 4 KiB guard or a THP hint cannot apply to them.
     *
     * @param lazyCommit reserve address space only
     * @param populate   fault every page in up front
     * @param hugePages  transparent huge pages
     * @param guardPages an inaccessible page before and after the region
     * @param hugeTlb    explicit huge pages
     * @throws IllegalArgumentException if {@code hugeTlb} is combined with {@code hugePages} or {@code guardPages}
     */
    public MapOptions {
        if (hugeTlb && (hugePages || guardPages)) {
            throw new IllegalArgumentException("hugeTlb cannot be combined with "
                    + (hugePages ? "hugePages (transparent huge pages)" : "guardPages (4 KiB guards in a 2 MiB-page mapping)"));
        }
    }

    /** {@return these options with {@code lazyCommit} set} */
    public MapOptions withLazyCommit() {
        return new MapOptions(true, populate, hugePages, guardPages, hugeTlb);
    }

    /** {@return these options with {@code populate} set} */
    public MapOptions withPopulate() {
        return new MapOptions(lazyCommit, true, hugePages, guardPages, hugeTlb);
    }

    /**
     * {@return these options with {@code hugePages} (transparent huge pages) set}
     *
     * @throws IllegalArgumentException if {@code hugeTlb} is set
     */
    public MapOptions withHugePages() {
        return new MapOptions(lazyCommit, populate, true, guardPages, hugeTlb);
    }

    /**
     * {@return these options with {@code guardPages} set}
     *
     * @throws IllegalArgumentException if {@code hugeTlb} is set
     */
    public MapOptions withGuardPages() {
        return new MapOptions(lazyCommit, populate, hugePages, true, hugeTlb);
    }

    /**
     * {@return these options with {@code hugeTlb} (explicit huge pages) set}
     *
     * @throws IllegalArgumentException if {@code hugePages} or {@code guardPages} is set
     */
    public MapOptions withHugeTlb() {
        return new MapOptions(lazyCommit, populate, hugePages, guardPages, true);
    }
}
