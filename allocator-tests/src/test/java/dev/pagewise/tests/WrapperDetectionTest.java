package dev.pagewise.tests;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.AllocationStats;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Canary;
import dev.pagewise.core.Faulty;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.Limit;
import dev.pagewise.core.MemoryCorruptionException;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrapperDetectionTest {

    @Test
    void canaryShouldReportAnOverrunByOneByte() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 256)) {
            Canary canary = new Canary(slab);
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
            Canary canary = new Canary(slab);
            MemorySegment block = canary.allocate(64, 8);
            MemorySegment.ofAddress(block.address() - 3).reinterpret(1).set(JAVA_BYTE, 0, (byte) 0);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> canary.deallocate(block));
            assertTrue(e.getMessage().contains("underrun by 3 byte(s)"), e.getMessage());
        }
    }

    @Test
    void quarantineShouldReportAWriteAfterFreeWithItsAllocationSite() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 128)) {
            LeakTracking sites = LeakTracking.paranoid(slab);
            Quarantine quarantine = Quarantine.over(sites, 4, 1 << 20, sites);
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
            PoisonOnFree poison = new PoisonOnFree(slab);
            MemorySegment block = poison.allocate(64, 8);
            block.fill((byte) 1);
            poison.deallocate(block);
            assertEquals(PoisonOnFree.DEFAULT_POISON, range.segment().get(JAVA_BYTE, 40));
        }
    }

    @Test
    void leakTrackingShouldReportLiveBlocksWithTheirSites() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); Slab slab = Slab.over(range, 64)) {
            LeakTracking tracking = LeakTracking.paranoid(slab);
            MemorySegment kept = allocateHere(tracking, 48);
            MemorySegment freed = tracking.allocate(16, 8);
            tracking.deallocate(freed);
            List<LeakTracking.Leak> leaks = tracking.leaks();
            assertEquals(1, leaks.size());
            assertEquals(kept.address(), leaks.getFirst().address());
            assertEquals(48, leaks.getFirst().byteSize());
            assertTrue(leaks.getFirst().toString().contains("allocateHere"), leaks.getFirst().toString());
            tracking.close();
        }
    }

    private static MemorySegment allocateHere(Allocator allocator, long size) {
        return allocator.allocate(size, 8);
    }

    @Test
    void disabledLeakTrackingShouldCostNothing() {
        try (NativeBacked range = NativeBacked.allocate(4096); Slab slab = Slab.over(range, 64)) {
            assertSame(slab, LeakTracking.wrap(slab, LeakTracking.Level.DISABLED, 1));
            LeakTracking sampled = (LeakTracking) LeakTracking.wrap(slab, LeakTracking.Level.SAMPLED, 2);
            sampled.allocate(8, 8);
            sampled.allocate(8, 8);
            assertEquals(1, sampled.leaks().stream().filter(l -> l.site() != null).count(), "one in two sampled");
            assertThrows(IllegalArgumentException.class, () -> LeakTracking.wrap(slab, LeakTracking.Level.SAMPLED, 0));
        }
    }

    @Test
    void limitShouldRefuseOverBudgetAndNameTheBudget() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20); BumpArena bump = BumpArena.over(range)) {
            Budget server = Budget.root("server", 10_000);
            Budget request = server.child("request", 6_000);
            Limit limit = new Limit(bump, request);
            limit.allocate(5_000, 8);
            AllocationFailedException e = assertThrows(AllocationFailedException.class, () -> limit.allocate(2_000, 8));
            assertTrue(e.getMessage().contains("budget 'server/request' of 5.9 KiB has 4.9 KiB in use"), e.getMessage());
            assertTrue(e.getMessage().contains("2000 bytes"), e.getMessage());
            assertEquals(5_000, bump.allocated(), "the inner allocator was not asked");
            assertNull(limit.tryAllocate(2_000, 8));
            Limit other = new Limit(BumpArena.builder(NativeBacked.allocate(1 << 20)).closeRangeOnClose().build(),
                    server.child("other", 6_000));
            AllocationFailedException parent = assertThrows(AllocationFailedException.class,
                    () -> other.allocate(5_500, 8));
            assertTrue(parent.getMessage().contains("budget 'server'"), "the parent refused: " + parent.getMessage());
            assertEquals(5_000, server.used());
            limit.reset();
            assertEquals(0, request.used());
            assertEquals(0, server.used());
            ((BumpArena) other.inner()).close();
        }
    }

    @Test
    void concurrentCallersTogetherShouldNotExceedTheBudget() throws Exception {
        try (MmapBacked range = MmapBacked.map(64 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            SharedBumpArena arena = SharedBumpArena.over(range);
            Budget budget = Budget.root("shared", 1 << 20);
            Limit limit = new Limit(arena, budget);
            AtomicLong granted = new AtomicLong();
            runThreads(4, () -> {
                while (limit.tryAllocate(1000, 8) != null) {
                    granted.addAndGet(1000);
                }
            });
            assertTrue(granted.get() <= 1 << 20, "granted " + granted.get());
            assertTrue(granted.get() > (1 << 20) - 4 * 1000, "and nearly all of it: " + granted.get());
            assertEquals(granted.get(), budget.used());
            arena.close();
        }
    }

    @Test
    void statisticsAndLimitShouldNeitherLeakNorDoubleCountUnderFourThreads() throws Exception {
        try (MmapBacked range = MmapBacked.map(256 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            SharedBumpArena arena = SharedBumpArena.over(range);
            Budget budget = Budget.root("all", 1L << 40);
            Statistics stats = new Statistics(new Limit(arena, budget));
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
            AllocationStats snapshot = stats.snapshot();
            assertTrue(allocations.get() > 10_000, "real work: " + allocations.get());
            assertEquals(allocations.get(), snapshot.allocations());
            assertTrue(frees.get() > 0);
            assertEquals(0, snapshot.frees(), "frees the inner arena ignores are not counted");
            assertEquals(bytes.get(), snapshot.bytesLive());
            assertEquals(bytes.get(), budget.used(), "the budget holds exactly the live bytes");
            stats.reset();
            assertEquals(0, stats.snapshot().bytesLive());
            assertEquals(0, budget.used());
            assertEquals(1, stats.snapshot().resets());
            arena.close();
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
        LeakTracking sites = LeakTracking.paranoid(new Canary(classes));
        Allocator debug = new Statistics(new Limit(Quarantine.over(sites, 256, 1 << 20, sites), server.child("request", 8 << 20)));
        MemorySegment block = debug.allocate(100, 8);
        block.fill((byte) 1);
        debug.deallocate(block);
        assertEquals(1, ((Statistics) debug).snapshot().frees());
        assertEquals(0, server.used());
        classes.close();
        guarded.close();
        memory.close();
    }

    @Test
    void faultyShouldFailTheChosenRequests() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); BumpArena bump = BumpArena.over(range)) {
            Faulty nth = Faulty.failNth(bump, 3);
            nth.allocate(8, 8);
            nth.allocate(8, 8);
            assertThrows(AllocationFailedException.class, () -> nth.allocate(8, 8));
            nth.allocate(8, 8);
            assertEquals(1, nth.injected());
            assertEquals(24, bump.allocated(), "the failed request never reached the inner allocator");

            Faulty every = Faulty.failEvery(bump, 2);
            int failed = 0;
            for (int i = 0; i < 10; i++) {
                failed += every.tryAllocate(8, 8) == null ? 1 : 0;
            }
            assertEquals(5, failed);

            long[] outcomes = new long[2];
            for (int run = 0; run < 2; run++) {
                Faulty random = Faulty.failWithProbability(bump, 0.3, 42);
                for (int i = 0; i < 100; i++) {
                    outcomes[run] = outcomes[run] * 31 + (random.tryAllocate(1, 1) == null ? 1 : 0);
                }
            }
            assertEquals(outcomes[0], outcomes[1], "seeded: the same failures every run");

            Faulty big = Faulty.failWhen(bump, (n, size, align) -> size > 1000);
            assertNull(big.tryAllocate(1001, 8));
            big.allocate(1000, 8);
            assertThrows(IllegalArgumentException.class, () -> Faulty.failWithProbability(bump, 1.5, 1));
            assertThrows(IllegalArgumentException.class, () -> Faulty.failNth(bump, 0));
            assertThrows(IllegalArgumentException.class, () -> Faulty.failEvery(bump, 0));
        }
    }
}
