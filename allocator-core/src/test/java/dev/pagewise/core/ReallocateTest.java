package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Allocator#reallocate}, {@link Allocator#allocateZeroed} and {@link Allocator#usableSize}, allocator by allocator. */
class ReallocateTest {

    private static MemorySegment filled(Allocator a, long size, int value) {
        MemorySegment s = a.allocate(size, 8);
        s.fill((byte) value);
        return s;
    }

    private static void assertBytes(MemorySegment s, long from, long to, int value) {
        for (long i = from; i < to; i++) {
            assertEquals((byte) value, s.get(JAVA_BYTE, i), "byte " + i);
        }
    }

    private static void assertBadInput(Allocator a, MemorySegment live) {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> a.reallocate(null, 8));
        assertEquals("segment", npe.getMessage());
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> a.reallocate(live, -1));
        assertTrue(neg.getMessage().contains("newSize") && neg.getMessage().contains("-1"), neg.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.reallocate(foreign, 32));
            assertTrue(e.getMessage().startsWith("segment is not a live block"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.usableSize(foreign));
        }
        assertThrows(NullPointerException.class, () -> a.usableSize(null));
        assertTrue(a.owns(live), "bad input changes nothing");
    }

    @Test
    void bumpArenaShouldGrowAndShrinkTheLastBlockInPlaceAndMoveOthers() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16); BumpArena arena = BumpArena.over(range)) {
            MemorySegment a = filled(arena, 16, 1);
            MemorySegment b = filled(arena, 16, 2);
            assertBadInput(arena, b);

            MemorySegment grown = arena.reallocate(b, 100);
            assertEquals(b.address(), grown.address(), "the last block grows in place");
            assertBytes(grown, 0, 16, 2);
            assertBytes(grown, 16, 100, 0);
            assertEquals(16 + 100, arena.allocated());

            MemorySegment shrunk = arena.reallocate(grown.fill((byte) 3), 10);
            assertEquals(b.address(), shrunk.address());
            assertEquals(16 + 10, arena.allocated(), "a shrunk last block gives its tail back");
            MemorySegment next = arena.allocate(90, 1);
            assertEquals(-1, next.mismatch(MemorySegment.ofArray(new byte[90])), "the tail was zeroed");

            MemorySegment moved = arena.reallocate(a, 64);
            assertNotEquals(a.address(), moved.address(), "a block that is not last moves to grow");
            assertBytes(moved, 0, 16, 1);
            assertBytes(moved, 16, 64, 0);
            assertBytes(a, 0, 16, 1); // not revoked: a bump arena frees nothing one block at a time
            assertEquals(16, arena.usableSize(a));

            long before = arena.allocated();
            MemorySegment last = arena.allocate(8).fill((byte) 7);
            assertThrows(AllocationFailedException.class, () -> arena.reallocate(last, 1 << 20));
            assertEquals(before + 8, arena.allocated(), "a failed grow changes nothing");
            assertBytes(last, 0, 8, 7);

            arena.reset();
            assertThrows(IllegalArgumentException.class, () -> arena.reallocate(last, 4), "a stale segment");
        }
    }

    @Test
    void listenersShouldHearAnInPlaceResizeAsOneResizeAndAMoveAsAnAllocation() {
        Budget budget = Budget.root("test", 256);
        Statistics stats = Statistics.confined();
        LeakTracking leaks = LeakTracking.paranoid();
        try (NativeBacked range = NativeBacked.allocate(1 << 16);
             BumpArena arena = BumpArena.builder(range)
                     .listener(AllocationListener.of(Limit.of(budget), stats, leaks)).build()) {
            MemorySegment a = arena.allocate(32);
            MemorySegment b = arena.allocate(32);
            MemorySegment grown = arena.reallocate(b, 200);
            assertEquals(232, budget.used(), "a growth in place is charged its extra bytes");
            assertEquals(232, stats.snapshot().bytesLive());
            assertEquals(2, stats.snapshot().allocations(), "an in-place resize is no allocation");
            assertEquals(1, leaks.leaks().stream().filter(l -> l.byteSize() == 200).count());

            AllocationFailedException refused = assertThrows(AllocationFailedException.class,
                    () -> arena.reallocate(grown, 300));
            assertTrue(refused.getMessage().contains("budget 'test'"), refused.getMessage());
            assertEquals(232, budget.used(), "a refused growth changes nothing");
            assertEquals(32 + 200, arena.allocated());

            MemorySegment shrunk = arena.reallocate(grown, 8);
            assertEquals(40, budget.used(), "a shrink returns bytes, never refused");
            assertEquals(40, stats.snapshot().bytesLive());

            MemorySegment moved = arena.reallocate(a, 64);
            assertNotEquals(a.address(), moved.address());
            assertEquals(104, budget.used(), "a move is a new allocation; the bump arena frees nothing");
            assertEquals(3, stats.snapshot().allocations());
            assertEquals(0, stats.snapshot().frees());
            assertTrue(shrunk.byteSize() == 8);
        }
        assertEquals(0, budget.used(), "the close returns everything");
    }

    @Test
    void slabShouldResizeWithinTheSlotOnly() {
        Statistics stats = Statistics.confined();
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 64, stats)) {
            MemorySegment a = filled(slab, 40, 5);
            assertBadInput(slab, a);
            assertEquals(64, slab.usableSize(a));
            MemorySegment shrunk = slab.reallocate(a, 8);
            assertEquals(a.address(), shrunk.address());
            MemorySegment grown = slab.reallocate(shrunk, 64);
            assertEquals(a.address(), grown.address());
            assertBytes(grown, 0, 8, 5);
            assertBytes(grown, 8, 64, 0); // the shrunk tail was zeroed
            assertEquals(64, stats.snapshot().bytesLive());
            grown.fill((byte) 6);
            assertThrows(AllocationFailedException.class, () -> slab.reallocate(grown, 65));
            assertEquals(1, slab.liveSlots());
            assertBytes(grown, 0, 64, 6);
            assertEquals(64, stats.snapshot().bytesLive(), "a failed grow changes nothing");
            assertTrue(slab.owns(grown));
        }
    }

    @Test
    void slabWithoutZeroingShouldZeroOnlyWhenAsked() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.withoutZeroing(range, 64)) {
            MemorySegment a = filled(slab, 64, 9);
            slab.deallocate(a);
            MemorySegment b = slab.allocateZeroed(64, 8);
            assertEquals(a.address(), b.address());
            assertEquals(-1, b.mismatch(MemorySegment.ofArray(new byte[64])));
        }
    }

    @Test
    void sizeClassedShouldStayInItsClassOrMove() {
        Statistics stats = Statistics.confined();
        try (NativeBacked range = NativeBacked.allocate(8 << 20);
             SizeClassed sc = SizeClassed.builder(range).listener(stats).build()) {
            MemorySegment a = filled(sc, 20, 4);
            assertBadInput(sc, a);
            assertEquals(24, sc.usableSize(a));
            MemorySegment inClass = sc.reallocate(a, 24);
            assertEquals(a.address(), inClass.address(), "the 24 B class still holds it");
            assertBytes(inClass, 0, 20, 4);
            assertBytes(inClass, 20, 24, 0);
            assertEquals(1, stats.snapshot().allocations());

            MemorySegment moved = sc.reallocate(inClass, 1000);
            assertNotEquals(a.address(), moved.address());
            assertEquals(1024, sc.usableSize(moved));
            assertBytes(moved, 0, 20, 4);
            assertBytes(moved, 24, 1000, 0);
            assertEquals(1, sc.liveBlocks(), "the old slot was freed");
            assertFalse(sc.owns(inClass));
            assertEquals(2, stats.snapshot().allocations());
            assertEquals(1, stats.snapshot().frees());
            assertEquals(1000, stats.snapshot().bytesLive());

            MemorySegment shrunk = sc.reallocate(moved, 16);
            assertEquals(moved.address(), shrunk.address(), "a shrink stays in place");
            assertThrows(AllocationFailedException.class, () -> sc.reallocate(shrunk, 1 << 20));
            assertTrue(sc.owns(shrunk), "a failed grow leaves the block live");
        }
    }

    @Test
    void withFallbackShouldResizeInTheOwningPartThenFallToTheChain() {
        try (NativeBacked small = NativeBacked.allocate(4096); NativeBacked large = NativeBacked.allocate(1 << 20);
             BumpArena fast = BumpArena.over(small); Slab slow = Slab.over(large, 64 << 10)) {
            WithFallback chain = WithFallback.of(fast, slow);
            MemorySegment a = chain.allocate(100).fill((byte) 8);
            MemorySegment inPlace = chain.reallocate(a, 2000);
            assertEquals(a.address(), inPlace.address());
            MemorySegment moved = chain.reallocate(inPlace, 10_000);
            assertTrue(slow.owns(moved), "too big for the arena: moved to the slab");
            assertBytes(moved, 0, 100, 8);
            assertEquals(64 << 10, chain.usableSize(moved));
            MemorySegment back = chain.reallocate(moved, 20);
            assertEquals(moved.address(), back.address(), "the slab shrinks it in place");
        }
    }

    @Test
    void canaryShouldMoveItsTrailingCanaryWithAnInPlaceResize() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16); BumpArena arena = BumpArena.over(range)) {
            Canary canary = Canary.over((Allocator) arena);
            MemorySegment a = canary.allocate(32).fill((byte) 1);
            MemorySegment grown = canary.reallocate(a, 64);
            assertEquals(a.address(), grown.address(), "the last guarded block grows in place");
            assertBytes(grown, 32, 64, 0);
            canary.verify();
            @SuppressWarnings("restricted")
            MemorySegment wide = grown.reinterpret(65);
            wide.set(JAVA_BYTE, 64, (byte) 0);
            assertThrows(MemoryCorruptionException.class, () -> canary.reallocate(grown, 128),
                    "the canary at the new end catches an overrun, and nothing changes");
            assertEquals(64, grown.byteSize());
        }
    }

    @Test
    void canaryShouldMoveAGuardedBlockThatCannotGrow() {
        try (NativeBacked range = NativeBacked.allocate(8 << 20); SizeClassed sc = SizeClassed.over(range)) {
            Canary canary = Canary.over(sc);
            MemorySegment a = canary.allocate(100).fill((byte) 2);
            MemorySegment moved = canary.reallocate(a, 4000);
            assertNotEquals(a.address(), moved.address());
            assertBytes(moved, 0, 100, 2);
            assertFalse(canary.owns(a));
            assertEquals(1, sc.liveBlocks());
            canary.verify();
        }
    }

    @Test
    void poisonOnFreeAndQuarantineShouldTreatAMovedBlocksOldCopyAsFreed() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16); BumpArena arena = BumpArena.over(range)) {
            PoisonOnFree poison = PoisonOnFree.over((Allocator) arena);
            MemorySegment a = poison.allocate(16).fill((byte) 1);
            poison.allocate(8);
            MemorySegment moved = poison.reallocate(a, 64);
            assertBytes(moved, 0, 16, 1);
            assertBytes(a, 0, 16, PoisonOnFree.DEFAULT_POISON);
        }
        try (NativeBacked range = NativeBacked.allocate(8 << 20); SizeClassed sc = SizeClassed.over(range)) {
            Quarantine quarantine = Quarantine.over(sc, 8, 1 << 20);
            MemorySegment a = quarantine.allocate(16).fill((byte) 1);
            MemorySegment moved = quarantine.reallocate(a, 500);
            assertEquals(1, quarantine.heldBlocks(), "the old copy is in quarantine");
            assertBytes(moved, 0, 16, 1);
            a.set(JAVA_BYTE, 3, (byte) 0);
            assertThrows(MemoryCorruptionException.class, quarantine::verify, "a write through the old segment");
        }
    }

    @Test
    void observedShouldHearInPlaceResizesAndMoves() {
        Budget budget = Budget.root("observed", 1 << 20);
        Statistics stats = Statistics.confined();
        try (NativeBacked range = NativeBacked.allocate(8 << 20); SizeClassed sc = SizeClassed.over(range)) {
            Observed observed = Observed.over(sc, AllocationListener.of(Limit.of(budget), stats));
            MemorySegment a = observed.allocate(20);
            MemorySegment inClass = observed.reallocate(a, 24);
            assertEquals(24, budget.used());
            assertEquals(24, stats.snapshot().bytesLive());
            MemorySegment moved = observed.reallocate(inClass, 2000);
            assertEquals(2000, budget.used(), "a move charges the new block and returns the old");
            assertEquals(2000, stats.snapshot().bytesLive());
            assertEquals(0, stats.snapshot().failures(), "an in-place attempt that moves is no failure");
            assertEquals(2048, observed.usableSize(moved));
            observed.deallocate(moved);
            assertEquals(0, budget.used());
        }
    }

    @Test
    void faultyShouldFailAGrowthButNeverAShrink() {
        Faulty faulty = Faulty.failWhen((n, size, align) -> size > 64);
        try (NativeBacked range = NativeBacked.allocate(1 << 16);
             BumpArena arena = BumpArena.builder(range).listener(faulty).build()) {
            MemorySegment a = arena.allocate(64).fill((byte) 3);
            assertThrows(AllocationFailedException.class, () -> arena.reallocate(a, 100));
            assertBytes(a, 0, 64, 3);
            assertEquals(16, arena.reallocate(a, 16).byteSize(), "a shrink is never refused");
            assertEquals(1, faulty.injected());
        }
    }

    @Test
    void sharedBumpArenaShouldGrowTheLastBlockOfItsChunkInPlace() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20); SharedBumpArena arena = SharedBumpArena.over(range)) {
            MemorySegment a = filled(arena, 100, 1);
            MemorySegment grown = arena.reallocate(a, 200);
            assertEquals(a.address(), grown.address());
            assertBytes(grown, 100, 200, 0);
            MemorySegment b = arena.allocate(8);
            MemorySegment moved = arena.reallocate(grown, 300);
            assertNotEquals(a.address(), moved.address());
            assertBytes(moved, 0, 100, 1);
            assertEquals(8, arena.reallocate(b, 8).byteSize());
            assertBadInput(arena, b);
        }
    }

    @Test
    void anEmptyBlockPastTheCursorShouldStayLiveAfterAFramePushedAboveItPops() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16); StackArena stack = StackArena.over(range)) {
            MemorySegment one = stack.allocate(1, 1);
            MemorySegment empty = stack.allocate(0, 1);
            stack.reallocate(one, 0); // the last block with bytes shrinks in place: the cursor goes back to 0
            try (StackArena.Frame frame = stack.push()) {
                frame.allocate(0, 1);
            }
            assertTrue(stack.owns(empty), "allocated before the frame, still live after its pop");
            assertEquals(0, stack.reallocate(empty, 0).byteSize());
        }
    }

    @Test
    void anEmptyBlockPastTheCursorShouldStayLiveAfterAResetToALaterMark() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16); BumpArena arena = BumpArena.over(range)) {
            MemorySegment one = arena.allocate(1, 1);
            MemorySegment empty = arena.allocate(0, 1);
            arena.reallocate(one, 0);
            long mark = arena.mark();
            arena.allocate(8, 1);
            arena.resetTo(mark);
            assertTrue(arena.owns(empty), "allocated before the mark, still live after resetTo");
        }
    }

    @Test
    void stackFramesShouldResizeTheirLastBlockInPlace() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16); StackArena stack = StackArena.over(range)) {
            MemorySegment outside = stack.allocate(16);
            try (StackArena.Frame frame = stack.push()) {
                MemorySegment a = frame.allocate(16).fill((byte) 4);
                MemorySegment grown = frame.reallocate(a, 64);
                assertEquals(a.address(), grown.address());
                assertBytes(grown, 16, 64, 0);
                assertThrows(IllegalStateException.class, () -> stack.reallocate(outside, 32), "a frame is open");
                grown.fill((byte) 5);
            }
            MemorySegment after = stack.allocate(80);
            assertEquals(-1, after.mismatch(MemorySegment.ofArray(new byte[80])), "the popped frame reads zero");
        }
    }

    @Test
    void allocateZeroedShouldZeroOnlyWhereZerosAreNotPromised() {
        try (NativeBacked range = NativeBacked.allocate(8 << 20);
             SizeClassed sc = SizeClassed.builder(range).withoutZeroing().build()) {
            MemorySegment dirty = sc.allocate(100).fill((byte) 0x55);
            sc.deallocate(dirty);
            assertFalse(Resizing.zeroes(sc));
            MemorySegment clean = Observed.over(sc, Statistics.create()).allocateZeroed(100, 8);
            assertEquals(dirty.address(), clean.address());
            byte[] zeros = new byte[100];
            assertEquals(-1, clean.mismatch(MemorySegment.ofArray(zeros)));
        }
        try (NativeBacked range = NativeBacked.allocate(1 << 16); BumpArena arena = BumpArena.over(range)) {
            assertTrue(Resizing.zeroes(arena));
            assertTrue(Resizing.zeroes(Canary.over((Allocator) arena)));
            assertEquals(-1, arena.allocateZeroed(64, 8).mismatch(MemorySegment.ofArray(new byte[64])));
        }
    }
}
