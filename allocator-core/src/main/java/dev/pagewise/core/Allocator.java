package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * An allocator of native memory segments. Being a {@link SegmentAllocator}, it plugs into every
 * FFM API that takes one ({@code allocateFrom}, downcall return buffers, ...).
 *
 * <p>Implementations state their thread-safety, what they zero, and how long a segment stays valid.
 * Every implementation rejects a negative size or a non-power-of-two alignment with
 * {@link IllegalArgumentException} and leaves its state unchanged when it does.
 */
public interface Allocator extends SegmentAllocator {

    /**
     * {@return a segment of {@code byteSize} bytes aligned to {@code byteAlignment}}
     *
     * @param byteSize      the size of the block, in bytes
     * @param byteAlignment the alignment of the block's address, a power of two
     * @throws IllegalArgumentException if {@code byteSize < 0} or {@code byteAlignment} is not a power of two
     * @throws AllocationFailedException if the allocator has no room for the request
     * @throws IllegalStateException if the allocator is closed
     */
    @Override
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Allocates like {@link #allocate(long, long)} but returns {@code null} instead of throwing
     * when there is no room, so a caller can fall back without the cost of an exception.
     *
     * @param byteSize      the size of the block, in bytes
     * @param byteAlignment the alignment of the block's address, a power of two
     * @return a segment, or {@code null} when the allocator has no room; its state is then unchanged
     * @throws IllegalArgumentException if {@code byteSize < 0} or {@code byteAlignment} is not a power of two
     * @throws IllegalStateException if the allocator is closed
     */
    MemorySegment tryAllocate(long byteSize, long byteAlignment);

    /**
     * Returns {@code segment} to this allocator. The default does nothing: allocators that free only
     * in bulk ({@code reset}, {@code close}) ignore single frees. A free that is rejected changes nothing.
     *
     * @param segment a block this allocator handed out, exactly as it was handed out
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalArgumentException if the allocator {@linkplain #freesIndividually() frees individually}
     *         and {@code segment} is not {@linkplain #owns owned} by it (never allocated here, already freed,
     *         an interior slice)
     */
    default void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
    }

    /**
     * {@return whether {@link #deallocate} gives memory back one block at a time} When not, single frees are
     * ignored and memory comes back only in bulk ({@code reset}, {@code close}); wrappers that account for
     * frees count them only when this is {@code true}. The default, matching the default {@link #deallocate},
     * is {@code false}.
     */
    default boolean freesIndividually() {
        return false;
    }

    /**
     * {@return whether {@code segment} is a live block of this allocator: one it handed out, in full, and
     * has not freed, reset or closed since} Wrappers ask it before they act on a free, so that a free the
     * allocator would reject or ignore changes nothing. Never throws: {@code false} for {@code null}.
     *
     * @param segment the segment to look up, or {@code null}
     */
    boolean owns(MemorySegment segment);

    /** {@return the number of bytes this allocator can hand out in all, live or not} */
    long capacity();
}
