package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A wrapper over an arena is still an arena: scope, reinterpret, reset, try-with-resources, close of the inner. */
class WrappedArenaTest {

    @Test
    void aCanaryOverABumpArenaShouldStillBeAnArena() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            BumpArena bump = BumpArena.over(range);
            MemorySegment stale;
            try (ResettableWrappedArena<Canary> arena = Canary.over(bump)) {
                Arena asArena = arena;
                MemorySegment name = asArena.allocateFrom("wrapped");
                assertEquals(arena.scope(), name.scope(), "the wrapper's segments live in the arena's scope");
                MemorySegment widened = MemorySegment.ofAddress(name.address()).reinterpret(name.byteSize(), arena, null);
                assertEquals('w', (char) widened.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                arena.wrapper().verify();
                stale = arena.allocate(JAVA_LONG);
                arena.reset();
                assertThrows(IllegalStateException.class, () -> stale.get(JAVA_LONG, 0), "reset through the wrapper");
                arena.allocate(64, 8);
            }
            assertThrows(IllegalStateException.class, () -> bump.allocate(8, 8), "closing the wrapper closed the arena");
            assertEquals(0, range.lifetime().holders());
        }
    }

    @Test
    void aNullAmongListenersShouldBeNamed() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> AllocationListener.of(Statistics.create(), null));
        assertEquals("listeners[1]", e.getMessage());
    }

    @Test
    void everyWrapperShouldKeepAnArenaAnArena() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            Statistics stats = Statistics.create();
            try (ResettableWrappedArena<Observed> observed = Observed.over(SharedBumpArena.over(range), stats)) {
                observed.allocate(100, 8);
                assertEquals(1, stats.snapshot().allocations());
                observed.reset();
                assertEquals(1, stats.snapshot().resets());
            }
            try (WrappedArena<PoisonOnFree> poisoned = PoisonOnFree.over(BumpArena.over(range));
                 WrappedArena<Quarantine> ignored = null) {
                MemorySegment s = poisoned.allocate(16, 8);
                assertTrue(poisoned.owns(s));
                poisoned.deallocate(s);
                assertEquals(PoisonOnFree.DEFAULT_POISON, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                        "a bump arena's block is poisoned when freed");
                assertFalse(poisoned.freesIndividually());
            }
            try (WrappedArena<Quarantine> held = Quarantine.over(BumpArena.over(range), 4, 1 << 20)) {
                MemorySegment s = held.allocate(16, 8);
                held.deallocate(s);
                assertEquals(1, held.wrapper().heldBlocks());
            }
        }
    }
}
