package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shrink in place that gives nothing back to the arena keeps its bytes charged: no loop escapes a Limit. */
class ShrinkAccountingTest {

    private static final long MIB = 1 << 20;

    /**
     * {@code a = allocate(1 MiB); allocate(1); reallocate(a, 0)}: the shrink gives nothing back (a is not the last
     * block, or the arena is shared), so the budget must keep charging it.
     */
    private static void shrinkLoopShouldNotEscapeTheLimit(Budget budget, Allocator allocator) {
        long held = 0;
        for (int i = 0; i < 32; i++) {
            MemorySegment a;
            try {
                a = allocator.allocate(MIB, 1);
                held += MIB;
                allocator.allocate(1, 1);
                held += 1;
            } catch (AllocationFailedException e) {
                assertTrue(e.getMessage().contains("budget"), "refused by the budget, not the full arena: " + e);
                break;
            }
            allocator.reallocate(a, 0);
            assertTrue(budget.used() >= held, "iteration " + i + ": the arena holds " + held + " bytes, the budget "
                    + "charges " + budget.used());
            assertTrue(budget.used() <= budget.limit());
        }
    }

    @Test
    void aBumpArenaShrinkThatKeepsItsBytesShouldKeepThemCharged() {
        try (NativeBacked range = NativeBacked.allocate(16 * MIB)) {
            Budget budget = Budget.root("bump", 4 * MIB);
            try (BumpArena arena = BumpArena.builder(range).listener(Limit.of(budget)).build()) {
                shrinkLoopShouldNotEscapeTheLimit(budget, arena);
                MemorySegment last = arena.allocate(1000, 1);
                long before = budget.used();
                arena.reallocate(last, 10);
                assertEquals(before - 990, budget.used(), "the last block's shrink does give its tail back");
            }
        }
    }

    @Test
    void aSharedBumpArenaShrinkShouldKeepItsBytesCharged() {
        try (NativeBacked range = NativeBacked.allocate(16 * MIB)) {
            Budget budget = Budget.root("shared", 4 * MIB);
            try (SharedBumpArena arena = SharedBumpArena.builder(range).listener(Limit.of(budget)).build()) {
                shrinkLoopShouldNotEscapeTheLimit(budget, arena);
            }
        }
    }

    @Test
    void anObservedBumpArenaShrinkShouldKeepItsBytesCharged() {
        try (NativeBacked range = NativeBacked.allocate(16 * MIB); BumpArena arena = BumpArena.over(range)) {
            Budget budget = Budget.root("observed", 4 * MIB);
            shrinkLoopShouldNotEscapeTheLimit(budget, Observed.over((Allocator) arena, Limit.of(budget)));
        }
    }

    @Test
    void anObservedCanaryOverABumpArenaShrinkShouldKeepItsBytesCharged() {
        // the canary's whole block (guards included) shrinks in the arena: it too gives nothing back
        try (NativeBacked range = NativeBacked.allocate(16 * MIB); BumpArena arena = BumpArena.over(range)) {
            Budget budget = Budget.root("canary", 4 * MIB);
            shrinkLoopShouldNotEscapeTheLimit(budget, Observed.over(Canary.over((Allocator) arena), Limit.of(budget)));
        }
    }
}
