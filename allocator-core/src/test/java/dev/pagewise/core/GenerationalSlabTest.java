package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GenerationalSlab: handles that resolve while live, and never again once stale, even past the last generation. */
class GenerationalSlabTest {

    @Test
    void aHandleShouldResolveWhileLiveAndFailOnceStale() {
        try (NativeBacked range = NativeBacked.allocate(4 * 64)) {
            GenerationalSlab slab = GenerationalSlab.over(range, 64);
            long h = slab.allocateHandle();
            assertNotEquals(GenerationalSlab.NO_HANDLE, h);
            assertEquals(0, GenerationalSlab.slotOf(h));
            assertEquals(1, GenerationalSlab.generationOf(h));
            MemorySegment s = slab.resolve(h);
            assertEquals(64, s.byteSize());
            s.set(JAVA_LONG, 0, 42);
            assertEquals(42, slab.resolve(h).get(JAVA_LONG, 0));
            slab.free(h);
            assertFalse(slab.isLive(h));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> slab.resolve(h));
            assertTrue(e.getMessage().contains("stale handle 0x100000000 (slot 0, generation 1): slot 0 is at generation 1, free"),
                    e.getMessage());
            long h2 = slab.allocateHandle();
            assertEquals(0, GenerationalSlab.slotOf(h2));
            assertEquals(2, GenerationalSlab.generationOf(h2));
            assertEquals(0, slab.resolve(h2).get(JAVA_LONG, 0), "zeroed on free");
            e = assertThrows(IllegalArgumentException.class, () -> slab.free(h));
            assertTrue(e.getMessage().contains("slot 0 is at generation 2, live"), e.getMessage());
            assertTrue(slab.isLive(h2), "a rejected free changed nothing");
            assertThrows(IllegalArgumentException.class, () -> slab.resolve(GenerationalSlab.NO_HANDLE));
            assertThrows(IllegalArgumentException.class, () -> slab.resolve(3L << 32 | 3), "never handed out");
            assertThrows(IllegalArgumentException.class, () -> slab.resolve(-1L));
            slab.close();
            assertThrows(IllegalStateException.class, () -> slab.resolve(h2));
            assertThrows(IllegalStateException.class, () -> slab.free(h2));
            assertThrows(IllegalStateException.class, slab::allocateHandle);
            assertThrows(IllegalStateException.class, () -> s.get(JAVA_BYTE, 0), "segments die on close");
            assertFalse(slab.isLive(h2));
        }
    }

    @Test
    void wrapAroundShouldNeverMakeAStaleHandleValidAgain() {
        for (int bits = 1; bits <= 3; bits++) {
            try (NativeBacked range = NativeBacked.allocate(64)) {
                GenerationalSlab slab = GenerationalSlab.builder(range, 64).generationBits(bits).build();
                List<Long> old = new ArrayList<>();
                int uses = 0;
                for (int i = 0; i < (1 << bits) + 3; i++) {
                    long h = slab.tryAllocateHandle();
                    if (h == GenerationalSlab.NO_HANDLE) {
                        break;
                    }
                    uses++;
                    assertFalse(old.contains(h), "a handle repeats: 0x" + Long.toHexString(h));
                    slab.free(h);
                    old.add(h);
                    for (long stale : old) {
                        assertThrows(IllegalArgumentException.class, () -> slab.resolve(stale));
                        assertThrows(IllegalArgumentException.class, () -> slab.free(stale));
                        assertFalse(slab.isLive(stale));
                    }
                }
                assertEquals((1 << bits) - 1, uses, "each slot serves 2^bits - 1 uses at " + bits + " bits");
                assertEquals(1, slab.retiredSlots());
                assertThrows(AllocationFailedException.class, slab::allocateHandle);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> slab.resolve(old.getLast()));
                assertTrue(e.getMessage().contains("retired"), e.getMessage());
                slab.close();
            }
        }
    }

    @Test
    void badBuildsShouldBeRejected() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            assertThrows(IllegalArgumentException.class, () -> GenerationalSlab.builder(range, 0));
            assertThrows(IllegalArgumentException.class, () -> GenerationalSlab.builder(range, 64).generationBits(0));
            assertThrows(IllegalArgumentException.class, () -> GenerationalSlab.builder(range, 64).generationBits(32));
            assertThrows(IllegalArgumentException.class, () -> GenerationalSlab.over(range, 8192));
            GenerationalSlab.over(range, 64).close();
        }
    }

    @Test
    void theListenerShouldHearAndMayRefuse() {
        AtomicInteger allocs = new AtomicInteger();
        AtomicInteger frees = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        boolean[] refuse = {false};
        AllocationListener l = new AllocationListener() {
            @Override
            public String onPreAllocation(long byteSize, long byteAlignment) {
                return refuse[0] ? "no" : null;
            }

            @Override
            public void onAllocation(MemorySegment segment) {
                allocs.incrementAndGet();
            }

            @Override
            public void onRelease(MemorySegment segment) {
                frees.incrementAndGet();
            }

            @Override
            public void onClose() {
                closes.incrementAndGet();
            }
        };
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            GenerationalSlab slab = GenerationalSlab.builder(range, 64).listener(l).build();
            slab.free(slab.allocateHandle());
            refuse[0] = true;
            assertEquals(GenerationalSlab.NO_HANDLE, slab.tryAllocateHandle());
            slab.close();
            assertEquals(1, allocs.get());
            assertEquals(1, frees.get());
            assertEquals(1, closes.get());
        }
    }

    @Test
    void closeShouldZeroTheSlotsAndWithoutZeroingShouldKeepBytes() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            GenerationalSlab slab = GenerationalSlab.builder(range, 64).withoutZeroing().build();
            long h = slab.allocateHandle();
            slab.resolve(h).fill((byte) 9);
            slab.free(h);
            long h2 = slab.allocateHandle();
            assertEquals(9, slab.resolve(h2).get(JAVA_BYTE, 63));
            slab.close();
            assertEquals(-1, range.segment().asSlice(0, 64).mismatch(MemorySegment.ofArray(new byte[64])));
        }
    }

    @Test
    void aRefusedAllocationShouldNotRefundTheBudget() {
        // A refusal reserved nothing; undoing it gave budget back, so the slab grew past the limit.
        try (NativeBacked range = NativeBacked.allocate(16 * 64)) {
            Budget budget = Budget.root("slots", 2 * 64);
            GenerationalSlab slab = GenerationalSlab.builder(range, 64).listener(Limit.of(budget)).build();
            for (int i = 0; i < 10; i++) {
                slab.tryAllocateHandle();
                assertTrue(budget.used() >= 0 && budget.used() <= budget.limit(), "used " + budget.used());
            }
            assertEquals(2, slab.liveSlots());
            assertEquals(2 * 64, budget.used());
            slab.close();
            assertEquals(0, budget.used());
        }
    }

    @Test
    void aHugeSlotSizeShouldBeRefusedByName() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GenerationalSlab.over(range, Long.MAX_VALUE - 3));
            assertTrue(e.getMessage().contains("slotSize"), e.getMessage());
        }
    }
}
