package dev.pagewise.core;

import dev.pagewise.core.internal.Zeroing;
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

    /**
     * Resizes a live block to {@code newSize} bytes, keeping its first {@code min(old, newSize)} bytes. Where the
     * allocator can, the block stays where it is (see each allocator: the last block of a bump arena, a slot that
     * still fits, a size class that still fits; a shrink stays in place wherever the allocator resizes in place);
     * otherwise a new block is allocated from this allocator, the bytes are copied and the old block is freed
     * through this allocator, so listeners and wrappers hear an allocation and (where the allocator really frees)
     * a free. A moved block is aligned to the largest power of two that divides the old block's address, up to
     * 16 bytes (what {@code malloc} guarantees on 64-bit Linux); a caller needing more allocates, copies and
     * frees itself. Bytes past the old size read zero where the allocator promises zeros (see
     * {@link #allocateZeroed}).
     *
     * <p>The old segment is stale afterwards, but no allocator can revoke one slice of a scope: where it is not
     * freed (a bump arena, a block resized in place) it stays accessible, and aliases the result or memory the
     * allocator hands out next, as a freed slab slot does. Use only the returned segment.
     *
     * <p>The default allocates, copies and frees, after resizing in place where a Pagewise allocator can.
     *
     * @param segment a live block of this allocator ({@link #owns} it)
     * @param newSize the new size, in bytes
     * @return the resized block: {@code segment}'s address when resized in place, else a new block
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalArgumentException if {@code newSize} is negative or this allocator does not own
     *         {@code segment}; nothing changes then
     * @throws AllocationFailedException if there is no room for the new size (or a listener refused it); the old
     *         block is then still live and unchanged
     * @throws IllegalStateException if the allocator is closed
     */
    default MemorySegment reallocate(MemorySegment segment, long newSize) {
        return Resizing.reallocate(this, segment, newSize);
    }

    /**
     * Allocates like {@link #allocate(long, long)} a block that reads zero, even from an allocator that does not
     * promise zeros ({@link Slab#withoutZeroing}, {@link SizeClassed.Builder#withoutZeroing()}, a bump arena with
     * {@link ResetPolicy#noZeroing()}, wrappers over those, allocators outside Pagewise). The default fills the
     * block only when the allocator does not already promise zeros.
     *
     * @param byteSize      the size of the block, in bytes
     * @param byteAlignment the alignment of the block's address, a power of two
     * @return a block of {@code byteSize} zero bytes
     * @throws IllegalArgumentException if {@code byteSize < 0} or {@code byteAlignment} is not a power of two
     * @throws AllocationFailedException if the allocator has no room for the request
     * @throws IllegalStateException if the allocator is closed
     */
    default MemorySegment allocateZeroed(long byteSize, long byteAlignment) {
        MemorySegment segment = allocate(byteSize, byteAlignment);
        if (!Resizing.zeroes(this)) {
            Zeroing.zero(segment);
        }
        return segment;
    }

    /**
     * {@return the bytes {@code segment} can really grow to without moving or failing: at least its size} A
     * slab's slot size, a size class's size; a block's own size where the allocator keeps no slack (bump arenas:
     * the last block may still grow in place into free space, but that space is not reserved for it). The
     * default is the segment's size.
     *
     * @param segment a live block of this allocator ({@link #owns} it)
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalArgumentException if this allocator does not own {@code segment}
     */
    default long usableSize(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        Resizing.checkOwned(this, segment);
        return segment.byteSize();
    }
}
