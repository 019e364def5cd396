package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

/** The built-in {@link ResetPolicy} implementations. */
final class ResetPolicies {

    /** Ranges up to this size within the budget are zeroed with one memset: cheaper than any syscall. */
    static final long SMALL_RESET = 64 << 10;

    private ResetPolicies() {
    }

    static final ResetPolicy ZERO_ALL = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            long start = System.nanoTime();
            if (length == 0) {
                return ResetReport.empty("zero");
            }
            region.segment().asSlice(offset, length).fill((byte) 0);
            return new ResetReport("zero", length, 0, 1, System.nanoTime() - start);
        }

        @Override
        public String toString() {
            return "ResetPolicy.zeroAll()";
        }
    };

    static final ResetPolicy DECOMMIT_ALL = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            if (!(region instanceof OsBacked os)) {
                return ZERO_ALL.reset(region, offset, length);
            }
            long start = System.nanoTime();
            if (length == 0) {
                return ResetReport.empty("decommit");
            }
            long head = zeroHead(os, offset, length);
            long from = Checks.alignUp(offset, os.pageSize());
            long to = pageEnd(os, offset + length);
            if (to > from) {
                os.releasePages(from, to - from);
            }
            return new ResetReport("decommit", head, to - from, (head > 0 ? 1 : 0) + (to > from ? 1 : 0),
                    System.nanoTime() - start);
        }

        @Override
        public String toString() {
            return "ResetPolicy.decommitAll()";
        }
    };

    static final ResetPolicy NO_ZEROING = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            return ResetReport.empty("none");
        }

        @Override
        public String toString() {
            return "ResetPolicy.noZeroing()";
        }
    };

    record KeepResident(long bytes, boolean trackWrites) implements ResetPolicy {

        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            if (!(region instanceof OsBacked os)) {
                return ZERO_ALL.reset(region, offset, length);
            }
            if (length == 0) {
                return ResetReport.empty("none");
            }
            if (length <= Math.min(bytes, SMALL_RESET)) {
                return ZERO_ALL.reset(region, offset, length);
            }
            if (trackWrites) {
                os.trackWrites();
            }
            long start = System.nanoTime();
            long head = zeroHead(os, offset, length);
            long from = Checks.alignUp(offset, os.pageSize());
            long to = pageEnd(os, offset + length);
            if (to <= from) {
                return new ResetReport("zero", head, 0, 1, System.nanoTime() - start);
            }
            ResetReport pages = os.resetPages(from, to - from, Math.max(0, bytes - head));
            if (head == 0) {
                return pages;
            }
            return new ResetReport(pages.strategy(), pages.bytesZeroed() + head, pages.bytesDecommitted(),
                    pages.regions() + 1, System.nanoTime() - start);
        }

        @Override
        public String toString() {
            return "ResetPolicy." + (trackWrites ? "trackWrites(" : "keepResident(") + bytes + ")";
        }
    }

    /**
     * Zeroes the part of {@code [offset, offset + length)} before the first page boundary (all of it when
     * it ends before that boundary); returns its length. The rest starts at {@code alignUp(offset)}.
     */
    private static long zeroHead(OsBacked os, long offset, long length) {
        long head = Math.min(length, Checks.alignUp(offset, os.pageSize()) - offset);
        if (head > 0) {
            os.segment().asSlice(offset, head).fill((byte) 0);
        }
        return head;
    }

    private static long pageEnd(OsBacked os, long end) {
        return Math.min(Checks.alignUp(end, os.pageSize()), Checks.alignDown(os.byteSize(), os.pageSize()));
    }
}
