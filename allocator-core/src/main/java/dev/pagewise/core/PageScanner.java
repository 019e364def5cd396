package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

/**
 * Tells which pages of an {@link OsBacked} range hold data: the capability the pagemap-driven reset is
 * built on (Linux's {@code PAGEMAP_SCAN}). Offsets are relative to the range the scanner came from.
 * Obtained from {@link OsBacked#pageScanner()}; thread-safe.
 */
public interface PageScanner {

    /** The state of a run of pages, as a scan reports it. */
    enum PageState {
        /** Resident and not the shared zero page: may hold data, so a reset zeroes or releases it. */
        DIRTY,
        /** Resident and not written since the previous write-tracking scan: still zero, kept as it is. */
        CLEAN,
        /** Swapped out with data: released, never left to fault its old contents back in. */
        SWAPPED
    }

    /** Receives the runs of a scan. */
    @FunctionalInterface
    interface Visitor {
        /**
         * Takes one run of pages.
         *
         * @param offset       the start of the run, page-aligned, relative to the scanner's range
         * @param length       the length of the run, a whole number of pages
         * @param state        what the run's pages hold
         * @param hugePageSize the size of the huge pages the run is made of, or 0 for base pages
         * @return whether the scan should go on
         */
        boolean visit(long offset, long length, PageState state, long hugePageSize);
    }

    /** {@return the strategy a reset reports when it uses this scanner} */
    ResetStrategy strategy();

    /**
     * Visits, in address order, the runs of {@code [offset, offset + length)} that are {@link PageState#DIRTY}
     * or {@link PageState#SWAPPED} ({@link PageState#CLEAN} too, for a write-tracking scanner) until the
     * visitor returns {@code false}. Pages not visited hold no data.
     *
     * @param offset   the start of the part to scan, page-aligned
     * @param length   the length of the part, a whole number of pages
     * @param maxPages a hint: the scan may stop once it has reported this many pages
     * @param visitor  receives the runs, on the calling thread
     * @throws IllegalArgumentException if the part is outside the range or not page-aligned
     */
    void scan(long offset, long length, long maxPages, Visitor visitor);

    /**
     * {@return how far past a resident page the range's pages may become resident without being written, in
     * bytes: a write can fault in a whole transparent huge page, and the kernel may later merge resident pages
     * into one} 0, the default, when each page becomes resident only when touched. A reset that remembers where
     * the range's resident pages end adds this much.
     */
    default long faultReach() {
        return 0;
    }

    /**
     * Called by a reset when it is done with {@code [offset, offset + length)}: a write-tracking scanner
     * arms tracking there again. The default does nothing.
     *
     * @param offset the start of the part the reset restored, page-aligned
     * @param length the length of the part, a whole number of pages
     */
    default void afterReset(long offset, long length) {
    }

    /**
     * {@return a scanner of the pages written since its previous scan, starting to track writes now, or
     * {@code null} when this range cannot track writes} The first call may register the range with the
     * operating system; the reason for a refusal is logged once.
     */
    default PageScanner writeTracking() {
        return null;
    }

    /**
     * {@return this scanner seen from the slice {@code [offset, offset + length)} of its range} Offsets are the
     * slice's; a scan or re-arm outside the slice throws {@link IllegalArgumentException}, so a slice's reset
     * never reaches into a neighbour's pages, not even to re-arm their write tracking.
     *
     * @param offset the start of the slice in this scanner's range
     * @param length the length of the slice
     */
    default PageScanner shifted(long offset, long length) {
        PageScanner outer = this;
        return new PageScanner() {
            @Override
            public ResetStrategy strategy() {
                return outer.strategy();
            }

            @Override
            public void scan(long from, long n, long maxPages, Visitor visitor) {
                Checks.checkRange(from, n, length);
                outer.scan(offset + from, n, maxPages, (o, l, st, h) -> visitor.visit(o - offset, l, st, h));
            }

            @Override
            public void afterReset(long from, long n) {
                Checks.checkRange(from, n, length);
                outer.afterReset(offset + from, n);
            }

            @Override
            public PageScanner writeTracking() {
                PageScanner tracking = outer.writeTracking();
                return tracking == null ? null : tracking.shifted(offset, length);
            }

            @Override
            public long faultReach() {
                return outer.faultReach();
            }
        };
    }
}
