package dev.pagewise.core;

import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlabTest {

    @Test
    void shouldReuseFreedSlotsZeroed() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 64)) {
            MemorySegment a = slab.allocate(64, 8);
            a.fill((byte) 0x77);
            slab.deallocate(a);
            MemorySegment b = slab.allocate(64, 8);
            assertEquals(a.address(), b.address(), "LIFO reuse");
            assertEquals(-1, b.mismatch(MemorySegment.ofArray(new byte[64])), "reused slot reads zero");
        }
    }

    @Test
    void shouldDetectDoubleFree() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 64)) {
            MemorySegment a = slab.allocate(64, 8);
            slab.deallocate(a);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a));
            assertTrue(e.getMessage().startsWith("double free of slot 0"), e.getMessage());
            assertEquals(0, slab.liveSlots());
        }
    }

    @Test
    void shouldDetectForeignAndMisalignedPointers() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 64);
             Arena arena = Arena.ofConfined()) {
            MemorySegment a = slab.allocate(64, 8);
            assertThrows(IllegalArgumentException.class, () -> slab.deallocate(arena.allocate(64)));
            assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a.asSlice(8)));
            assertThrows(IllegalArgumentException.class,
                    () -> slab.deallocate(MemorySegment.ofAddress(a.address()).reinterpret(65)));
            assertEquals(1, slab.liveSlots(), "rejected frees change nothing");
        }
    }

    @Test
    void requestsThatDoNotFitASlotShouldFindNoRoom() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 48)) {
            assertEquals(16, slab.slotAlignment());
            assertThrows(dev.pagewise.core.AllocationFailedException.class, () -> slab.allocate(49, 8));
            assertEquals(null, slab.tryAllocate(8, 32));
            assertEquals(0, slab.liveSlots(), "nothing changed");
            assertThrows(IllegalArgumentException.class, () -> slab.allocate(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> Slab.over(range, 0));
        }
    }

    @Test
    void shouldFillExactlyAndFailWhenFull() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 1024)) {
            for (int i = 0; i < 4; i++) {
                slab.allocate(1024, 8).set(JAVA_LONG, 1016, i);
            }
            assertNull(slab.tryAllocate(8, 8));
            assertThrows(dev.pagewise.core.AllocationFailedException.class, () -> slab.allocate(8, 8));
            assertEquals(4, slab.liveSlots());
        }
    }

    @Test
    void sizeClassesShouldBePowersOfTwoAndHalfSteps() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            SizeClassed sc = SizeClassed.builder(range).maxClassSize(256).build();
            assertArrayEquals(new long[] {16, 24, 32, 48, 64, 96, 128, 192, 256}, sc.classSizes());
            assertEquals(24, sc.allocate(17, 1).byteSize() + 7);
            sc.close();
        }
    }

    @Test
    void sizeClassedShouldRouteLargeRequestsAndFrees() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20); NativeBacked big = NativeBacked.allocate(1 << 20)) {
            Slab large = Slab.over(big, 64 << 10);
            SizeClassed sc = SizeClassed.builder(range).maxClassSize(4096).large(large).build();
            MemorySegment small = sc.allocate(100, 8);
            MemorySegment huge = sc.allocate(10_000, 8);
            assertTrue(range.contains(small));
            assertTrue(big.contains(huge));
            sc.deallocate(huge);
            assertEquals(0, large.liveSlots());
            sc.deallocate(small);
            assertEquals(0, sc.liveBlocks());
            assertThrows(IllegalArgumentException.class, () -> sc.deallocate(small), "double free");
            sc.close();
            large.close();
        }
    }

    @Test
    void sizeClassedWithoutLargeAllocatorShouldFailLargeRequests() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            SizeClassed sc = SizeClassed.builder(range).maxClassSize(4096).build();
            assertNull(sc.tryAllocate(4097, 8));
            assertThrows(dev.pagewise.core.AllocationFailedException.class, () -> sc.allocate(4097, 8));
            assertThrows(IllegalArgumentException.class, () -> SizeClassed.builder(range).maxClassSize(100));
            sc.close();
        }
    }
}
