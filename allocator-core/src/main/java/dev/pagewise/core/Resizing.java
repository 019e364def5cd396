package dev.pagewise.core;

import dev.pagewise.core.internal.Bridge;
import dev.pagewise.core.internal.TypeNames;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The one place that decides how a block is resized, for {@link Allocator#reallocate},
 * {@link Allocator#usableSize} and {@link Allocator#allocateZeroed}: which allocators resize in place, which
 * promise zeros, and what alignment a moved block keeps. Allocators outside Pagewise get the generic path:
 * allocate, copy, free.
 */
final class Resizing {

    /** The most alignment a moved block keeps: what {@code malloc} guarantees on 64-bit Linux. */
    static final long MAX_KEPT_ALIGNMENT = 16;

    private Resizing() {
    }

    /**
     * Checks a resize request, changing nothing.
     *
     * @throws NullPointerException if {@code segment} is {@code null}
     * @throws IllegalArgumentException if {@code newSize} is negative or {@code allocator} does not own {@code segment}
     */
    static void check(Allocator allocator, MemorySegment segment, long newSize) {
        Objects.requireNonNull(segment, "segment");
        if (newSize < 0) {
            throw new IllegalArgumentException("newSize must not be negative: " + newSize);
        }
        checkOwned(allocator, segment);
    }

    /**
     * @throws IllegalStateException if {@code allocator} is closed (a closed allocator owns nothing, but the
     *         caller's mistake is the use after close, not the segment)
     * @throws IllegalArgumentException if {@code allocator} does not own {@code segment}
     */
    static void checkOwned(Allocator allocator, MemorySegment segment) {
        if (!allocator.owns(segment)) {
            if (closed(allocator)) {
                throw new IllegalStateException(TypeNames.of(allocator) + " is closed");
            }
            throw new IllegalArgumentException("segment is not a live block of " + allocator + ": 0x"
                    + Long.toHexString(segment.address()) + " (" + segment.byteSize() + " bytes)");
        }
    }

    /**
     * {@return the alignment a moved copy of {@code segment} gets: the largest power of two dividing its address,
     * at most {@link #MAX_KEPT_ALIGNMENT}} An allocator's block is aligned at least as its request asked, so
     * this keeps every alignment up to 16 that the request could have asked for.
     */
    static long alignment(MemorySegment segment) {
        return Long.lowestOneBit(segment.address() | MAX_KEPT_ALIGNMENT);
    }

    /** The generic path: the whole request, checked; in place if the allocator can, else a move. */
    static MemorySegment reallocate(Allocator allocator, MemorySegment segment, long newSize) {
        check(allocator, segment, newSize);
        MemorySegment resized = inPlace(allocator, segment, newSize);
        return resized != null ? resized : move(allocator, segment, newSize);
    }

    /**
     * Moves {@code segment}: a new block from {@code allocator} (so its listener and wrappers hear an allocation),
     * the first {@code min(old, new)} bytes copied, the old block freed through {@code allocator} (heard as a
     * free where it really frees). If the allocation fails, nothing changed; see {@link #finishMove} for a failure
     * after it.
     */
    static MemorySegment move(Allocator allocator, MemorySegment segment, long newSize) {
        MemorySegment moved = allocator.allocate(newSize, alignment(segment));
        return finishMove(allocator, segment, allocator, moved, newSize);
    }

    /**
     * Copies {@code segment} into {@code moved} (a new block of {@code to}) and frees it through {@code from}, so
     * that a failure part-way loses no block. If the copy or the free throws while {@code from} still owns the old
     * block, the new block is freed (a failure there is added as suppressed) and the failure rethrown: the caller
     * keeps the old block, as after a failed allocation. If the old block is gone already (a listener's
     * {@code onRelease} threw after the free), the move happened and the new block is returned, the failure
     * dropped; except a {@link MemoryCorruptionException} or an {@link Error}, never dropped: the new block is
     * freed and it is rethrown.
     */
    static MemorySegment finishMove(Allocator from, MemorySegment segment, Allocator to, MemorySegment moved,
                                    long newSize) {
        try {
            MemorySegment.copy(segment, 0, moved, 0, Math.min(segment.byteSize(), newSize));
            from.deallocate(segment);
            return moved;
        } catch (RuntimeException | Error e) {
            boolean gone = !from.owns(segment);
            if (gone && !(e instanceof MemoryCorruptionException) && !(e instanceof Error)) {
                return moved;
            }
            try {
                to.deallocate(moved);
            } catch (RuntimeException | Error s) {
                e.addSuppressed(s);
            }
            throw e;
        }
    }

    /**
     * Resizes {@code segment}, a checked live block of {@code allocator}, without moving it.
     *
     * @return the resized block (same address), or {@code null} if it cannot be resized in place; nothing
     *         changed then
     * @throws AllocationFailedException if a listener refused the resize; nothing changed
     */
    static MemorySegment inPlace(Allocator allocator, MemorySegment segment, long newSize) {
        return switch (allocator) {
            case BumpArena a -> a.resizeInPlace(segment, newSize);
            case SharedBumpArena a -> a.resizeInPlace(segment, newSize);
            case StackArena a -> a.resizeInPlace(segment, newSize);
            case StackArena.Frame f -> f.resizeInPlace(segment, newSize);
            case Slab a -> a.resizeInPlace(segment, newSize);
            case SizeClassed a -> a.resizeInPlace(segment, newSize);
            case WithFallback a -> a.resizeInPlace(segment, newSize);
            case AllocatorWrapper w -> w.resizeInPlace(segment, newSize);
            case WrappedArena<?> w -> inPlace(w.wrapper(), segment, newSize);
            default -> null;
        };
    }

    /**
     * {@return whether {@code allocator} may resize {@code segment}, a checked live block, in place to
     * {@code newSize}} {@code false} only when {@link #inPlace} surely returns {@code null}, so a wrapper that
     * listens asks its listener only about a resize that can happen (a refused move is then heard once, as an
     * allocation).
     */
    static boolean mayResizeInPlace(Allocator allocator, MemorySegment segment, long newSize) {
        return switch (allocator) {
            case Slab a -> newSize <= a.slotSize();
            case BumpArena a -> true;
            case SharedBumpArena a -> true;
            case StackArena a -> true;
            case StackArena.Frame f -> true;
            case SizeClassed a -> true;
            case WithFallback a -> true;
            case Observed o -> mayResizeInPlace(o.inner(), segment, newSize);
            case PoisonOnFree p -> mayResizeInPlace(p.inner(), segment, newSize);
            case Quarantine q -> mayResizeInPlace(q.inner(), segment, newSize);
            case Canary c -> true;
            case AllocatorWrapper w -> false; // the others always move (AllocatorWrapper.resizeInPlace)
            case WrappedArena<?> w -> mayResizeInPlace(w.wrapper(), segment, newSize);
            default -> false;
        };
    }

    /**
     * {@return whether shrinking {@code segment}, a checked live block of {@code allocator}, in place gives its
     * tail back to the allocator} Not for a block before a bump arena's last, nor any block of a shared bump
     * arena: their tails stay allocated until the reset, so a listener must not hear the shrink as bytes given
     * back. A slab's or size class's slot is heard shrinking: what listeners count there is the requested size.
     */
    static boolean shrinkFrees(Allocator allocator, MemorySegment segment) {
        return switch (allocator) {
            case BumpArena a -> a.shrinkFrees(segment);
            case SharedBumpArena a -> false;
            case StackArena a -> a.shrinkFrees(segment);
            case StackArena.Frame f -> f.shrinkFrees(segment);
            case WithFallback a -> shrinkFrees(a.primary().owns(segment) ? a.primary() : a.secondary(), segment);
            case Observed o -> shrinkFrees(o.inner(), segment);
            case PoisonOnFree p -> shrinkFrees(p.inner(), segment);
            case Quarantine q -> shrinkFrees(q.inner(), segment);
            case Canary c -> c.shrinkFrees(segment);
            case WrappedArena<?> w -> shrinkFrees(w.wrapper(), segment);
            default -> true;
        };
    }

    /** {@return whether {@code allocator} (or, for a wrapper or a fallback, what it hands requests to) is closed} {@code false} when unknown. */
    static boolean closed(Allocator allocator) {
        return switch (allocator) {
            case BumpArena a -> a.isClosed();
            case SharedBumpArena a -> a.isClosed();
            case StackArena a -> a.isClosed();
            case StackArena.Frame f -> f.isClosed();
            case Slab a -> a.isClosed();
            case SizeClassed a -> a.isClosed();
            case OwnedSlab a -> a.isClosed();
            case ConcurrentSizeClassed a -> a.isClosed();
            case ExtendableSlab a -> a.isClosed();
            case HardenedSlab a -> a.isClosed();
            case WithFallback a -> closed(a.primary()) || closed(a.secondary());
            case AllocatorWrapper w -> closed(w.inner());
            case WrappedArena<?> w -> closed(w.wrapper()) || !w.scope().isAlive();
            default -> false;
        };
    }

    /** {@return whether every block {@code allocator} hands out reads zero} {@code false} when unknown. */
    static boolean zeroes(Allocator allocator) {
        return switch (allocator) {
            case BumpArena a -> a.zeroes();
            case SharedBumpArena a -> a.zeroes();
            case StackArena a -> true;
            case StackArena.Frame f -> true;
            case Slab a -> a.zeroes();
            case SizeClassed a -> a.zeroes();
            case WithFallback a -> zeroes(a.primary()) && zeroes(a.secondary());
            case AllocatorWrapper w -> w.zeroes();
            case WrappedArena<?> w -> zeroes(w.wrapper());
            default -> false;
        };
    }

    /** {@return whether a bump arena's reset policy promises zeros: a built-in one other than no-zeroing} */
    static boolean zeroes(ResetPolicy policy) {
        return policy != ResetPolicies.NO_ZEROING && Bridge.isBuiltIn(policy);
    }
}
