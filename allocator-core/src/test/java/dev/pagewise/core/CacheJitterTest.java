package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocks land at seeded offsets within the window, aligned, and their frees go back to the whole inner block. */
class CacheJitterTest {

    /** Requests {@code count} blocks of varied alignment; {@return each block's offset inside its inner block} */
    private static List<Long> offsets(long seed, long window, int count) {
        try (NativeBacked range = NativeBacked.allocate(1 << 20); BumpArena arena = BumpArena.over(range)) {
            List<MemorySegment> wholes = new ArrayList<>();
            Observed heard = Observed.over((Allocator) arena, new AllocationListener() {
                @Override
                public void onAllocation(MemorySegment segment) {
                    wholes.add(segment);
                }
            });
            CacheJitter jitter = CacheJitter.seeded(heard, window, seed);
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long alignment = 1L << (i % 7);
                long size = 1 + i % 100;
                MemorySegment block = jitter.allocate(size, alignment);
                MemorySegment whole = wholes.getLast();
                long offset = block.address() - whole.address();
                assertEquals(0, block.address() % alignment, "aligned");
                assertTrue(offset >= 0 && offset <= window && offset % alignment == 0, "offset " + offset);
                assertTrue(offset + size <= whole.byteSize(), "inside its block");
                assertEquals(window - window % alignment + size, whole.byteSize(), "the window, rounded down to the alignment");
                offsets.add(offset);
            }
            return offsets;
        }
    }

    @Test
    void theSameSeedShouldGiveTheSameOffsetsWithinTheWindow() {
        List<Long> first = offsets(42, 256, 200);
        assertEquals(first, offsets(42, 256, 200));
        assertNotEquals(first, offsets(43, 256, 200));
        assertTrue(first.stream().distinct().count() > 8, "the offsets vary: " + first);
        assertTrue(offsets(42, 0, 50).stream().allMatch(o -> o == 0), "no window, no jitter");
    }

    @Test
    void aFreeShouldGiveTheWholeBlockBackAndAnythingElseShouldBeRefused() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 1024)) {
            CacheJitter jitter = CacheJitter.over(slab, 512);
            MemorySegment block = jitter.allocate(100, 8);
            MemorySegment other = jitter.allocate(0, 1);
            assertEquals(2, slab.liveSlots());
            assertTrue(jitter.owns(block));
            assertTrue(jitter.owns(other));
            assertFalse(jitter.owns(block.asSlice(0, 50)), "owns is exact");
            assertThrows(IllegalArgumentException.class, () -> jitter.deallocate(block.asSlice(8, 8)));
            assertThrows(IllegalArgumentException.class, () -> jitter.deallocate(block.asSlice(0, 99)));
            // the range's last bytes: a slot the slab never handed out (slot 0's first bytes could be the block itself,
            // when the jitter happens to be 0)
            assertThrows(IllegalArgumentException.class,
                    () -> jitter.deallocate(range.segment().asSlice(range.byteSize() - 100, 100)));
            assertEquals(2, slab.liveSlots(), "refused frees change nothing");
            jitter.deallocate(block);
            assertEquals(1, slab.liveSlots(), "the slot went back");
            assertFalse(jitter.owns(block));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> jitter.deallocate(block));
            assertTrue(e.getMessage().startsWith("not a live block of this CacheJitter: 0x"), e.getMessage());
            jitter.deallocate(other);
            assertEquals(0, slab.liveSlots());
            assertNull(jitter.tryAllocate(1024, 8), "a block plus its window larger than a slot finds no room");
            assertNull(jitter.tryAllocate(Long.MAX_VALUE, 8));
            assertThrows(AllocationFailedException.class, () -> jitter.allocate(Long.MAX_VALUE, 8));
            assertEquals(0, slab.liveSlots());
        }
    }

    @Test
    void overAnArenaItShouldStayAnArenaThatResets() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            ResettableWrappedArena<CacheJitter> arena = CacheJitter.over(BumpArena.over(range), 128);
            MemorySegment block = arena.allocate(64, 8);
            assertTrue(arena.wrapper().owns(block));
            arena.reset();
            assertFalse(arena.wrapper().owns(block), "a reset forgets every block");
            arena.allocate(64, 8);
            arena.close();
            assertEquals(0, range.lifetime().holders(), "closing the wrapper closed the arena");
        }
    }

    @Test
    void badWindowsShouldBeRefused() {
        try (NativeBacked range = NativeBacked.allocate(4096); BumpArena arena = BumpArena.over(range)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheJitter.over(arena, -1));
            assertEquals("window must be between 0 and 2^40 bytes: -1", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CacheJitter.seeded(arena, (1L << 40) + 1, 1));
            assertThrows(NullPointerException.class, () -> CacheJitter.over((Allocator) null, 64));
            assertEquals(64, CacheJitter.over((Allocator) arena, 64).window());
        }
    }
}
