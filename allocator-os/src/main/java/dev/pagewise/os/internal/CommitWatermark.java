package dev.pagewise.os.internal;

import dev.pagewise.core.internal.Checks;

/**
 * The arithmetic of a commit watermark: the committed prefix of a region only grows, in steps of a
 * granularity, and never past the region's end. Shared by the Linux and Windows backings.
 */
public final class CommitWatermark {

    private CommitWatermark() {
    }

    /**
     * {@return the new end of the committed prefix so that {@code requestEnd} bytes are committed, or
     * {@code committed} if they already are}
     *
     * @param committed   the current end of the committed prefix
     * @param requestEnd  the end of the bytes that must be committed, at most {@code size}
     * @param granularity the commit step, a power of two
     * @param size        the size of the region
     */
    public static long advance(long committed, long requestEnd, long granularity, long size) {
        if (requestEnd <= committed) {
            return committed;
        }
        if (requestEnd > size) {
            throw new IllegalArgumentException("commit past the end: end=" + requestEnd + " size=" + size);
        }
        long rounded = requestEnd > size - granularity ? size : Checks.alignUp(requestEnd, granularity);
        return Math.min(rounded, size);
    }
}
