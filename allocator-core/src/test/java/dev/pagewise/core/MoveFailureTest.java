package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A move that fails part-way loses no block. */
class MoveFailureTest {

    private static final long MIB = 1 << 20;

    /** A listener whose {@code onRelease} throws once. */
    private static final class ThrowingRelease implements AllocationListener {
        final AtomicInteger throwsLeft = new AtomicInteger(1);

        @Override
        public void onRelease(MemorySegment segment) {
            if (throwsLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("listener failed");
            }
        }
    }

    @Test
    void aMoveWhoseFreeWasHeardFailingShouldStillHandOutTheNewBlock() {
        try (NativeBacked range = NativeBacked.allocate(8 * MIB);
             SizeClassed sc = SizeClassed.builder(range).listener(new ThrowingRelease()).build()) {
            MemorySegment a = sc.allocate(16, 8);
            a.fill((byte) 7);
            MemorySegment moved = sc.reallocate(a, 1000); // the old block is freed, then the listener throws
            assertEquals(1000, moved.byteSize());
            assertEquals(7, moved.get(JAVA_BYTE, 15));
            assertTrue(sc.owns(moved));
            assertFalse(sc.owns(a));
            assertEquals(1, sc.liveBlocks(), "no block lost");
        }
    }

    @Test
    void aFallbackMoveWhoseFreeWasHeardFailingShouldStillHandOutTheNewBlock() {
        try (NativeBacked small = NativeBacked.allocate(1 << 16); NativeBacked large = NativeBacked.allocate(8 * MIB);
             Slab slab = Slab.over(small, 64, new ThrowingRelease()); SizeClassed sc = SizeClassed.over(large)) {
            WithFallback both = WithFallback.of(slab, sc);
            MemorySegment a = both.allocate(16, 8);
            a.fill((byte) 9);
            MemorySegment moved = both.reallocate(a, 1000);
            assertEquals(9, moved.get(JAVA_BYTE, 15));
            assertTrue(sc.owns(moved));
            assertEquals(0, slab.liveSlots());
        }
    }

    @Test
    void aCorruptionFoundDuringAMoveShouldBeThrownAndTheNewBlockNotLost() {
        try (NativeBacked range = NativeBacked.allocate(8 * MIB); SizeClassed sc = SizeClassed.over(range)) {
            Quarantine quarantine = Quarantine.over(sc, 1, 1 << 20);
            MemorySegment freed = quarantine.allocate(64, 8);
            quarantine.deallocate(freed);
            freed.fill((byte) 1); // a write after free, found when the block leaves quarantine
            MemorySegment a = quarantine.allocate(16, 8);
            // the old block goes into quarantine and pushes the corrupted one out: the check throws
            assertThrows(MemoryCorruptionException.class, () -> quarantine.reallocate(a, 1000));
            assertFalse(quarantine.owns(a));
            // left live in the size classes: the corrupted block (never freed) and the new one, freed into
            // quarantine rather than lost; the old block went back
            assertEquals(2, sc.liveBlocks());
            assertEquals(1, quarantine.heldBlocks());
        }
    }
}
