package dev.pagewise.core;

import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A {@link FixedRange} whose pages come from the operating system, which can take them back, change
 * their protection and, on some systems, tell which of them hold data. These are the capabilities a
 * {@link ResetPolicy} chooses among.
 */
public interface OsBacked extends FixedRange {

    /** {@return the size of the pages this range is made of} */
    long pageSize();

    /**
     * Returns the pages of {@code [offset, offset + length)} to the operating system. Afterwards the
     * bytes read as zero and take no physical memory until written again; the range stays committed.
     * {@code offset} and {@code length} must be multiples of {@link #pageSize()}.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalArgumentException if the part is outside the region or not page-aligned
     * @throws IllegalStateException if the range is closed, or the part holds pages whose protection
     *         is not {@link Protection#READ_WRITE}; nothing is released then
     */
    void releasePages(long offset, long length);

    /**
     * Sets the protection of the pages of {@code [offset, offset + length)}, which must be committed;
     * both must be multiples of {@link #pageSize()}.
     *
     * <p>This method is <em>restricted</em>: segments of allocators over this range, and the range's own
     * {@link #segment()}, may span the pages, and an access that the new protection denies ends the JVM.
     * The returned view enforces the protection in Java: it is read-only when {@code protection} denies
     * writes, and empty when it denies reads. Until the pages are {@link Protection#READ_WRITE} again,
     * {@link #zero} and {@link #releasePages} over them throw, so a reset cannot fault on them.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @param protection the accesses the pages allow from now on
     * @return a view of the pages that enforces {@code protection}
     * @throws IllegalCallerException if the caller's module has no native access
     * @throws IllegalArgumentException if the part is outside the committed prefix or not page-aligned
     * @throws IllegalStateException if the range is closed
     */
    MemorySegment protect(long offset, long length, Protection protection);

    /**
     * Makes the pages of {@code [offset, offset + length)}, which must be committed, guard pages: any read,
     * write or execution of them faults. Both must be multiples of {@link #pageSize()}. Until
     * {@link #unguard}, {@link #zero} and {@link #releasePages} over them throw. Lift a guard with
     * {@link #unguard}: what {@link #protect} does to a guard page depends on the range (the default guard is a
     * protection, which {@code protect} changes; a Linux {@code mmap} range keeps its guards until
     * {@code unguard}). Their contents are unspecified afterwards: an operating system
     * may discard them.
     *
     * <p>This method is <em>restricted</em>: segments of allocators over this range, and the range's own
     * {@link #segment()}, may span the pages, and an access to a guard page ends the JVM.
     *
     * <p>By default this is {@code protect(offset, length, Protection.NONE)}. A range whose operating system
     * has a lighter way to guard pages overrides it (Linux 6.13+: guard pages that neither split the mapping
     * nor take memory).
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalCallerException if the caller's module has no native access
     * @throws IllegalArgumentException if the part is outside the committed prefix or not page-aligned
     * @throws IllegalStateException if the range is closed
     */
    default void guard(long offset, long length) {
        Restricted.check("OsBacked.guard(long, long)");
        protect(offset, length, Protection.NONE);
    }

    /**
     * Makes the pages of {@code [offset, offset + length)}, which must be committed, ordinary
     * {@link Protection#READ_WRITE} pages again, whether {@link #guard} or {@link #protect} restricted them.
     * Both must be multiples of {@link #pageSize()}. Pages that {@link #guard} discarded read as zero; pages that
     * it only protected keep their bytes.
     *
     * <p>This method is <em>restricted</em>, as {@link #protect} is: the pages become writable through segments
     * that may have been handed out read-only.
     *
     * <p>By default this is {@code protect(offset, length, Protection.READ_WRITE)}.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalCallerException if the caller's module has no native access
     * @throws IllegalArgumentException if the part is outside the committed prefix or not page-aligned
     * @throws IllegalStateException if the range is closed
     */
    default void unguard(long offset, long length) {
        Restricted.check("OsBacked.unguard(long, long)");
        protect(offset, length, Protection.READ_WRITE);
    }

    /**
     * {@return what this range can tell about which of its pages hold data, if anything} A reset policy
     * that finds a scanner zeroes only the pages that need it.
     */
    default Optional<PageScanner> pageScanner() {
        return Optional.empty();
    }

    /**
     * {@return {@code [offset, offset + length)} of this range as an {@link OsBacked} range of its own}
     * Both must be multiples of {@link #pageSize()}. A slice's operations never reach outside it, and a part
     * that overlaps an open slice of this range is refused, as {@link FixedRange#slice} says.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalArgumentException if the part lies outside the range or is not page-aligned
     * @throws IllegalStateException if the range is closed or used by an allocator, or an open slice of it
     *         overlaps the part
     */
    @Override
    default OsBacked slice(long offset, long length) {
        return new OsRangeSlice(this, offset, length);
    }
}
