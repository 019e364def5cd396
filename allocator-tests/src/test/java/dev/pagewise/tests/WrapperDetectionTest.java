package dev.pagewise.tests;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.AllocationStats;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Canary;
import dev.pagewise.core.Faulty;
import dev.pagewise.core.HardenedSlab;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.Limit;
import dev.pagewise.core.MemoryCorruptionException;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.Observed;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
import dev.pagewise.core.ZeroizeOnFree;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrapperDetectionTest {

    @Test
    void canaryShouldReportAnOverrunByOneByte() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 256)) {
            Canary canary = Canary.over(slab);
            MemorySegment block = canary.allocate(64, 8);
            MemorySegment wider = MemorySegment.ofAddress(block.address()).reinterpret(65);
            wider.set(JAVA_BYTE, 64, (byte) 1);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, canary::verify);
            assertTrue(e.getMessage().contains("overrun by 1 byte(s)"), e.getMessage());
            assertEquals(block.address(), e.address());
            assertThrows(MemoryCorruptionException.class, () -> canary.deallocate(block));
            assertEquals(1, slab.liveSlots(), "a corrupted block is not freed");
        }
    }

    @Test
    void canaryShouldReportAnUnderrun() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 256)) {
            Canary canary = Canary.over(slab);
            MemorySegment block = canary.allocate(64, 8);
            MemorySegment.ofAddress(block.address() - 3).reinterpret(1).set(JAVA_BYTE, 0, (byte) 0);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> canary.deallocate(block));
            assertTrue(e.getMessage().contains("underrun by 3 byte(s)"), e.getMessage());
        }
    }

    @Test
    void quarantineShouldReportAWriteAfterFreeWithItsAllocationSite() {
        LeakTracking sites = LeakTracking.paranoid();
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 128, sites)) {
            Quarantine quarantine = Quarantine.over(slab, 4, 1 << 20, sites);
            MemorySegment block = allocateHere(quarantine);
            quarantine.deallocate(block);
            assertEquals(1, quarantine.heldBlocks());
            assertEquals(1, slab.liveSlots(), "held back from the slab");
            MemorySegment.ofAddress(block.address()).reinterpret(128).set(JAVA_BYTE, 17, (byte) 42);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, quarantine::verify);
            assertTrue(e.getMessage().contains("write after free"), e.getMessage());
            assertTrue(e.getMessage().contains("offset 17"), e.getMessage());
            assertTrue(e.getMessage().contains("allocateHere"), "names the allocation site: " + e.getMessage());
            assertEquals(1, quarantine.corruptions());
        }
    }

    private static MemorySegment allocateHere(Allocator allocator) {
        return allocator.allocate(128, 8);
    }

    @Test
    void quarantineShouldReleaseOldestBlocksPastItsBounds() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 64)) {
            Quarantine quarantine = Quarantine.over(slab, 2, 1 << 20);
            MemorySegment a = quarantine.allocate(64, 8);
            MemorySegment b = quarantine.allocate(64, 8);
            MemorySegment c = quarantine.allocate(64, 8);
            quarantine.deallocate(a);
            quarantine.deallocate(b);
            assertEquals(3, slab.liveSlots());
            quarantine.deallocate(c);
            assertEquals(2, slab.liveSlots(), "a left quarantine");
            assertEquals(a.address(), quarantine.allocate(64, 8).address(), "and is reused first");
        }
    }

    @Test
    void poisonOnFreeShouldFillFreedBlocks() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.withoutZeroing(range, 64)) {
            PoisonOnFree poison = PoisonOnFree.over(slab);
            MemorySegment block = poison.allocate(64, 8);
            block.fill((byte) 1);
            poison.deallocate(block);
            assertEquals(PoisonOnFree.DEFAULT_POISON, range.segment().get(JAVA_BYTE, 40));
        }
    }

    @Test
    void zeroizeOnFreeShouldWipeTheWholeSlot() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.withoutZeroing(range, 64)) {
            ZeroizeOnFree zeroize = ZeroizeOnFree.over(slab);
            MemorySegment block = zeroize.allocate(24, 8);
            range.segment().asSlice(0, 64).fill((byte) 0x5A); // the block and the slot's slack
            zeroize.deallocate(block);
            // the slab writes its free-list link into the first eight bytes; the rest is the wrapper's zeros
            assertEquals(-1, range.segment().asSlice(8, 56).mismatch(MemorySegment.ofArray(new byte[56])));
        }
    }

    @Test
    void aHardenedSlabShouldReportAForgedLinkWithItsSlotAndAddress() {
        try (MmapBacked range = MmapBacked.map(1 << 20);
             HardenedSlab slab = HardenedSlab.macLinked(range, 128, new java.security.SecureRandom())) {
            MemorySegment a = slab.allocate(128, 8);
            MemorySegment b = slab.allocate(128, 8);
            MemorySegment c = slab.allocate(128, 8);
            slab.deallocate(a);
            slab.deallocate(b);
            // b's link points at slot 0; pointing it at live slot 2 would hand c out twice
            b.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, 2L);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> slab.allocate(128, 8));
            assertEquals(b.address(), e.address());
            assertTrue(e.getMessage().contains("free slot 1 at 0x" + Long.toHexString(b.address())), e.getMessage());
            MemorySegment next = slab.allocate(128, 8);
            assertTrue(next.address() != c.address(), "the forged link was not followed");
        }
    }

    @Test
    void leakTrackingShouldReportLiveBlocksWithTheirSites() {
        LeakTracking tracking = LeakTracking.paranoid();
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 64, tracking)) {
            MemorySegment kept = allocateHere(slab, 48);
            MemorySegment freed = slab.allocate(16, 8);
            slab.deallocate(freed);
            List<LeakTracking.Leak> leaks = tracking.leaks();
            assertEquals(1, leaks.size());
            assertEquals(kept.address(), leaks.getFirst().address());
            assertEquals(48, leaks.getFirst().byteSize());
            assertTrue(leaks.getFirst().toString().contains("allocateHere"), leaks.getFirst().toString());
        }
        assertEquals(0, tracking.leaks().size(), "reported and forgotten when the slab closed");
    }

    @Test
    void aLeakTrackedArenaShouldStillBeAnArenaAndReportNothingAfterItsReset() {
        LeakTracking tracking = LeakTracking.paranoid();
        Statistics stats = Statistics.confined();
        try (NativeBacked range = NativeBacked.allocate(64 << 10);
             BumpArena arena = BumpArena.builder(range).listener(AllocationListener.of(tracking, stats)).build()) {
            java.lang.foreign.Arena asArena = arena;
            MemorySegment name = asArena.allocateFrom("listened");
            assertEquals(1, tracking.leaks().size());
            assertEquals(name.byteSize(), stats.snapshot().bytesLive());
            arena.reset();
            assertEquals(0, tracking.leaks().size());
            assertEquals(1, stats.snapshot().resets());
        }
    }

    private static MemorySegment allocateHere(Allocator allocator, long size) {
        return allocator.allocate(size, 8);
    }

    @Test
    void aWrappedRequestArenaShouldStillBeAnArena() {
        try (dev.pagewise.os.ArenaPool pool = dev.pagewise.os.ArenaPool.builder(1, 1 << 20).build()) {
            MemorySegment stale;
            try (dev.pagewise.core.WrappedArena<Canary> arena = Canary.over(pool.lease())) {
                java.lang.foreign.Arena asArena = arena;
                stale = asArena.allocateFrom("leased");
                assertEquals(arena.scope(), stale.scope());
                arena.wrapper().verify();
                assertTrue(!(asArena instanceof dev.pagewise.core.Resettable), "a lease does not reset, nor does its wrapper");
            }
            assertThrows(IllegalStateException.class, () -> stale.get(JAVA_BYTE, 0), "closing the wrapper ended the lease");
            assertEquals(0, pool.metrics().leased());
        }
    }

    @Test
    void disabledLeakTrackingShouldRecordNothingAndSampledOneInN() {
        LeakTracking disabled = LeakTracking.create(LeakTracking.Level.DISABLED, 1);
        LeakTracking sampled = LeakTracking.create(LeakTracking.Level.SAMPLED, 2);
        try (NativeBacked range = NativeBacked.allocate(4096);
             Slab slab = Slab.over(range, 64, AllocationListener.of(disabled, sampled))) {
            slab.allocate(8, 8);
            slab.allocate(8, 8);
            assertEquals(0, disabled.leaks().size());
            assertEquals(1, sampled.leaks().stream().filter(l -> l.site() != null).count(), "one in two sampled");
            assertThrows(IllegalArgumentException.class, () -> LeakTracking.create(LeakTracking.Level.SAMPLED, 0));
        }
    }

    @Test
    void limitShouldRefuseOverBudgetAndNameTheBudget() {
        Budget server = Budget.root("server", 10_000);
        Budget request = server.child("request", 6_000);
        try (NativeBacked range = NativeBacked.allocate(1 << 20);
             BumpArena limited = BumpArena.builder(range).listener(Limit.of(request)).build()) {
            limited.allocate(5_000, 8);
            AllocationFailedException e = assertThrows(AllocationFailedException.class, () -> limited.allocate(2_000, 8));
            assertTrue(e.getMessage().contains("budget 'server/request' of 5.9 KiB has 4.9 KiB in use"), e.getMessage());
            assertTrue(e.getMessage().contains("2000 bytes"), e.getMessage());
            assertEquals(5_000, limited.allocated(), "the allocator did not move");
            assertNull(limited.tryAllocate(2_000, 8));
            try (NativeBacked otherRange = NativeBacked.allocate(1 << 20);
                 BumpArena other = BumpArena.builder(otherRange).listener(Limit.of(server.child("other", 6_000))).build()) {
                AllocationFailedException parent = assertThrows(AllocationFailedException.class,
                        () -> other.allocate(5_500, 8));
                assertTrue(parent.getMessage().contains("budget 'server'"), "the parent refused: " + parent.getMessage());
                assertEquals(5_000, server.used());
            }
            limited.reset();
            assertEquals(0, request.used());
            assertEquals(0, server.used());
            limited.allocate(100, 8);
        }
        assertEquals(0, server.used(), "closing the arena returns what it held");
    }

    @Test
    void concurrentCallersTogetherShouldNotExceedTheBudget() throws Exception {
        try (MmapBacked range = MmapBacked.map(64 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            Budget budget = Budget.root("shared", 1 << 20);
            SharedBumpArena arena = SharedBumpArena.builder(range).listener(Limit.of(budget)).build();
            AtomicLong granted = new AtomicLong();
            runThreads(4, () -> {
                while (arena.tryAllocate(1000, 8) != null) {
                    granted.addAndGet(1000);
                }
            });
            assertTrue(granted.get() <= 1 << 20, "granted " + granted.get());
            assertTrue(granted.get() > (1 << 20) - 4 * 1000, "and nearly all of it: " + granted.get());
            assertEquals(granted.get(), budget.used());
            arena.close();
            assertEquals(0, budget.used());
        }
    }

    @Test
    void statisticsAndLimitShouldNeitherLeakNorDoubleCountUnderFourThreads() throws Exception {
        try (MmapBacked range = MmapBacked.map(256 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            Budget budget = Budget.root("all", 1L << 40);
            Statistics counters = Statistics.create();
            SharedBumpArena stats = SharedBumpArena.builder(range)
                    .listener(AllocationListener.of(counters, Limit.of(budget))).build();
            AtomicLong allocations = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            AtomicLong frees = new AtomicLong();
            long deadline = System.nanoTime() + 300_000_000L;
            runThreads(4, () -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                    long size = 8 + (n++ % 200);
                    MemorySegment s = stats.tryAllocate(size, 8);
                    if (s == null) {
                        break;
                    }
                    allocations.incrementAndGet();
                    bytes.addAndGet(size);
                    if (n % 3 == 0) {
                        stats.deallocate(s); // a bump arena frees nothing one block at a time
                        frees.incrementAndGet();
                    }
                }
            });
            AllocationStats snapshot = counters.snapshot();
            assertTrue(allocations.get() > 10_000, "real work: " + allocations.get());
            assertEquals(allocations.get(), snapshot.allocations());
            assertTrue(frees.get() > 0);
            assertEquals(0, snapshot.frees(), "frees the inner arena ignores are not counted");
            assertEquals(bytes.get(), snapshot.bytesLive());
            assertEquals(bytes.get(), budget.used(), "the budget holds exactly the live bytes");
            stats.reset();
            assertEquals(0, counters.snapshot().bytesLive());
            assertEquals(0, budget.used());
            assertEquals(1, counters.snapshot().resets());
            stats.close();
        }
    }

    private static void runThreads(int n, Runnable body) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().uncaughtExceptionHandler((t, e) -> failure.set(e)).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                body.run();
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void theDebugStackOfTheDocsShouldWork() {
        dev.pagewise.os.linux.MmapBacked memory = dev.pagewise.os.linux.MmapBacked.map(64 << 20);
        dev.pagewise.core.GuardPage guarded = dev.pagewise.core.GuardPage.around(memory);
        dev.pagewise.core.SizeClassed classes = dev.pagewise.core.SizeClassed.over(guarded);
        // docs/wrappers.md, verbatim but for the names of the pieces it builds on
        Budget server = Budget.root("server", 1L << 30);
        Statistics stats = Statistics.create();
        LeakTracking sites = LeakTracking.paranoid();
        Allocator heard = Observed.over(classes, AllocationListener.of(stats, Limit.of(server.child("request", 8 << 20)), sites));
        Allocator debug = Quarantine.over(Canary.over(heard), 256, 1 << 20, sites);
        MemorySegment block = debug.allocate(100, 8);
        block.fill((byte) 1);
        debug.deallocate(block);
        assertEquals(1, ((Quarantine) debug).heldBlocks());
        assertEquals(0, stats.snapshot().frees(), "held in quarantine, not yet freed");
        assertEquals(132, server.used(), "the block and its canaries");
        classes.close();
        guarded.close();
        memory.close();
    }

    @Test
    void faultyShouldFailTheChosenRequests() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            Faulty nth = Faulty.failNth(3);
            try (BumpArena bump = BumpArena.builder(range).listener(nth).build()) {
                bump.allocate(8, 8);
                bump.allocate(8, 8);
                AllocationFailedException e = assertThrows(AllocationFailedException.class, () -> bump.allocate(8, 8));
                assertTrue(e.getMessage().contains("Faulty: injected failure of request 3"), e.getMessage());
                bump.allocate(8, 8);
                assertEquals(1, nth.injected());
                assertEquals(24, bump.allocated(), "the failed request never reached the allocator");
            }
            try (BumpArena bump = BumpArena.builder(range).listener(Faulty.failEvery(2)).build()) {
                int failed = 0;
                for (int i = 0; i < 10; i++) {
                    failed += bump.tryAllocate(8, 8) == null ? 1 : 0;
                }
                assertEquals(5, failed);
            }
            long[] outcomes = new long[2];
            for (int run = 0; run < 2; run++) {
                try (BumpArena bump = BumpArena.builder(range).listener(Faulty.failWithProbability(0.3, 42)).build()) {
                    for (int i = 0; i < 100; i++) {
                        outcomes[run] = outcomes[run] * 31 + (bump.tryAllocate(1, 1) == null ? 1 : 0);
                    }
                }
            }
            assertEquals(outcomes[0], outcomes[1], "seeded: the same failures every run");
            try (BumpArena big = BumpArena.builder(range).listener(Faulty.failWhen((n, size, align) -> size > 1000)).build()) {
                assertNull(big.tryAllocate(1001, 8));
                big.allocate(1000, 8);
            }
            assertThrows(IllegalArgumentException.class, () -> Faulty.failWithProbability(1.5, 1));
            assertThrows(IllegalArgumentException.class, () -> Faulty.failNth(0));
            assertThrows(IllegalArgumentException.class, () -> Faulty.failEvery(0));
        }
    }
}
