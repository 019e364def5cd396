package dev.pagewise.core;

import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;

/**
 * What a bump arena takes from its range when it is built: a hold on the range, the range's whole segment
 * and the first generation over it.
 */
record ArenaMemory(Lifetime.Hold hold, MemorySegment raw, Generation generation) {

    /**
     * Takes them in that order; if a later step fails, the hold is released and the failure thrown.
     *
     * @param arena names the arena in messages
     * @throws IllegalCallerException if the range is implemented outside Pagewise and the caller has no native access
     * @throws IllegalStateException if the range is closed
     */
    static ArenaMemory take(FixedRange range, String arena, boolean checked, boolean shared) {
        Restricted.range(range, arena);
        Lifetime.Hold hold = range.lifetime().acquireExclusive();
        try {
            MemorySegment raw = Restricted.segmentOf(range);
            return new ArenaMemory(hold, raw, Generation.open(raw, checked, shared));
        } catch (RuntimeException | Error e) {
            hold.close();
            throw e;
        }
    }
}
