package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;

/**
 * A contiguous region of native memory of fixed size, the backing that allocators carve up.
 *
 * <p>A range may reserve address space before it makes it accessible: {@link #commit} makes bytes usable,
 * and commits only grow the committed prefix. Allocators over a range hand out committed memory only,
 * so their segments never reach reserved, protected or unmapped pages.
 *
 * <p><b>Lifetime.</b> Every allocator over a range, and every slice of it, holds the range's
 * {@link #lifetime()} until it is closed; while any does, {@link #close()} throws
 * {@link IllegalStateException} and changes nothing. An allocator takes its range to itself: a second
 * allocator, a slice or a {@code GuardPage} over a range an allocator uses is refused, as is an allocator over
 * a range whose slices are in use and a slice that overlaps an open slice, so no two allocators ever hand out
 * the same bytes. The holds are counted by
 * Pagewise, not by callers.
 * Closing a range ends the scope of its {@link #segment()}, so a segment can never outlive the memory
 * under it. Implementations are thread-safe unless they say otherwise.
 *
 * <p>Implementations outside Pagewise keep these contracts; {@code dev.pagewise.testkit} has the suite
 * that checks them. Pagewise gives a range's memory scopes of its own, so handing an allocator a range
 * implemented outside Pagewise is <em>restricted</em> like {@code MemorySegment.reinterpret}: every
 * allocator, {@link #slice}, {@link GuardPage} and pool over such a range needs a caller with native access.
 */
public interface FixedRange extends AutoCloseable {

    /**
     * {@return the whole region, as a segment whose scope ends when this range is closed}
     *
     * <p>This method is <em>restricted</em>: the segment spans bytes that are not committed, or that a
     * protection denies, and touching them ends the JVM, which FFM cannot prevent. Like the JDK's restricted
     * methods, it may be called only from a module with native access; allocators are the safe way to
     * use a range.
     *
     * @throws IllegalCallerException if the caller's module has no native access
     *         ({@code --enable-native-access}); Pagewise's own modules may always call it
     * @throws IllegalStateException if the range is closed
     */
    MemorySegment segment();

    /** {@return the size of the region in bytes} */
    long byteSize();

    /** {@return the length of the committed prefix, in bytes; never more than {@link #byteSize()}} */
    long committed();

    /**
     * Makes {@code [offset, offset + length)} accessible for reading and writing, committing the whole
     * prefix up to {@code offset + length} (rounded up to the range's granularity) if it is not yet.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalArgumentException if the part lies outside the region
     * @throws IllegalStateException if the range is closed
     * @throws RuntimeException of the implementation's choice, naming the OS error, if the system refuses to commit
     */
    void commit(long offset, long length);

    /**
     * Writes zeros over {@code [offset, offset + length)}, which must be committed. Reset policies use it.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalArgumentException if the part lies outside the committed prefix
     * @throws IllegalStateException if the range is closed, or the part holds pages whose protection
     *         denies writing; nothing is written then
     */
    default void zero(long offset, long length) {
        Checks.checkRange(offset, length, committed());
        lifetime().checkAlive();
        if (length > 0) {
            Zeroing.zero(segment(), offset, length);
        }
    }

    /** {@return the lifetime that allocators and slices of this range hold} */
    Lifetime lifetime();

    /**
     * {@return whether {@code segment} lies entirely inside this region}
     * Only addresses are compared; a zero-length segment at the end address is not contained.
     *
     * @param segment the segment to test
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalStateException if the range is closed
     */
    default boolean contains(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        long base = segment().address();
        long start = segment.address();
        return start >= base && start - base < byteSize() && segment.byteSize() <= byteSize() - (start - base);
    }

    /**
     * {@return {@code [offset, offset + length)} of this range as a range of its own} The slice holds this
     * range until it is closed; its segment has its own scope, ended by its {@code close}; commits go to
     * this range. A part that overlaps an open slice of this range is refused, so slices never share bytes and
     * each can back an allocator of its own.
     *
     * @param offset the start of the part, from the start of the range
     * @param length the length of the part, in bytes
     * @throws IllegalArgumentException if the part lies outside the range
     * @throws IllegalStateException if the range is closed or used by an allocator, or an open slice of it
     *         overlaps the part
     */
    default FixedRange slice(long offset, long length) {
        return new RangeSlice(this, offset, length);
    }

    /**
     * Releases the region and ends the scope of {@link #segment()}: using that segment afterwards throws
     * {@link IllegalStateException}. Not idempotent.
     *
     * @throws IllegalStateException if an allocator or slice still holds the range, or it is already
     *         closed; nothing changes then
     */
    @Override
    default void close() {
        lifetime().close();
    }
}
