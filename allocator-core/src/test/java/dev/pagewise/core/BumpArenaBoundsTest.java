package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The edges of a bump over committed memory, where the fast path skips the capacity checks. */
class BumpArenaBoundsTest {

    private static final long CAPACITY = 64 << 10;

    @Test
    void aBumpShouldFillTheCapacityExactlyAndRefuseEveryRequestPastIt() {
        try (NativeBacked range = NativeBacked.allocate(CAPACITY);
             BumpArena arena = BumpArena.builder(range).build()) {
            MemorySegment first = arena.allocate(CAPACITY - 64, 1);
            assertNull(arena.tryAllocate(65, 1), "one byte past the capacity");
            assertNull(arena.tryAllocate(Long.MAX_VALUE, 1), "a size whose end overflows");
            assertNull(arena.tryAllocate(1, 1L << 62), "an alignment that lands past the capacity");
            assertNull(arena.tryAllocate(8, 128), "an alignment that pushes the block past the capacity");
            assertThrows(AllocationFailedException.class, () -> arena.allocate(65, 1));
            assertEquals(CAPACITY - 64, arena.allocated(), "refused requests change nothing");
            MemorySegment last = arena.allocate(64, 64);
            assertEquals(first.address() + CAPACITY - 64, last.address(), "the last 64 bytes, exactly");
            assertNull(arena.tryAllocate(1, 1), "full");
            assertEquals(0, arena.allocate(0, 1).byteSize(), "an empty block still fits");
        }
    }

    /** A range that says more is committed than it holds (only code with native access can pass one). */
    @Test
    void aBumpShouldKeepToTheCapacityWhenTheRangeReportsMoreCommitted() {
        try (NativeBacked inner = NativeBacked.allocate(2 * CAPACITY)) {
            FixedRange lying = new FixedRange() {
                @Override
                public MemorySegment segment() {
                    return inner.segment().asSlice(0, CAPACITY);
                }

                @Override
                public long byteSize() {
                    return CAPACITY;
                }

                @Override
                public long committed() {
                    return 2 * CAPACITY;
                }

                @Override
                public void commit(long offset, long length) {
                }

                @Override
                public Lifetime lifetime() {
                    return inner.lifetime();
                }
            };
            try (BumpArena arena = BumpArena.builder(lying).build()) {
                assertNull(arena.tryAllocate(CAPACITY + 1, 1), "past the capacity, inside what the range reports");
                assertEquals(CAPACITY, arena.allocate(CAPACITY, 1).byteSize());
                assertNull(arena.tryAllocate(1, 1), "full");
            }
        }
    }
}
