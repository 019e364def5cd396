package dev.pagewise.core;

import dev.pagewise.core.PageScanner.PageState;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.ResidentEnd;

/**
 * The built-in {@link ResetPolicy} implementations. Each decides alone what its reset does, using only
 * the capabilities of the range: {@link FixedRange#zero}, {@link OsBacked#releasePages} and
 * {@link OsBacked#pageScanner()}. None touches a byte outside the range it is given.
 */
final class ResetPolicies {

    /** Ranges up to this size within the budget are zeroed with one memset: cheaper than any system call. */
    static final long SMALL_RESET = 64 << 10;

    private ResetPolicies() {
    }

    static final ResetPolicy ZERO_ALL = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            Checks.checkRange(offset, length, java.util.Objects.requireNonNull(region, "region").byteSize());
            return zero(region, offset, length);
        }

        @Override
        public String toString() {
            return "ResetPolicy.zeroAll()";
        }
    };

    static final ResetPolicy DECOMMIT_ALL = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            Checks.checkRange(offset, length, java.util.Objects.requireNonNull(region, "region").byteSize());
            if (!(region instanceof OsBacked os)) {
                return zero(region, offset, length);
            }
            if (length == 0) {
                return ResetReport.empty(ResetStrategy.NONE);
            }
            Totals t = new Totals(os, 0);
            long from = t.zeroHead(offset, length);
            long to = t.pageEnd(offset + length);
            t.release(from, to);
            return t.report(ResetStrategy.DECOMMIT);
        }

        @Override
        public String toString() {
            return "ResetPolicy.decommitAll()";
        }
    };

    static final ResetPolicy NO_ZEROING = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            Checks.checkRange(offset, length, java.util.Objects.requireNonNull(region, "region").byteSize());
            return ResetReport.empty(ResetStrategy.NONE);
        }

        @Override
        public String toString() {
            return "ResetPolicy.noZeroing()";
        }
    };

    static {
        dev.pagewise.core.internal.Bridge.policies(policy -> policy == ResetPolicies.ZERO_ALL || policy == ResetPolicies.DECOMMIT_ALL
                || policy == ResetPolicies.NO_ZEROING || policy instanceof KeepResident);
        dev.pagewise.core.internal.Bridge.residentBudgets(policy -> switch (policy) {
            case KeepResident keep -> keep.bytes();
            case ResetPolicy p when p == ZERO_ALL || p == NO_ZEROING -> Long.MAX_VALUE;
            case ResetPolicy p when p == DECOMMIT_ALL -> 0;
            default -> -1;
        });
        dev.pagewise.core.internal.Bridge.hintedResets(ResetPolicies::reset);
    }

    /** {@return whether {@code policy} uses where a range's resident pages end: {@code keepResident} does} */
    static boolean remembersResidentEnd(ResetPolicy policy) {
        return policy instanceof KeepResident keep && !keep.trackWrites;
    }

    /** {@return what resetting through {@code policy} did} A {@code keepResident} policy is told where {@code region}'s resident pages end. */
    static ResetReport reset(ResetPolicy policy, FixedRange region, long offset, long length, ResidentEnd resident) {
        return policy instanceof KeepResident keep ? keep.reset(region, offset, length, resident)
                : policy.reset(region, offset, length);
    }

    private static ResetReport zero(FixedRange region, long offset, long length) {
        if (length == 0) {
            return ResetReport.empty(ResetStrategy.NONE);
        }
        region.zero(offset, length);
        return new ResetReport(ResetStrategy.ZERO, length, 0, 1);
    }

    /**
     * The pagemap-driven reset. It adapts to what it finds: once a scan finds the used bytes mostly dirty, the
     * next resets zero them with one memset and skip the scan (a scan that will report everything only adds
     * its own cost), scanning again now and then to notice when the used pages are no longer all resident.
     * Shared by many arenas, it adapts to their mix; the hint only ever chooses between two correct resets.
     */
    static final class KeepResident implements ResetPolicy {

        /** Dirty share of the used pages, in percent, from which a memset costs less than a scan and a fill. */
        static final int DENSE_PERCENT = 75;
        /**
         * Resets from a scan that found the pages dense to the next scan, at first. A scan reports resident pages,
         * and the memset keeps every used page resident, so in steady state each rescan finds them dense again and
         * costs a system call for nothing (a 17-page scan every 16th reset was 3% of a 66 KiB request's memory, docs/reset.md);
         * each one that does doubles the wait, up to {@link #RESCAN_AFTER_MAX}. What a rescan can notice is pages
         * released since (past the budget, an idle purge): until then the memset faults them back in, a cost
         * the cap bounds.
         */
        static final int RESCAN_AFTER = 16;
        static final int RESCAN_AFTER_MAX = 256;

        private final long bytes;
        private final boolean trackWrites;
        /** The dirty share of the used pages that the last scan found; a racy hint, never a decision of safety. */
        private int lastDirtyPercent;
        private int sinceScan;
        private int rescanAfter = RESCAN_AFTER;

        KeepResident(long bytes, boolean trackWrites) {
            this.bytes = bytes;
            this.trackWrites = trackWrites;
        }

        long bytes() {
            return bytes;
        }

        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            return reset(region, offset, length, null);
        }

        /**
         * Resets as {@link #reset(FixedRange, long, long)} does, with where the range's resident pages end as far
         * as its one user knows ({@code null}: not known). With it, the pages past the used bytes are walked
         * only as far as that end, not to the end of the committed prefix, and a small reset is zeroed in place
         * only when the budget covers every page that can then be resident; without it, a small reset never
         * looks past its used bytes, so until the next larger one up to {@code min(bytes, 64 KiB)} more than
         * the budget can stay resident. Write tracking ignores it: its scanner must see the whole prefix. So
         * does a range without a scanner: nothing there looks past the used bytes.
         */
        ResetReport reset(FixedRange region, long offset, long length, ResidentEnd resident) {
            Checks.checkRange(offset, length, java.util.Objects.requireNonNull(region, "region").byteSize());
            if (!(region instanceof OsBacked os) || length == 0) {
                return zero(region, offset, length);
            }
            long page = os.pageSize();
            PageScanner scanner = null;
            ResidentEnd hint = trackWrites ? null : resident;
            if (hint != null) {
                scanner = os.pageScanner().orElse(null);
                hint = scanner == null ? null : hint;
            }
            // what the hint holds includes the reach, so that a huge page around its last resident bytes counts
            long reach = scanner == null ? 0 : scanner.faultReach();
            long known = hint == null ? Long.MAX_VALUE : hint.get();
            if (length <= Math.min(bytes, SMALL_RESET)) {
                long usedEnd = Checks.alignUp(offset + length, page) + reach;
                long residentTo = Math.min(Math.max(known, usedEnd), Checks.alignUp(os.committed(), page));
                if (hint == null || residentTo - Checks.alignDown(offset, page) <= bytes) {
                    if (hint != null && usedEnd > known) {
                        hint.set(usedEnd);
                    }
                    return zero(region, offset, length);
                }
            }
            Totals t = new Totals(os, bytes);
            long from = t.zeroHead(offset, length);
            long to = t.pageEnd(offset + length);
            if (to <= from) {
                if (hint != null) {
                    hint.set(Math.max(known, from + reach));
                }
                return t.report(ResetStrategy.ZERO);
            }
            if (scanner == null) {
                scanner = os.pageScanner().orElse(null);
            }
            if (scanner != null && trackWrites) {
                PageScanner tracking = scanner.writeTracking();
                scanner = tracking != null ? tracking : scanner;
            }
            if (scanner == null) {
                long keep = Math.min(t.budgetLeft(), to - from);
                t.keep(from, keep, true);
                t.release(from + keep, to);
                return t.report(ResetStrategy.PREFIX);
            }
            // The committed pages past the bytes used, [to, end), read zero (the caller guarantees it) but may be
            // resident from earlier resets, and resident pages count against the budget: kept while it lasts,
            // never zeroed again, released after it. When the budget covers them all they need no scan at all,
            // which for a pool slot no larger than its budget leaves a dense reset without a system call;
            // otherwise the scan of the used pages walks on through them: one walk, not a second one of their own.
            // ... and, past where the user's resident pages end, none is resident: the walk stops there
            long end = Math.max(to, Math.min(known, Checks.alignDown(os.committed(), page)));
            boolean keepsNothing = t.budgetLeft() == 0;
            boolean tailFits = end - from <= t.budgetLeft();
            boolean dense = !trackWrites && to - from <= t.budgetLeft() && lastDirtyPercent >= DENSE_PERCENT
                    && ++sinceScan < rescanAfter;
            long cut;
            boolean walkedTail;
            if (dense) {
                // the rest of the last used page reads zero already: kept, not zeroed again (the csv request
                // of RequestMemoryBench would zero 2,958 bytes more, 4%; CHANGELOG has the measurement)
                long usedEnd = offset + length;
                t.keep(from, usedEnd - from, true);
                t.keep(usedEnd, to - usedEnd, false);
                walkedTail = !tailFits;
                cut = tailFits ? end : t.scan(scanner, to, end, to);
            } else {
                sinceScan = 0;
                // a write-tracking scan tells written pages from clean ones itself, the tail's included
                long scanTo = tailFits && !trackWrites ? to : end;
                walkedTail = scanTo == end;
                cut = t.scan(scanner, from, scanTo, trackWrites ? end : to);
                if (cut == scanTo) {
                    cut = end;
                }
                int dirtyPercent = (int) (100 * Math.min(t.zeroedIn(), to - from) / (to - from));
                rescanAfter = dirtyPercent >= DENSE_PERCENT && lastDirtyPercent >= DENSE_PERCENT
                        ? Math.min(2 * rescanAfter, RESCAN_AFTER_MAX) : RESCAN_AFTER;
                lastDirtyPercent = dirtyPercent;
                scanner.afterReset(from, end - from);
            }
            t.release(cut, end);
            if (hint != null) {
                // past the cut nothing is resident now; a walk that went to the end found where resident pages
                // stop; a walk that stopped at the used bytes leaves the end known before (reach included)
                hint.set(cut < end ? cut + reach
                        : walkedTail ? Math.max(to, t.residentEnd()) + reach
                        : Math.max(end, to + reach));
            }
            return t.report(dense ? ResetStrategy.ZERO : keepsNothing ? ResetStrategy.DECOMMIT : scanner.strategy());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeepResident k && k.bytes == bytes && k.trackWrites == trackWrites;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(bytes) * 31 + Boolean.hashCode(trackWrites);
        }

        @Override
        public String toString() {
            return "ResetPolicy." + (trackWrites ? "trackWrites(" : "keepResident(") + bytes + ")";
        }
    }

    /** The running totals of one reset over an {@link OsBacked} range. */
    private static final class Totals implements PageScanner.Visitor {
        private final OsBacked os;
        private final long page;
        private long budget;
        private long zeroed;
        private long scanZeroed;
        private long decommitted;
        private int regions;
        private long cut;
        /** Where the part being scanned starts to read zero already, so that its resident pages need no zeroing. */
        private long zeroFrom;
        /** The end of the last resident pages the scan reported. */
        private long residentEnd;

        Totals(OsBacked os, long keepResident) {
            this.os = os;
            this.page = os.pageSize();
            this.budget = Checks.alignDown(keepResident, page);
        }

        /**
         * Zeroes the bytes of {@code [offset, offset + length)} before the first page boundary (all of them when
         * the part ends before it); {@return that boundary, where the page-aligned rest starts}
         */
        long zeroHead(long offset, long length) {
            long boundary = Checks.alignUp(offset, page);
            long head = Math.min(length, boundary - offset);
            if (head > 0) {
                os.zero(offset, head);
                zeroed += head;
                regions++;
                budget = Checks.alignDown(Math.max(0, budget - head), page);
            }
            return boundary;
        }

        long pageEnd(long end) {
            return Math.min(Checks.alignUp(end, page), Checks.alignDown(os.byteSize(), page));
        }

        long budgetLeft() {
            return budget;
        }

        void keep(long offset, long length, boolean dirty) {
            if (length <= 0) {
                return;
            }
            if (dirty) {
                os.zero(offset, length);
                zeroed += length;
                regions++;
            }
            budget -= length;
        }

        void release(long from, long to) {
            if (to > from) {
                os.releasePages(from, to - from);
                decommitted += to - from;
                regions++;
            }
        }

        /**
         * Keeps the first resident pages of {@code [from, to)} up to the budget, zeroing those with data below
         * {@code zeroFrom} (the pages from there on read zero already); {@return where keeping stopped}
         */
        long scan(PageScanner scanner, long from, long to, long zeroFrom) {
            this.zeroFrom = zeroFrom;
            cut = to;
            if (budget == 0) {
                return from;
            }
            scanner.scan(from, to - from, budget / page, this);
            return cut;
        }

        @Override
        public boolean visit(long offset, long length, PageState state, long hugePageSize) {
            if (state == PageState.SWAPPED) {
                release(offset, offset + length);
                return true;
            }
            residentEnd = Math.max(residentEnd, offset + length);
            if (offset < zeroFrom && offset + length > zeroFrom) {
                return keepPages(offset, zeroFrom - offset, state, hugePageSize)
                        && keepPages(zeroFrom, offset + length - zeroFrom, state, hugePageSize);
            }
            return keepPages(offset, length, state, hugePageSize);
        }

        private boolean keepPages(long offset, long length, PageState state, long hugePageSize) {
            long keep = Math.min(length, budget);
            boolean zero = state == PageState.DIRTY && offset < zeroFrom;
            keep(offset, keep, zero);
            if (zero) {
                scanZeroed += keep;
            }
            if (keep == length) {
                return true;
            }
            long stop = offset + keep;
            if (hugePageSize > 0) {
                // Release the whole huge page the budget ran out in rather than split it.
                stop = Math.max(offset, Checks.alignDown(stop, hugePageSize));
            }
            cut = stop;
            return false;
        }

        /** {@return the end of the last resident pages the scan reported, 0 if none} */
        long residentEnd() {
            return residentEnd;
        }

        /** {@return the bytes the scan found dirty and zeroed} */
        long zeroedIn() {
            return scanZeroed;
        }

        ResetReport report(ResetStrategy strategy) {
            return new ResetReport(strategy, zeroed, decommitted, regions);
        }
    }
}
