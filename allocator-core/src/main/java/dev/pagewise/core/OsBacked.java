package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;

/**
 * A {@link FixedRange} whose pages come from the operating system, which can take them back and
 * change their protection.
 */
public interface OsBacked extends FixedRange {

    /** {@return the size of the pages this range is made of} */
    long pageSize();

    /**
     * Returns the pages of {@code [offset, offset + length)} to the operating system. Afterwards the
     * bytes read as zero and take no physical memory until written again; the range stays committed.
     * {@code offset} and {@code length} must be multiples of {@link #pageSize()}.
     *
     * @throws IllegalArgumentException if the range is outside the region or not page-aligned
     * @throws IllegalStateException if the range is closed
     */
    void releasePages(long offset, long length);

    /**
     * Sets the protection of the pages of {@code [offset, offset + length)}; both must be multiples
     * of {@link #pageSize()}.
     *
     * <p>FFM cannot catch a hardware fault: a Java access through {@link #segment()} that the new
     * protection denies ends the JVM. Use the returned view instead, which enforces the protection
     * in Java: it is read-only when {@code protection} denies writes, and empty when it denies reads.
     *
     * @return a view of the range that enforces {@code protection}
     * @throws IllegalArgumentException if the range is outside the region or not page-aligned
     * @throws IllegalStateException if the range is closed
     */
    MemorySegment protect(long offset, long length, Protection protection);

    /**
     * Restores {@code [offset, offset + length)} to zero, keeping at most {@code keepResident} bytes of
     * it in physical memory and returning the rest to the operating system. Both must be page multiples.
     *
     * <p>The default zeroes the first {@code keepResident} bytes and releases the rest. Implementations
     * that can tell which pages were written (Linux's pagemap) zero only those.
     *
     * @return what the reset did
     * @throws IllegalArgumentException if the range is outside the region, not page-aligned, or
     *         {@code keepResident} is negative
     */
    default ResetReport resetPages(long offset, long length, long keepResident) {
        long start = System.nanoTime();
        Checks.checkPageRange(offset, length, byteSize(), pageSize());
        Checks.requireNonNegative(keepResident, "keepResident");
        long zero = Math.min(length, Math.floorDiv(keepResident, pageSize()) * pageSize());
        if (zero > 0) {
            segment().asSlice(offset, zero).fill((byte) 0);
        }
        if (length - zero > 0) {
            releasePages(offset + zero, length - zero);
        }
        return new ResetReport("prefix", zero, length - zero, zero > 0 ? 1 : 0, System.nanoTime() - start);
    }

    /**
     * {@return {@code [offset, offset + length)} of this range as an {@link OsBacked} range of its own}
     * Both must be multiples of {@link #pageSize()}. Resets of disjoint slices never reach into each other.
     *
     * @throws IllegalArgumentException if the part lies outside the range or is not page-aligned
     * @throws IllegalStateException if the range is closed
     */
    @Override
    default OsBacked slice(long offset, long length) {
        return new OsRangeSlice(this, offset, length);
    }

    /**
     * Asks the range to track writes precisely from now on, so that {@link #resetPages} visits only
     * the pages written since the previous reset. Calling it again does nothing.
     *
     * @return whether the range tracks writes; the default cannot, and returns {@code false}
     */
    default boolean trackWrites() {
        return false;
    }
}
