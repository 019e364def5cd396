package dev.pagewise.core;

import java.lang.foreign.MemorySegment;

/**
 * Fills every freed block with a pattern before the inner allocator gets it back, so code that reads a
 * block after freeing it reads garbage that stands out instead of plausible data. Pair it with
 * {@link Quarantine} to catch writes after free. As thread-safe as what it wraps.
 */
public final class PoisonOnFree extends AllocatorWrapper {

    /** The default poison byte. */
    public static final byte DEFAULT_POISON = (byte) 0xDE;

    private final byte poison;

    private PoisonOnFree(Allocator inner, byte poison) {
        super(inner);
        this.poison = poison;
    }

    /**
     * {@return {@code inner}, its freed blocks filled with {@code poison}}
     *
     * @param inner  the allocator to wrap
     * @param poison the byte every freed block is filled with
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    public static PoisonOnFree over(Allocator inner, byte poison) {
        return new PoisonOnFree(java.util.Objects.requireNonNull(inner, "inner"), poison);
    }

    /**
     * {@return {@code inner}, its freed blocks filled with {@link #DEFAULT_POISON}}
     *
     * @param inner the allocator to wrap
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    public static PoisonOnFree over(Allocator inner) {
        return over(inner, DEFAULT_POISON);
    }

    /**
     * {@return {@code arena}, its freed blocks filled with {@code poison}, still an arena}
     *
     * @param <A>    the arena's type
     * @param arena  the arena to wrap
     * @param poison the byte every freed block is filled with
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<PoisonOnFree> over(A arena, byte poison) {
        return WrappedArena.of(over((Allocator) java.util.Objects.requireNonNull(arena, "arena"), poison), arena);
    }

    /**
     * {@return {@code arena}, its freed blocks filled with {@code poison}, still an arena that resets}
     *
     * @param <A>    the arena's type
     * @param arena  the arena to wrap
     * @param poison the byte every freed block is filled with
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<PoisonOnFree> over(A arena, byte poison) {
        return WrappedArena.resettable(over((Allocator) java.util.Objects.requireNonNull(arena, "arena"), poison), arena);
    }

    /**
     * {@return {@code arena}, its freed blocks filled with {@link #DEFAULT_POISON}, still an arena}
     *
     * @param <A>   the arena's type
     * @param arena the arena to wrap
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends java.lang.foreign.Arena & Allocator> WrappedArena<PoisonOnFree> over(A arena) {
        return over(arena, DEFAULT_POISON);
    }

    /**
     * {@return {@code arena}, its freed blocks filled with {@link #DEFAULT_POISON}, still an arena that resets}
     *
     * @param <A>   the arena's type
     * @param arena the arena to wrap
     * @throws NullPointerException if {@code arena} is {@code null}
     */
    public static <A extends Resettable & java.lang.foreign.Arena & Allocator> ResettableWrappedArena<PoisonOnFree> over(A arena) {
        return over(arena, DEFAULT_POISON);
    }

    @Override
    protected MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        return innerAllocate(byteSize, byteAlignment, orThrow);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: in place where the inner allocator resizes in place (a shrunk tail is not poisoned: it stays the
     * caller's, or the inner allocator zeroes it); a block that moves leaves its old copy poisoned and freed, as
     * {@link #deallocate} does.
     */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        return Resizing.reallocate(this, segment, newSize);
    }

    @Override
    MemorySegment resizeInPlace(MemorySegment segment, long newSize) {
        return Resizing.inPlace(inner, segment, newSize);
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

    /**
     * Poisons {@code segment} and frees it, if the inner allocator {@linkplain Allocator#owns owns} it;
     * otherwise the free goes to the inner allocator untouched, to be rejected or ignored there.
     */
    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        if (inner.owns(segment)) {
            segment.fill(poison);
        }
        inner.deallocate(segment);
    }
}
