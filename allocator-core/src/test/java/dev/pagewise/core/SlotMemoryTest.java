package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The slab family's shared memory and live-slot bitmap: the close order each slab relies on. */
class SlotMemoryTest {

    private static final RuntimeException REFUSED = new RuntimeException("listener refuses the close");

    private static final AllocationListener FAILS_ON_CLOSE = new AllocationListener() {
        @Override
        public void onClose() {
            throw REFUSED;
        }
    };

    @Test
    void aSlabWhoseListenerFailsAtCloseShouldStillZeroAndReleaseItsRange() {
        closeFailsButReleases(range -> Slab.over(range, 64, FAILS_ON_CLOSE));
        closeFailsButReleases(range -> ExtendableSlab.builder(range, 64).listener(FAILS_ON_CLOSE).build());
    }

    private static <S extends Allocator & AutoCloseable> void closeFailsButReleases(Function<FixedRange, S> slabOver) {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            S slab = slabOver.apply(range);
            MemorySegment block = slab.allocate(64, 8);
            block.fill((byte) 0x5A);
            RuntimeException e = assertThrows(RuntimeException.class, slab::close);
            assertSame(REFUSED, e);
            assertThrows(IllegalStateException.class, () -> block.get(JAVA_BYTE, 0),
                    "the slab's segments end with it");
            assertEquals(-1, range.segment().asSlice(0, 64).mismatch(MemorySegment.ofArray(new byte[64])),
                    "the used slot reads zero again");
            try (Slab next = Slab.over(range, 64)) {
                assertEquals(0, next.liveSlots(), "the range was released: another slab takes it");
            }
        }
    }

    @Test
    void aGenerationalSlabWhoseListenerFailsAtCloseShouldStillReleaseItsRange() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            GenerationalSlab slab = GenerationalSlab.builder(range, 64).listener(FAILS_ON_CLOSE).build();
            slab.resolve(slab.allocateHandle()).fill((byte) 0x5A);
            assertSame(REFUSED, assertThrows(RuntimeException.class, slab::close));
            assertEquals(-1, range.segment().asSlice(0, 64).mismatch(MemorySegment.ofArray(new byte[64])));
            Slab.over(range, 64).close();
        }
    }

    @Test
    void aSecondSlabOverAHeldRangeShouldBeRefusedAndLeaveTheFirstWorking() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab first = Slab.over(range, 64)) {
            assertThrows(IllegalStateException.class, () -> OwnedSlab.over(range, 64));
            assertThrows(IllegalStateException.class, () -> HardenedSlab.over(range, 64));
            MemorySegment block = first.allocate(64, 8);
            assertTrue(first.owns(block));
        }
    }

    @Test
    void liveBitsShouldStayApartAcrossWords() {
        long[] live = new long[LiveSlots.words(129)];
        assertEquals(3, live.length);
        for (long index : new long[] {0, 63, 64, 128}) {
            LiveSlots.set(live, index);
        }
        for (long index = 0; index < 129; index++) {
            boolean set = index == 0 || index == 63 || index == 64 || index == 128;
            assertEquals(set, LiveSlots.isLive(live, index), "slot " + index);
            assertEquals(set, LiveSlots.isLiveOpaque(live, index), "slot " + index);
        }
        LiveSlots.clear(live, 63);
        assertFalse(LiveSlots.isLive(live, 63));
        assertTrue(LiveSlots.isLive(live, 64));
        assertTrue(LiveSlots.clearAtomic(live, 64));
        assertFalse(LiveSlots.clearAtomic(live, 64), "a second clear finds the slot free");
        assertTrue(LiveSlots.isLive(live, 0));
    }

    @Test
    void ofTwoThreadsClearingOneSlotExactlyOneShouldSeeItLive() throws Exception {
        long[] live = new long[1];
        for (int round = 0; round < 200; round++) {
            LiveSlots.setAtomic(live, 5);
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicInteger cleared = new AtomicInteger();
            Runnable clear = () -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                if (LiveSlots.clearAtomic(live, 5)) {
                    cleared.incrementAndGet();
                }
                LiveSlots.setAtomic(live, 6);
            };
            Thread other = Thread.ofPlatform().start(clear);
            clear.run();
            other.join();
            assertEquals(1, cleared.get(), "round " + round);
            assertTrue(LiveSlots.isLive(live, 6), "a neighbour's bit survives");
        }
    }
}
