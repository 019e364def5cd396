package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a listener hears of a resize: an onResize failure after the fact, a move asked about once. */
class ResizeListenerTest {

    @Test
    void aResizeHeardFailingAfterItHappenedShouldReturnTheResizedBlock() {
        AllocationListener throwingResize = new AllocationListener() {
            @Override
            public void onResize(MemorySegment segment, MemorySegment resized) {
                throw new IllegalStateException("listener failed");
            }
        };
        try (NativeBacked range = NativeBacked.allocate(1 << 16); Slab slab = Slab.over(range, 64, throwingResize)) {
            MemorySegment a = slab.allocate(16, 8);
            MemorySegment grown = slab.reallocate(a, 48);
            assertEquals(a.address(), grown.address());
            assertEquals(48, grown.byteSize());
            slab.deallocate(grown); // the slab knows the block as it is now
        }
    }

    @Test
    void anObservedMoveShouldBeOneRequestNotTwo() {
        AtomicInteger requests = new AtomicInteger();
        AllocationListener counting = new AllocationListener() {
            @Override
            public String onPreAllocation(long byteSize, long byteAlignment) {
                requests.incrementAndGet();
                return null;
            }
        };
        try (NativeBacked range = NativeBacked.allocate(1 << 16); HardenedSlab hardened = HardenedSlab.over(range, 256)) {
            Observed observed = Observed.over(hardened, counting);
            MemorySegment a = observed.allocate(16, 8);
            observed.reallocate(a, 128); // a hardened slab never resizes in place: one request, the move's
            assertEquals(2, requests.get());
        }
        requests.set(0);
        try (NativeBacked range = NativeBacked.allocate(1 << 16); Slab slab = Slab.over(range, 64)) {
            Observed observed = Observed.over(slab, counting);
            MemorySegment a = observed.allocate(16, 8);
            assertThrows(AllocationFailedException.class, () -> observed.reallocate(a, 128), "outgrows its slot");
            assertEquals(2, requests.get(), "the allocation, then the move's request; no resize asked about");
            observed.reallocate(a, 32);
            assertEquals(3, requests.get(), "a growth in place is a request");
        }
        requests.set(0);
        try (NativeBacked range = NativeBacked.allocate(1 << 16); Slab slab = Slab.over(range, 256)) {
            Observed observed = Observed.over(ZeroizeOnFree.over(slab), counting);
            MemorySegment a = observed.allocate(16, 8);
            observed.reallocate(a, 32); // a wrapper that always moves, though the slab beneath could stay in place
            assertEquals(2, requests.get());
        }
    }
}
