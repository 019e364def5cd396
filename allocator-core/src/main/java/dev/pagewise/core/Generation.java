package dev.pagewise.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory of one generation of an arena: the whole range, seen through a scope that ends when the
 * generation does (checked mode), or through the range's own scope (unchecked mode).
 */
final class Generation {

    final Arena arena;
    final MemorySegment segment;

    private Generation(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /** Opens a generation over {@code raw}, a range's whole segment: checked ones get a fresh confined or shared scope. */
    @SuppressWarnings("restricted")
    static Generation open(MemorySegment raw, boolean checked, boolean shared) {
        if (!checked) {
            return new Generation(null, raw);
        }
        Arena arena = shared ? Arena.ofShared() : Arena.ofConfined();
        return new Generation(arena, raw.reinterpret(arena, null));
    }

    /**
     * {@return a generation of the same memory that is not this one} For an arena that closed: threads that
     * compare their chunk's generation with the arena's see a change, while the arena's scope stays this one's.
     */
    Generation ended() {
        return new Generation(null, segment);
    }

    /** Ends the generation's scope; segments from it throw {@link IllegalStateException} afterwards. */
    void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
