package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listened slabs hear a block as it is now and refuse a stale or sliced segment of it. */
class BlockSizeTest {

    private static final long MIB = 1 << 20;

    /** The stale segment of a block resized in place, and a slice of a block, are refused; counts stay exact. */
    private static void staleAndSlicedSegmentsShouldBeRefused(Function<AllocationListener, Allocator> make) {
        Budget budget = Budget.root("slots", 1 << 20);
        Statistics stats = Statistics.create();
        LeakTracking leaks = LeakTracking.paranoid();
        Allocator allocator = make.apply(AllocationListener.of(Limit.of(budget), stats, leaks));
        MemorySegment a = allocator.allocate(64, 8);
        MemorySegment a8 = allocator.reallocate(a, 8);
        assertEquals(8, a8.byteSize());
        if (a8.address() == a.address()) { // resized in place: the 64-byte segment is stale, not a free
            assertThrows(IllegalArgumentException.class, () -> allocator.deallocate(a));
            assertThrows(IllegalArgumentException.class, () -> allocator.reallocate(a, 16));
        }
        assertEquals(8, budget.used());
        assertEquals(8, stats.snapshot().bytesLive());
        MemorySegment b = allocator.allocate(64, 8);
        MemorySegment slice = b.asSlice(0, 32);
        assertThrows(IllegalArgumentException.class, () -> allocator.deallocate(slice));
        assertThrows(IllegalArgumentException.class, () -> allocator.reallocate(slice, 16));
        assertEquals(72, budget.used(), "a refused free or resize changes nothing");
        assertEquals(72, stats.snapshot().bytesLive());
        allocator.deallocate(a8);
        allocator.deallocate(b);
        assertEquals(0, budget.used());
        assertEquals(0, stats.snapshot().bytesLive());
        assertTrue(leaks.leaks().isEmpty(), "no phantom record: " + leaks.leaks());
        assertFalse(allocator.owns(b));
    }

    @Test
    void aListenedSlabShouldRefuseStaleAndSlicedSegments() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16)) {
            Slab[] slab = new Slab[1];
            staleAndSlicedSegmentsShouldBeRefused(l -> slab[0] = Slab.over(range, 64, l));
            slab[0].close();
        }
    }

    @Test
    void aListenedSizeClassedShouldRefuseStaleAndSlicedSegments() {
        try (NativeBacked range = NativeBacked.allocate(8 * MIB)) {
            SizeClassed[] sc = new SizeClassed[1];
            staleAndSlicedSegmentsShouldBeRefused(l -> sc[0] = SizeClassed.builder(range).listener(l).build());
            sc[0].close();
        }
    }

    @Test
    void aListenedExtendableSlabShouldRefuseSlicedSegmentsAndLoseNoBlock() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            ExtendableSlab[] slab = new ExtendableSlab[1];
            staleAndSlicedSegmentsShouldBeRefused(l -> slab[0] = ExtendableSlab.builder(range, 64).listener(l).build());
            // the refused reallocate of a slice moved nothing: the block it allocated was freed again
            assertEquals(0, slab[0].liveSlots());
            slab[0].close();
        }
    }
}
