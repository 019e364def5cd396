package dev.pagewise.core;

import dev.pagewise.core.internal.TypeNames;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A base for allocators that change what another does: {@link Canary} adds guard bytes, {@link Quarantine}
 * holds frees back, {@link PoisonOnFree} fills them, {@link Observed} calls a listener. To only watch an
 * allocator (count, limit, track leaks, inject failures), write an {@link AllocationListener} instead: a
 * listened arena stays an arena, a wrapped one becomes an {@link Allocator}.
 *
 * <p>A subclass implements {@link #allocate(long, long, boolean)} once; it asks the inner allocator with
 * {@link #innerAllocate}, exactly once per request and the way the caller asked, so the inner allocator's
 * own failure (and its message) reaches the caller unchanged. Frees, ownership, capacity, reset and close go
 * to the inner allocator unless overridden; a subclass that acts on a free checks {@link Allocator#owns}
 * first, so a free the inner allocator would reject or ignore changes nothing. {@link Allocator#reallocate}
 * moves a block through {@code allocate} and {@code deallocate} (so a subclass's rules apply to the new block),
 * {@link Allocator#allocateZeroed} fills what it hands out, and {@link Allocator#usableSize} is a block's size;
 * Pagewise's own wrappers do better, as each says.
 *
 * {@snippet lang=java :
 * // refuses blocks larger than a page, the whole wrapper:
 * final class PageSized extends AllocatorWrapper {
 *     PageSized(Allocator inner) {
 *         super(inner);
 *     }
 *
 *     @Override
 *     protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
 *         if (byteSize > 4096) {
 *             throw new IllegalArgumentException("more than a page: " + byteSize);
 *         }
 *         return innerAllocate(byteSize, byteAlignment, orThrow);
 *     }
 * }
 * }
 */
public abstract class AllocatorWrapper implements Allocator, Resettable, AutoCloseable {

    /** The allocator this one wraps. */
    protected final Allocator inner;

    /**
     * Creates a wrapper over {@code inner}.
     *
     * @param inner the allocator to wrap
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    protected AllocatorWrapper(Allocator inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /**
     * Serves a request: {@link #allocate(long, long)} and {@link #tryAllocate(long, long)} both come here.
     *
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @param orThrow       whether failure throws ({@code allocate}) or returns {@code null} ({@code tryAllocate})
     * @return the block, or {@code null} when there is no room and {@code orThrow} is {@code false}
     * @throws IllegalArgumentException if {@code byteSize < 0} or {@code byteAlignment} is not a power of two
     * @throws AllocationFailedException if there is no room and {@code orThrow} is {@code true}
     */
    protected abstract MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow);

    @Override
    public final MemorySegment allocate(long byteSize, long byteAlignment) {
        return allocate(byteSize, byteAlignment, true);
    }

    @Override
    public final MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        return allocate(byteSize, byteAlignment, false);
    }

    /**
     * {@return a block from the inner allocator, asked the way the caller asked: {@code allocate} when
     * {@code orThrow}, else {@code tryAllocate}, which may return {@code null}}
     *
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @param orThrow       whether the caller asked through {@code allocate}
     */
    protected final MemorySegment innerAllocate(long byteSize, long byteAlignment, boolean orThrow) {
        return orThrow ? inner.allocate(byteSize, byteAlignment) : inner.tryAllocate(byteSize, byteAlignment);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        inner.deallocate(segment);
    }

    /**
     * Resizes a checked live block of this wrapper in place, or {@return {@code null}} when it cannot; then
     * {@link #reallocate} moves it through this wrapper's {@code allocate} and {@code deallocate}. Only the
     * wrappers of this package resize in place; a subclass elsewhere always moves, so its rules apply to the new
     * block.
     */
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        return null;
    }

    /** {@return whether every block this wrapper hands out reads zero; unknown for a subclass elsewhere} */
    boolean zeroes() {
        return false;
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
        if (segment == null) {
            return false;
        }
        return inner.owns(segment);
    }

    /**
     * Resets the inner allocator.
     *
     * @throws UnsupportedOperationException if it is not {@link Resettable}; nothing changes then
     */
    @Override
    public ResetReport reset() {
        return resettable().reset();
    }

    /** {@return the inner allocator as a {@link Resettable}} @throws UnsupportedOperationException if it cannot reset */
    protected final Resettable resettable() {
        if (inner instanceof Resettable resettable) {
            return resettable;
        }
        throw new UnsupportedOperationException(TypeNames.of(inner) + " cannot reset");
    }

    /** Closes the inner allocator, if it is {@link AutoCloseable}. */
    @Override
    public void close() {
        if (inner instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + inner + " failed", e);
            }
        }
    }

    /** {@return the allocator this one wraps} */
    public Allocator inner() {
        return inner;
    }
}
