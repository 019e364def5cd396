package dev.pagewise.core;

import java.lang.foreign.MemorySegment;

/**
 * A contiguous region of native memory of fixed size, the backing that allocators carve up.
 *
 * <p>A range may reserve address space before it makes it accessible: {@link #commit} makes bytes
 * usable. Commits only grow the committed prefix; committing committed bytes does nothing. Bytes
 * outside the committed prefix, or under a protection that denies the access, must not be touched
 * through {@link #segment()}: page protection is enforced by the hardware, not by FFM, and a fault
 * there ends the JVM. Allocators over a range hand out only committed memory.
 *
 * <p>While an allocator uses a range it {@linkplain #pin() pins} it, and {@link #close()} of a pinned
 * range throws {@link IllegalStateException}: segments handed out by the allocator can therefore
 * never outlive the memory under them. Implementations are thread-safe unless they say otherwise.
 */
public interface FixedRange extends AutoCloseable {

    /**
     * {@return the whole region, as a segment whose scope ends when this range is closed}
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
     * @throws IllegalArgumentException if the range lies outside the region
     * @throws IllegalStateException if the range is closed
     * @throws RuntimeException of the implementation's choice, naming the OS error, if the system refuses to commit
     */
    void commit(long offset, long length);

    /**
     * {@return whether {@code segment} lies entirely inside this region}
     * Only addresses are compared; a zero-length segment at the end address is not contained.
     */
    default boolean contains(MemorySegment segment) {
        long base = segment().address();
        long start = segment.address();
        return start >= base && start - base < byteSize() && segment.byteSize() <= byteSize() - (start - base);
    }

    /**
     * {@return {@code [offset, offset + length)} of this range as a range of its own} The slice pins this
     * range until it is closed; commits go to this range. Disjoint slices can back separate allocators.
     *
     * @throws IllegalArgumentException if the part lies outside the range
     * @throws IllegalStateException if the range is closed
     */
    default FixedRange slice(long offset, long length) {
        return new RangeSlice(this, offset, length);
    }

    /**
     * Marks the range as used by an allocator: until the matching {@link #unpin()}, {@link #close()} throws.
     *
     * @throws IllegalStateException if the range is closed
     */
    void pin();

    /**
     * Ends one {@link #pin()}.
     *
     * @throws IllegalStateException if the range is not pinned
     */
    void unpin();

    /**
     * Releases the region. Segments obtained from {@link #segment()} become inaccessible: using one
     * throws {@link IllegalStateException}.
     *
     * @throws IllegalStateException if the range is pinned or already closed
     */
    @Override
    void close();
}
