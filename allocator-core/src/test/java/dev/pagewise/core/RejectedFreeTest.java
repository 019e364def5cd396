package dev.pagewise.core;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Canary;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.Limit;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.Observed;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.Resettable;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A free that an allocator rejects or ignores changes nothing, through any wrapper: no poison, no
 * accounting, no lost tracking. Every wrapper is run over a slab (which rejects bad frees) and a bump arena
 * (which ignores single frees), with a double free, an interior slice, another arena's segment and a stale
 * segment from before a reset.
 */
class RejectedFreeTest {

    /** A wrapper, and the listener it adds if it is one. */
    record Case(String name, AllocationListener listener, Function<Allocator, Allocator> wrap) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> wrappers() {
        LeakTracking leaks = LeakTracking.paranoid();
        Statistics stats = Statistics.create();
        Limit limit = Limit.of(Budget.root("b", 1 << 20));
        return Stream.of(
                new Case("none", null, a -> a),
                new Case("PoisonOnFree", null, PoisonOnFree::over),
                new Case("Quarantine", null, a -> Quarantine.over(a, 0, 0)),
                new Case("Canary", null, Canary::over),
                new Case("ZeroizeOnFree", null, ZeroizeOnFree::over),
                new Case("CacheJitter", null, a -> CacheJitter.seeded(a, 32, 5)),
                new Case("LeakTracking", leaks, a -> Observed.over(a, leaks)),
                new Case("Statistics", stats, a -> Observed.over(a, stats)),
                new Case("Limit", limit, a -> Observed.over(a, limit)));
    }

    @ParameterizedTest
    @MethodSource("wrappers")
    void aRejectedFreeIntoASlabShouldChangeNothing(Case c) {
        Function<Allocator, Allocator> wrap = c.wrap();
        try (NativeBacked range = NativeBacked.allocate(64 << 10); NativeBacked other = NativeBacked.allocate(4096)) {
            Slab slab = Slab.over(range, 128);
            Allocator top = wrap.apply(slab);
            MemorySegment a = top.allocate(64, 8);
            MemorySegment b = top.allocate(64, 8);
            b.fill((byte) 0x42);
            top.deallocate(a);
            assertThrows(IllegalArgumentException.class, () -> top.deallocate(a), "double free");
            assertThrows(IllegalArgumentException.class, () -> top.deallocate(b.asSlice(8, 8)), "interior slice");
            try (BumpArena foreign = BumpArena.over(other)) {
                MemorySegment f = foreign.allocate(64, 8);
                f.fill((byte) 0x17);
                assertThrows(IllegalArgumentException.class, () -> top.deallocate(f), "another arena's segment");
                assertEquals(-1, f.mismatch(MemorySegment.ofArray(filled(64, 0x17))), "the foreign block is untouched");
            }
            assertEquals(-1, b.mismatch(MemorySegment.ofArray(filled(64, 0x42))), "the live block is untouched");
            for (int i = 0; i < 4; i++) {
                MemorySegment fresh = top.allocate(64, 8);
                assertEquals(-1, fresh.mismatch(MemorySegment.ofArray(new byte[64])), "allocation " + i + " reads zero");
            }
            if (c.listener() instanceof Statistics stats) {
                assertEquals(1, stats.snapshot().frees());
                assertEquals(5 * 64, stats.snapshot().bytesLive());
            }
            if (c.listener() instanceof Limit limit) {
                assertEquals(5 * 64, limit.budget().used());
            }
            if (c.listener() instanceof LeakTracking leaks) {
                assertEquals(5, leaks.leaks().size());
            }
            slab.close();
        }
    }

    @ParameterizedTest
    @MethodSource("wrappers")
    void freesABumpArenaIgnoresShouldNeitherCountNorTouchMemory(Case c) {
        Function<Allocator, Allocator> wrap = c.wrap();
        try (NativeBacked range = NativeBacked.allocate(64 << 10); NativeBacked other = NativeBacked.allocate(4096);
             BumpArena bump = BumpArena.over(range); BumpArena foreign = BumpArena.over(other)) {
            Allocator top = wrap.apply(bump);
            MemorySegment live = top.allocate(64, 8);
            live.fill((byte) 1);
            MemorySegment f = foreign.allocate(64, 8);
            f.fill((byte) 0x17);
            top.deallocate(f);
            assertEquals(-1, f.mismatch(MemorySegment.ofArray(filled(64, 0x17))), "another arena's block is untouched");
            MemorySegment stale = top.allocate(32, 8);
            ((Resettable) top).reset();
            MemorySegment now = top.allocate(32, 8);
            now.fill((byte) 5);
            top.deallocate(stale);
            assertEquals(-1, now.mismatch(MemorySegment.ofArray(filled(32, 5))), "a stale free touches nothing");
            if (c.listener() instanceof Statistics stats) {
                assertEquals(0, stats.snapshot().frees());
                assertEquals(32, stats.snapshot().bytesLive());
            }
            if (c.listener() instanceof Limit limit) {
                assertEquals(32, limit.budget().used(), "never negative, never more than granted");
            }
            if (c.listener() instanceof LeakTracking leaks) {
                assertEquals(1, leaks.leaks().size(), "the live block at the stale block's address is still tracked");
            }
        }
    }

    @Test
    void limitShouldNeverGrantBeyondItsBudgetAfterForeignFrees() {
        Limit limit = Limit.of(Budget.root("request", 4096));
        try (NativeBacked range = NativeBacked.allocate(1 << 20);
             BumpArena bump = BumpArena.builder(range).listener(limit).build()) {
            MemorySegment block = bump.allocate(4096, 8);
            for (int i = 0; i < 10; i++) {
                bump.deallocate(block);
                bump.deallocate(MemorySegment.ofArray(new byte[4096]));
            }
            assertEquals(4096, limit.budget().used());
            assertNull(bump.tryAllocate(1, 1), "the budget is spent until the reset");
            bump.reset();
            assertEquals(0, limit.budget().used());
        }
    }

    @Test
    void leakTrackingShouldKeepAZeroLengthBlockApartFromTheBlockAtItsAddress() throws Exception {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            LeakTracking leaks = LeakTracking.paranoid();
            try (WrappedArena<Observed> tracked = Observed.over(BumpArena.over(range), leaks)) {
                MemorySegment empty = tracked.allocate(0, 8);
                MemorySegment full = tracked.allocate(16, 8);
                assertEquals(empty.address(), full.address());
                assertEquals(2, leaks.leaks().size(), "two blocks at one address");
            }
        }
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            LeakTracking leaks = LeakTracking.paranoid();
            Slab slab = Slab.over(range, 64, leaks);
            MemorySegment empty = slab.allocate(0, 8);
            MemorySegment other = slab.allocate(16, 8);
            slab.deallocate(empty);
            assertEquals(1, leaks.leaks().size(), "freeing the empty block keeps the other");
            assertEquals(other.address(), leaks.leaks().getFirst().address());
            slab.close();
        }
    }

    @Test
    void quarantineShouldNotReportAFalseWriteAfterFreeAfterADoubleFree() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            Slab slab = Slab.over(range, 64);
            Quarantine q = Quarantine.over(slab, 2, 1 << 20);
            MemorySegment a = q.allocate(64, 8);
            q.deallocate(a);
            assertThrows(IllegalArgumentException.class, () -> q.deallocate(a));
            for (int i = 0; i < 10; i++) {
                MemorySegment b = q.allocate(64, 8);
                b.fill((byte) i);
                q.deallocate(b);
            }
            q.verify();
            assertEquals(0, q.corruptions());
            slab.close();
        }
    }

    @Test
    void quarantineShouldTellAnEmptyBlockFromTheBlockAtItsAddress() {
        try (NativeBacked range = NativeBacked.allocate(4096); BumpArena bump = BumpArena.over(range)) {
            WrappedArena<Quarantine> q = Quarantine.over(bump, 8, 1 << 20);
            MemorySegment empty = q.allocate(0, 8);
            MemorySegment full = q.allocate(16, 8);
            assertEquals(empty.address(), full.address());
            q.deallocate(empty);
            q.deallocate(full);
            assertEquals(1, q.wrapper().heldBlocks(), "the empty block is not held; the full one is");
            assertThrows(IllegalArgumentException.class, () -> q.deallocate(full), "a real double free");
        }
    }

    @Test
    void aRefusedResetShouldLeaveCanaryAndQuarantineAsTheyWere() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            SizeClassed classes = SizeClassed.over(range);
            Canary canary = Canary.over(classes);
            MemorySegment live = canary.allocate(100, 8);
            assertThrows(UnsupportedOperationException.class, canary::reset);
            assertTrue(canary.owns(live), "still tracked");
            canary.deallocate(live);
            Quarantine q = Quarantine.over(classes, 8, 1 << 20);
            MemorySegment held = q.allocate(100, 8);
            q.deallocate(held);
            assertEquals(1, q.heldBlocks());
            assertThrows(UnsupportedOperationException.class, q::reset);
            assertEquals(1, q.heldBlocks(), "held blocks are not dropped");
            assertEquals(1, classes.liveBlocks());
            classes.close();
        }
    }

    @Test
    void canaryShouldTreatImpossibleRequestsAsNoRoom() {
        try (NativeBacked range = NativeBacked.allocate(4096); BumpArena bump = BumpArena.over(range)) {
            WrappedArena<Canary> canary = Canary.over(bump);
            assertNull(canary.tryAllocate(Long.MAX_VALUE, 8));
            assertNull(canary.tryAllocate(16, 1L << 62));
            assertThrows(AllocationFailedException.class, () -> canary.allocate(Long.MAX_VALUE, 8));
            assertThrows(AllocationFailedException.class, () -> canary.allocate(16, 1L << 62));
            assertFalse(canary.owns(MemorySegment.NULL));
            assertEquals(0, canary.allocate(16, 8).get(JAVA_BYTE, 0), "still works");
        }
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
