package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnedSlabTest {

    private static void onOtherThread(Runnable action) {
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            other.submit(action).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void remoteFreeShouldReturnTheSlotZeroedToTheOwner() {
        try (NativeBacked range = NativeBacked.allocate(4 * 64); OwnedSlab slab = OwnedSlab.over(range, 64)) {
            assertSame(Thread.currentThread(), slab.owner());
            MemorySegment[] all = new MemorySegment[4];
            for (int i = 0; i < 4; i++) {
                all[i] = slab.allocate(64, 8);
                all[i].fill((byte) 0x5a);
            }
            assertNull(slab.tryAllocate(64, 8), "full");
            onOtherThread(() -> slab.deallocate(all[2]));
            assertEquals(3, slab.liveSlots());
            assertFalse(slab.owns(all[2]));
            MemorySegment again = slab.allocate(64, 8);
            assertEquals(all[2].address(), again.address(), "the remote free reaches the owner");
            assertEquals(-1, again.mismatch(MemorySegment.ofArray(new byte[64])), "and reads zero");
            assertEquals(4, slab.liveSlots());
        }
    }

    @Test
    void ownerFreesAndRemoteFreesShouldBothBeReused() {
        try (NativeBacked range = NativeBacked.allocate(8 * 32); OwnedSlab slab = OwnedSlab.over(range, 32)) {
            MemorySegment[] all = new MemorySegment[8];
            for (int i = 0; i < 8; i++) {
                all[i] = slab.allocate(32, 8);
            }
            slab.deallocate(all[0]);
            onOtherThread(() -> {
                for (int i = 1; i < 8; i++) {
                    slab.deallocate(all[i]);
                }
            });
            assertEquals(0, slab.liveSlots());
            long seen = 0;
            for (int i = 0; i < 8; i++) {
                seen |= 1L << ((slab.allocate(32, 8).address() - all[0].address()) / 32);
            }
            assertEquals(0xff, seen, "every slot handed out again, each once");
            assertNull(slab.tryAllocate(32, 8));
        }
    }

    @Test
    void onlyTheOwnerShouldAllocate() {
        try (NativeBacked range = NativeBacked.allocate(4096); OwnedSlab slab = OwnedSlab.over(range, 64)) {
            WrongThreadException e = assertThrows(WrongThreadException.class, () -> onOtherThread(() -> slab.allocate(8, 8)));
            assertTrue(e.getMessage().contains("owner"), e.getMessage());
            assertEquals(0, slab.liveSlots());
        }
    }

    @Test
    void doubleFreeShouldBeDetectedOnEitherThread() {
        try (NativeBacked range = NativeBacked.allocate(4096); OwnedSlab slab = OwnedSlab.over(range, 64)) {
            MemorySegment a = slab.allocate(64, 8);
            MemorySegment b = slab.allocate(64, 8);
            onOtherThread(() -> slab.deallocate(a));
            IllegalArgumentException local = assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a));
            assertTrue(local.getMessage().startsWith("double free of slot 0"), local.getMessage());
            slab.deallocate(b);
            assertThrows(IllegalArgumentException.class, () -> onOtherThread(() -> slab.deallocate(b)));
            assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a.asSlice(8)), "not a slot start");
            assertThrows(IllegalArgumentException.class, () -> slab.deallocate(MemorySegment.ofArray(new byte[8])));
            assertEquals(0, slab.liveSlots());
        }
    }

    @Test
    void aRemoteFreeListLinkWrittenAfterFreeShouldBeDetected() {
        try (NativeBacked range = NativeBacked.allocate(4096); OwnedSlab slab = OwnedSlab.over(range, 64)) {
            MemorySegment a = slab.allocate(64, 8);
            MemorySegment b = slab.allocate(64, 8);
            onOtherThread(() -> slab.deallocate(a));
            a.set(JAVA_LONG_UNALIGNED, 0, 1); // links a to b, which is live
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> slab.allocate(64, 8));
            assertEquals(a.address(), e.address());
            assertTrue(slab.owns(b));
        }
    }

    @Test
    void closeFromAnotherThreadShouldEndEverySegmentAndZeroTheRange() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            OwnedSlab slab = OwnedSlab.over(range, 64);
            MemorySegment a = slab.allocate(64, 8);
            a.set(JAVA_LONG, 0, 42);
            onOtherThread(slab::close);
            assertThrows(IllegalStateException.class, () -> a.get(JAVA_LONG, 0));
            assertThrows(IllegalStateException.class, () -> slab.allocate(8, 8));
            assertThrows(IllegalStateException.class, () -> slab.deallocate(a));
            assertThrows(IllegalStateException.class, slab::close);
            assertEquals(-1, range.segment().mismatch(MemorySegment.ofArray(new byte[4096])), "range reads zero");
        }
    }

    @Test
    void badArgumentsShouldNameThemselves() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OwnedSlab.over(range, 0));
            assertTrue(e.getMessage().contains("slotSize"), e.getMessage());
            assertInstanceOf(NullPointerException.class, assertThrows(RuntimeException.class, () -> OwnedSlab.over(null, 8)));
            try (OwnedSlab slab = OwnedSlab.over(range, 64)) {
                assertNull(slab.tryAllocate(65, 8));
                assertNull(slab.tryAllocate(8, 128));
                assertThrows(AllocationFailedException.class, () -> slab.allocate(65, 8));
            }
        }
    }
}
