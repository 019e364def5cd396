package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The forwarding every wrapper shares. A wrapper implements {@link #allocate(long, long, boolean)} once;
 * it asks the inner allocator exactly once per request, with {@code allocate} or {@code tryAllocate} as
 * the caller did, so the inner allocator's own failure (and its message) reaches the caller unchanged.
 */
abstract class AllocatorWrapper implements Allocator, Resettable {

    final Allocator inner;

    AllocatorWrapper(Allocator inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** Serves a request; {@code orThrow} says whether failure throws or returns {@code null}. */
    abstract MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow);

    @Override
    public final MemorySegment allocate(long byteSize, long byteAlignment) {
        return allocate(byteSize, byteAlignment, true);
    }

    @Override
    public final MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        return allocate(byteSize, byteAlignment, false);
    }

    /** {@return a block from the inner allocator, asked the way the caller asked} */
    final MemorySegment innerAllocate(long byteSize, long byteAlignment, boolean orThrow) {
        return orThrow ? inner.allocate(byteSize, byteAlignment) : inner.tryAllocate(byteSize, byteAlignment);
    }

    @Override
    public long capacity() {
        return inner.capacity();
    }

    @Override
    public boolean freesIndividually() {
        return inner.freesIndividually();
    }

    @Override
    public boolean owns(MemorySegment segment) {
        return inner.owns(segment);
    }

    /**
     * {@return whether a free of {@code segment} really gives a block back to the inner allocator} Asked
     * before the free, so that a free the inner allocator rejects or ignores is not counted.
     */
    final boolean countsAsFree(MemorySegment segment) {
        return inner.freesIndividually() && inner.owns(segment);
    }

    /**
     * Resets the inner allocator.
     *
     * @throws UnsupportedOperationException if it cannot reset
     */
    @Override
    public ResetReport reset() {
        return resettable().reset();
    }

    /** {@return the inner allocator as a {@link Resettable}} @throws UnsupportedOperationException if it cannot reset */
    final Resettable resettable() {
        if (inner instanceof Resettable resettable) {
            return resettable;
        }
        throw new UnsupportedOperationException(inner.getClass().getSimpleName() + " cannot reset");
    }

    /** {@return the allocator this one wraps} */
    public Allocator inner() {
        return inner;
    }
}
