package dev.pagewise.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A wrapper over an arena, still an arena: what {@code Canary.over}, {@code PoisonOnFree.over},
 * {@code Quarantine.over} and {@code Observed.over} return when given a {@link BumpArena} or
 * {@link SharedBumpArena}. Requests, frees and resets go through the {@link #wrapper()}; the scope is the
 * inner arena's (every segment the wrapper hands out is a slice of one of the arena's), so the result goes
 * to {@code Linker.upcallStub}, {@code MemorySegment.reinterpret(arena, ...)} and try-with-resources, and
 * {@link #close()} closes the wrapper and with it the arena. As thread-safe as the wrapper.
 *
 * {@snippet lang=java :
 * try (WrappedArena<Canary> arena = Canary.over(BumpArena.over(range))) {
 *     MemorySegment name = arena.allocateFrom("guarded");   // an Arena all the same
 *     arena.wrapper().verify();                           // the wrapper's own operations
 * }
 * }
 *
 * @param <W> the wrapper
 */
public final class WrappedArena<W extends AllocatorWrapper> implements Allocator, Arena, Resettable {

    private final W wrapper;
    private final Arena arena;

    private WrappedArena(W wrapper, Arena arena) {
        this.wrapper = wrapper;
        this.arena = arena;
    }

    /** Wraps {@code wrapper}, whose innermost allocator is {@code arena}. */
    static <W extends AllocatorWrapper, A extends Arena & Allocator & Resettable> WrappedArena<W> of(W wrapper, A arena) {
        return new WrappedArena<>(wrapper, Objects.requireNonNull(arena, "arena"));
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

    /** Resets through the wrapper, which resets the arena. */
    @Override
    public ResetReport reset() {
        return wrapper.reset();
    }

    /** Closes the wrapper, which closes the arena. Not idempotent, as {@link Arena#close()}. */
    @Override
    public void close() {
        wrapper.close();
    }

    @Override
    public String toString() {
        return "WrappedArena[" + wrapper + " over " + arena + "]";
    }
}
