package dev.pagewise.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A wrapper over an arena, still an arena: what {@code Canary.over}, {@code PoisonOnFree.over},
 * {@code Quarantine.over} and {@code Observed.over} return when given one (a {@code dev.pagewise.os.RequestArena}-like arena
 * that does not reset; a {@link ResettableWrappedArena} for one that does, such as {@link BumpArena}).
 * Requests and frees go through the {@link #wrapper()}; the scope is the inner arena's (every segment the
 * wrapper hands out is a slice of one of the arena's), so the result goes to {@code Linker.upcallStub},
 * {@code MemorySegment.reinterpret(arena, ...)} and try-with-resources, and {@link #close()} closes the
 * wrapper and with it the arena. As thread-safe as the wrapper.
 *
 * {@snippet lang=java :
 * try (ResettableWrappedArena<Canary> arena = Canary.over(BumpArena.over(range))) {
 *     MemorySegment name = arena.allocateFrom("guarded");   // an Arena all the same
 *     arena.wrapper().verify();                           // the wrapper's own operations
 *     arena.reset();                                      // and still resettable
 * }
 * }
 *
 * @param <W> the wrapper
 */
public sealed class WrappedArena<W extends AllocatorWrapper> implements Allocator, Arena permits ResettableWrappedArena {

    private final W wrapper;
    private final Arena arena;

    WrappedArena(W wrapper, Arena arena) {
        this.wrapper = wrapper;
        this.arena = Objects.requireNonNull(arena, "arena");
    }

    /** Wraps {@code wrapper}, whose inner allocator is {@code arena}. */
    static <W extends AllocatorWrapper, A extends Arena & Allocator> WrappedArena<W> of(W wrapper, A arena) {
        return new WrappedArena<>(wrapper, arena);
    }

    /** Wraps {@code wrapper}, whose inner allocator is {@code arena}, which resets. */
    static <W extends AllocatorWrapper, A extends Resettable & Arena & Allocator> ResettableWrappedArena<W> resettable(
            W wrapper, A arena) {
        return new ResettableWrappedArena<>(wrapper, arena);
    }

    /** {@return the wrapper, for its own operations ({@code verify()}, counters, ...)} */
    public W wrapper() {
        return wrapper;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return wrapper.allocate(byteSize, byteAlignment);
    }

    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        return wrapper.tryAllocate(byteSize, byteAlignment);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        wrapper.deallocate(segment);
    }

    /** {@inheritDoc} Here: the wrapper's. */
    @Override
    public MemorySegment reallocate(MemorySegment segment, long newSize) {
        return wrapper.reallocate(segment, newSize);
    }

    /** {@inheritDoc} Here: the wrapper's. */
    @Override
    public MemorySegment allocateZeroed(long byteSize, long byteAlignment) {
        return wrapper.allocateZeroed(byteSize, byteAlignment);
    }

    /** {@inheritDoc} Here: the wrapper's. */
    @Override
    public long usableSize(MemorySegment segment) {
        return wrapper.usableSize(segment);
    }

    @Override
    public boolean freesIndividually() {
        return wrapper.freesIndividually();
    }

    @Override
    public boolean owns(MemorySegment segment) {
        if (segment == null) {
            return false;
        }
        return wrapper.owns(segment);
    }

    @Override
    public long capacity() {
        return wrapper.capacity();
    }

    /** {@return the inner arena's scope: the scope of every segment this arena hands out} */
    @Override
    public MemorySegment.Scope scope() {
        return arena.scope();
    }

    /** Closes the wrapper, which closes the arena. Not idempotent, as {@link Arena#close()}. */
    @Override
    public void close() {
        wrapper.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + wrapper + " over " + arena + "]";
    }
}
