package dev.pagewise.core;

import dev.pagewise.core.internal.Listening;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Any allocator, heard by an {@link AllocationListener}: for allocators that take no listener of their own
 * (Pagewise's do; prefer that, it keeps their type). Frees are heard only when the inner allocator frees
 * individually and owned the block; its resets and close are heard too. As thread-safe as what it wraps
 * and the listener.
 */
public final class Observed extends AllocatorWrapper {

    private final AllocationListener listener;
    /** The inner path, held once: see {@link Listening#allocate}. */
    private final Listening.Raw innerAllocate = this::innerAllocate;
    /** The inner allocator's in-place resize, held once. */
    private final Listening.InPlace innerInPlace = (segment, newSize) -> Resizing.inPlace(inner, segment, newSize);

    private Observed(Allocator inner, AllocationListener listener) {
        super(inner);
        this.listener = listener;
    }

    /**
     * {@return {@code inner}, heard by {@code listener}}
     *
     * @param inner    the allocator to observe
     * @param listener the listener, called on the threads that use the allocator
     * @throws NullPointerException if an argument is {@code null}
     */
    public static Observed over(Allocator inner, AllocationListener listener) {
        return new Observed(Objects.requireNonNull(inner, "inner"), Objects.requireNonNull(listener, "listener"));
    }

    /**
     * {@return {@code arena}, heard by {@code listener}, still an arena} Prefer the arena's own
     * {@code listener(...)} builder option, which costs less.
     *
     * @param <A>      the arena's type
     * @param arena    the arena to observe
     * @param listener the listener, called on the threads that use the arena
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<Observed> over(
            A arena, AllocationListener listener) {
        return WrappedArena.of(over((Allocator) java.util.Objects.requireNonNull(arena, "arena"), listener), arena);
    }

    /**
     * {@return {@code arena}, heard by {@code listener}, still an arena that resets} Prefer the arena's own
     * {@code listener(...)} builder option, which costs less.
     *
     * @param <A>      the arena's type
     * @param arena    the arena to observe
     * @param listener the listener, called on the threads that use the arena
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<Observed> over(
            A arena, AllocationListener listener) {
        return WrappedArena.resettable(over((Allocator) java.util.Objects.requireNonNull(arena, "arena"), listener), arena);
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        return Listening.allocate(listener, inner, byteSize, byteAlignment, orThrow, innerAllocate);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        boolean released = inner.freesIndividually() && inner.owns(segment);
        inner.deallocate(segment);
        if (released) {
            listener.onRelease(segment);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: where the inner allocator resizes in place, the listener hears {@link AllocationListener#onPreResize}
     * and {@link AllocationListener#onResize}, except a shrink that gives nothing back to the inner allocator (a
     * bump arena's block before its last, any shared bump arena block), which it does not hear: the block stays
     * counted at its old size. Where the inner allocator surely cannot resize in place (it never does, or the
     * block outgrows its slab slot), the listener hears only the move: an allocation and (where the inner
     * allocator frees individually) a release. Where it might but cannot (a bump arena's block that is not the
     * last grows), the listener hears {@code onPreResize} and {@link AllocationListener#onFailedResize} before
     * the move.
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        return Resizing.reallocate(this, segment, newSize);
    }

    @Override
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        if (!Resizing.mayResizeInPlace(inner, segment, newSize)) {
            return null; // it moves: heard as the allocation it is, not also as a failed resize
        }
        if (newSize < segment.byteSize() && !Resizing.shrinkFrees(inner, segment)) {
            return innerInPlace.resize(segment, newSize); // gives nothing back: the block stays charged in full
        }
        return Listening.resizeInPlace(listener, inner, segment, newSize, innerInPlace);
    }

    /** {@inheritDoc} Here: what the inner allocator says. */
    @Override
    public long usableSize(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        return inner.usableSize(segment);
    }

    @Override
    boolean zeroes() {
        return Resizing.zeroes(inner);
    }

    @Override
    public ResetReport reset() {
        ResetReport report = resettable().reset();
        listener.onReset();
        return report;
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            listener.onClose();
        }
    }
}
