package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A failure in one step of a close never leaves a range held or its bytes readable by the next user. */
class ClosePathTest {

    /** A policy that always fails, as one over a range it cannot write would. */
    private static final ResetPolicy FAILING = (region, offset, length) -> {
        throw new IllegalStateException("injected policy failure");
    };

    @Test
    void aBumpArenaWhosePolicyFailsShouldStillReleaseItsRangeAndLeaveItZeroed() {
        NativeBacked range = NativeBacked.allocate(64 << 10);
        BumpArena arena = BumpArena.builder(range).resetPolicy(FAILING).build();
        arena.allocate(4096, 8).fill((byte) 7);
        IllegalStateException e = assertThrows(IllegalStateException.class, arena::close);
        assertEquals("injected policy failure", e.getMessage());
        assertEquals(0, range.lifetime().holders(), "released though the policy failed");
        try (BumpArena next = BumpArena.over(range)) {
            MemorySegment fresh = next.allocate(4096, 8);
            assertEquals(-1, fresh.mismatch(MemorySegment.ofArray(new byte[4096])), "zeroed in place instead");
        }
        range.close();
    }

    @Test
    void aSharedBumpArenaWhosePolicyFailsShouldStillReleaseItsRangeAndLeaveItZeroed() {
        NativeBacked range = NativeBacked.allocate(256 << 10);
        SharedBumpArena arena = SharedBumpArena.builder(range).resetPolicy(FAILING).build();
        arena.allocate(4096, 8).fill((byte) 7);
        assertThrows(IllegalStateException.class, arena::close);
        assertEquals(0, range.lifetime().holders());
        assertThrows(IllegalStateException.class, () -> arena.allocate(8, 8), "closed all the same");
        try (BumpArena next = BumpArena.over(range)) {
            assertEquals(-1, next.allocate(4096, 8).mismatch(MemorySegment.ofArray(new byte[4096])));
        }
        range.close();
    }

    @Test
    void aFailedResetShouldKeepTheUsedBytesAllocatedUntilALaterResetSucceeds() {
        boolean[] fail = {true};
        ResetPolicy flaky = (region, offset, length) -> {
            if (fail[0]) {
                throw new IllegalStateException("injected");
            }
            return ResetPolicy.zeroAll().reset(region, offset, length);
        };
        try (NativeBacked range = NativeBacked.allocate(64 << 10);
             BumpArena arena = BumpArena.builder(range).resetPolicy(flaky).build()) {
            arena.allocate(4096, 8).fill((byte) 1);
            assertThrows(IllegalStateException.class, arena::reset);
            MemorySegment after = arena.allocate(4096, 8);
            assertEquals(-1, after.mismatch(MemorySegment.ofArray(new byte[4096])), "never the old bytes");
            fail[0] = false;
            arena.reset();
            assertEquals(0, arena.allocated());
        }
    }

    @Test
    void anUncheckedSharedArenaShouldRefuseAllocationAfterCloseFromAThreadHoldingAChunk() {
        NativeBacked range = NativeBacked.allocate(1 << 20);
        SharedBumpArena arena = SharedBumpArena.builder(range).unchecked().build();
        arena.allocate(16, 8);
        arena.close();
        assertThrows(IllegalStateException.class, () -> arena.allocate(16, 8));
        assertThrows(IllegalStateException.class, () -> arena.tryAllocate(16, 8));
        try (BumpArena next = BumpArena.over(range)) {
            next.allocate(64, 8).set(JAVA_LONG, 0, 42);
        }
        range.close();
    }
}
