package dev.pagewise.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WithFallbackTest {

    /** A primary that is never full and never asked with allocate(): a miss must cost no exception. */
    private static final class AlwaysFull implements Allocator {
        int tries;

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            throw new AssertionError("the primary was asked with allocate, not tryAllocate");
        }

        @Override
        public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
            tries++;
            return null;
        }

        @Override
        public boolean owns(MemorySegment segment) {
            return false;
        }

        @Override
        public long capacity() {
            return Long.MAX_VALUE;
        }
    }

    @Test
    void aPrimaryMissShouldBeAskedWithTryAllocateAndFallThrough() {
        try (NativeBacked memory = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(memory, 1024)) {
            AlwaysFull full = new AlwaysFull();
            WithFallback allocator = WithFallback.of(full, slab);
            MemorySegment block = allocator.allocate(100, 8);
            assertEquals(1, full.tries);
            assertTrue(slab.owns(block));
            assertEquals(Long.MAX_VALUE, allocator.capacity(), "the sum saturates");
        }
    }

    @Test
    void aChainOfThreeShouldServeFromTheFirstWithRoomAndFreeToTheOwner() {
        try (NativeBacked a = NativeBacked.allocate(64 << 10); NativeBacked b = NativeBacked.allocate(64 << 10);
             NativeBacked c = NativeBacked.allocate(1 << 20);
             BumpArena arena = BumpArena.over(a); Slab small = Slab.over(b, 4096); Slab large = Slab.over(c, 256 << 10)) {
            WithFallback chain = WithFallback.of(arena, small, large);
            assertSame(arena, chain.primary());
            MemorySegment fromArena = chain.allocate(61 << 10);
            MemorySegment fromSmall = chain.allocate(4096);       // the arena has 3 KiB left
            MemorySegment fromLarge = chain.allocate(100 << 10);
            assertTrue(arena.owns(fromArena) && small.owns(fromSmall) && large.owns(fromLarge));
            assertTrue(chain.owns(fromArena) && chain.owns(fromSmall) && chain.owns(fromLarge));
            assertTrue(chain.freesIndividually());

            chain.deallocate(fromLarge);
            assertFalse(large.owns(fromLarge), "freed to the slab that owns it");
            chain.deallocate(fromArena);                          // the arena ignores single frees
            assertTrue(arena.owns(fromArena));
            assertThrows(IllegalArgumentException.class, () -> chain.deallocate(fromLarge), "double free");
            assertTrue(small.owns(fromSmall), "a refused free changes nothing");

            AllocationFailedException full = assertThrows(AllocationFailedException.class, () -> chain.allocate(1 << 20));
            assertTrue(full.getMessage().startsWith("WithFallback[BumpArena["), full.getMessage());
            assertNull(chain.tryAllocate(1 << 20, 1));
        }
    }

    @Test
    void badArgumentsShouldBeRejected() {
        try (NativeBacked memory = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(memory, 1024)) {
            assertThrows(NullPointerException.class, () -> WithFallback.of(null, slab));
            assertThrows(NullPointerException.class, () -> WithFallback.of(slab, null));
            IllegalArgumentException same = assertThrows(IllegalArgumentException.class, () -> WithFallback.of(slab, slab));
            assertTrue(same.getMessage().contains("same allocator"), same.getMessage());
            assertThrows(IllegalArgumentException.class, () -> WithFallback.of(new AlwaysFull(), slab, slab));
            assertThrows(NullPointerException.class, () -> WithFallback.of(new AlwaysFull(), slab, (Allocator) null));
            WithFallback allocator = WithFallback.of(new AlwaysFull(), slab);
            assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 3));
            assertThrows(NullPointerException.class, () -> allocator.deallocate(null));
            assertEquals(0, slab.liveSlots());
        }
    }

    /**
     * Against a model of which part holds each live block: random allocations and frees over a small slab backed
     * by a larger one never overlap, always land in the first part with room, and free to their owner.
     */
    @Property(tries = 200)
    void blocksShouldComeFromTheFirstPartWithRoomAndGoBackToTheirOwner(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3000) Integer> steps) {
        try (NativeBacked a = NativeBacked.allocate(8 * 256); NativeBacked b = NativeBacked.allocate(16 * 2048);
             Slab small = Slab.over(a, 256); Slab large = Slab.over(b, 2048)) {
            WithFallback chain = WithFallback.of(small, large);
            List<MemorySegment> live = new ArrayList<>();
            for (int step : steps) {
                if (step % 3 == 0 && !live.isEmpty()) {
                    MemorySegment freed = live.remove(step % live.size());
                    Slab owner = small.owns(freed) ? small : large;
                    chain.deallocate(freed);
                    assertFalse(owner.owns(freed));
                    continue;
                }
                int size = 1 + step % 2048;
                boolean smallHasRoom = size <= 256 && small.liveSlots() < small.slotCount();
                boolean largeHasRoom = large.liveSlots() < large.slotCount();
                MemorySegment block = chain.tryAllocate(size, 8);
                if (!smallHasRoom && !largeHasRoom) {
                    assertNull(block);
                    continue;
                }
                assertNotNull(block);
                assertTrue(smallHasRoom ? small.owns(block) : large.owns(block), "first part with room");
                for (MemorySegment other : live) {
                    assertTrue(block.address() + block.byteSize() <= other.address()
                            || other.address() + other.byteSize() <= block.address(), "disjoint");
                }
                live.add(block);
            }
            assertEquals(live.size(), small.liveSlots() + large.liveSlots());
        }
    }
}
