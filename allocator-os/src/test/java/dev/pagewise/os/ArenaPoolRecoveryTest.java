package dev.pagewise.os;

import dev.pagewise.core.FixedRange;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.ResetStrategy;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pool that cannot wedge: abandoned leases, failing resets, races with close, absurd settings. */
class ArenaPoolRecoveryTest {

    /** Collects what the pool logs. */
    static final class Log extends Handler implements AutoCloseable {
        final List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Logger logger = Logger.getLogger(ArenaPool.class.getName());

        Log() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }

        boolean says(String text) {
            return records.stream().anyMatch(r -> java.text.MessageFormat.format(r.getMessage(),
                    r.getParameters() == null ? new Object[0] : r.getParameters()).contains(text));
        }
    }

    /** A policy that fails on demand, with the error of the caller's choice. */
    static final class FailingPolicy implements ResetPolicy {
        final AtomicReference<Throwable> next = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            calls.incrementAndGet();
            Throwable t = next.getAndSet(null);
            if (t instanceof Error e) {
                throw e;
            }
            if (t instanceof RuntimeException e) {
                throw e;
            }
            return ResetPolicy.zeroAll().reset(region, offset, length);
        }
    }

    @Test
    void aLeaseWhoseVirtualThreadEndedShouldBeReclaimedLoggedAndLetThePoolClose() throws Exception {
        try (Log log = new Log()) {
            ArenaPool pool = ArenaPool.builder(1, 1 << 20).leaseTimeout(Duration.ofSeconds(10)).recordLeaseSites().build();
            Thread.ofVirtual().start(() -> pool.lease().allocate(4096, 8).fill((byte) 7)).join();
            assertEquals(1, pool.metrics().leased());
            try (RequestArena next = pool.lease()) {
                MemorySegment s = next.allocate(4096, 8);
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[4096])), "the reclaimed slot reads zero");
            }
            assertEquals(1, pool.metrics().reclaimed());
            assertTrue(log.says("reclaimed slot 0 from a lease that was never closed"), log.records.toString());
            assertTrue(log.records.stream().anyMatch(r -> r.getThrown() != null
                    && r.getThrown().getMessage().equals("leased here")), "the lease site is logged");
            pool.close();
        }
    }

    @Test
    void closeShouldReclaimLeasesOfEndedThreads() throws Exception {
        ArenaPool pool = ArenaPool.builder(4, 1 << 20).build();
        for (int i = 0; i < 3; i++) {
            Thread.ofPlatform().start(pool::lease).join();
        }
        assertEquals(3, pool.metrics().leased());
        pool.close();
        assertThrows(IllegalStateException.class, pool::lease);
    }

    @Test
    void aLeaseClosedFromAnotherThreadShouldNameTheLeaserAndStayOpen() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(1, 1 << 20).build()) {
            RequestArena lease = pool.lease();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread.ofPlatform().start(() -> {
                try {
                    lease.close();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }).join();
            assertTrue(failure.get() instanceof WrongThreadException, String.valueOf(failure.get()));
            assertTrue(failure.get().getMessage().contains(Thread.currentThread().toString()));
            lease.allocate(64, 8);
            lease.close();
            assertThrows(IllegalStateException.class, lease::close, "not idempotent");
        }
    }

    @Test
    void anUnreachableLeaseShouldBeReclaimedOnceTheCollectorFindsIt() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(1, 1 << 20).build()) {
            leaseAndDrop(pool);
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(1, pool.metrics().leased(), "metrics() only reads: the lease is out until reclaimed");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pool.reclaimLeaked() == 0 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(1, pool.metrics().reclaimed());
            assertEquals(0, pool.metrics().leased());
            try (RequestArena again = pool.lease()) {
                assertEquals(0, again.allocate(4096, 8).get(JAVA_BYTE, 100));
            }
        }
    }

    @Test
    void aLeaseWaitingForTheOnlySlotShouldGetItFromAnUnreachableLease() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(1, 1 << 20).leaseTimeout(Duration.ofSeconds(10)).build()) {
            leaseAndDrop(pool);
            AtomicReference<Object> seen = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try (RequestArena again = pool.lease()) {
                    seen.set(again.allocate(4096, 8).get(JAVA_BYTE, 100));
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pool.metrics().waiting() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, pool.metrics().waiting(), "the lease waits: nothing was reclaimed before it");
            while (waiter.isAlive() && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            waiter.join();
            assertEquals((byte) 0, seen.get(), "the waiter got the slot, reset");
            assertEquals(1, pool.metrics().reclaimed());
        }
    }

    /** With background scrubbing the scrubber thread resets the reclaimed slot and counts the reset. */
    @Test
    void anUnreachableLeaseShouldBeReclaimedAndScrubbedInTheBackground() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(1, 1 << 20).scrubInBackground().leaseTimeout(Duration.ofSeconds(10))
                .build()) {
            leaseAndDrop(pool);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pool.reclaimLeaked() == 0 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            try (RequestArena again = pool.lease()) {
                assertEquals(0, again.allocate(4096, 8).get(JAVA_BYTE, 100), "the scrubber reset the slot");
            }
            while (pool.metrics().scrubbing() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            PoolMetrics metrics = pool.metrics();
            assertEquals(1, metrics.reclaimed());
            assertEquals(2, metrics.leases());
            assertEquals(2, metrics.resetsByStrategy().values().stream().mapToLong(Long::longValue).sum(),
                    "both resets counted, by the scrubber thread: " + metrics);
        }
    }

    private static void leaseAndDrop(ArenaPool pool) {
        pool.lease().allocate(4096, 8).fill((byte) 3);
    }

    @Test
    void aLeaseStillReachableThroughASegmentShouldNotBeReclaimed() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(1, 1 << 20).build()) {
            MemorySegment kept = pool.lease().allocate(64, 8);
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(0, pool.metrics().reclaimed(), "a segment of the lease is still reachable");
            kept.set(JAVA_BYTE, 0, (byte) 1);
            assertThrows(PoolExhaustedException.class, pool::lease);
            assertThrows(IllegalStateException.class, pool::close);
            java.lang.ref.Reference.reachabilityFence(kept);
            kept = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pool.reclaimLeaked() == 0 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(1, pool.metrics().reclaimed());
        }
    }

    @Test
    void closeWithATimeoutShouldWaitForLeasesAndRefuseNewOnes() throws Exception {
        ArenaPool pool = ArenaPool.builder(2, 1 << 20).build();
        CountDownLatch leased = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            try (RequestArena lease = pool.lease()) {
                leased.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        leased.await();
        IllegalStateException timedOut = assertThrows(IllegalStateException.class, () -> pool.close(Duration.ofMillis(100)));
        assertTrue(timedOut.getMessage().contains("1 lease(s) out"), timedOut.getMessage());
        try (RequestArena stillServes = pool.lease()) {
            stillServes.allocate(64, 8);
        }
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        pool.close(Duration.ofSeconds(10));
        holder.join();
        assertThrows(IllegalStateException.class, pool::lease);
    }

    @Test
    void aForegroundResetThatFailsShouldZeroTheSlotCountItAndKeepItInService() {
        FailingPolicy policy = new FailingPolicy();
        try (Log log = new Log(); ArenaPool pool = ArenaPool.builder(1, 1 << 20).resetPolicy(policy).build()) {
            try (RequestArena lease = pool.lease()) {
                lease.allocate(8192, 8).fill((byte) 9);
                policy.next.set(new IllegalStateException("injected"));
            }
            assertEquals(1, pool.metrics().resetFailures());
            assertEquals(0, pool.metrics().leased());
            assertEquals(1, pool.metrics().free());
            try (RequestArena next = pool.lease()) {
                MemorySegment s = next.allocate(8192, 8);
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[8192])), "zeroed in place");
            }
            assertTrue(log.says("failed; zeroing it in place"));
        }
    }

    @Test
    void aResetFailureWithOverflowBlocksAlreadyFreedShouldStillReturnTheSlot() {
        FailingPolicy policy = new FailingPolicy();
        SharedBumpArena overflow = SharedBumpArena.over(MmapBacked.map(4 << 20));
        try (ArenaPool pool = ArenaPool.builder(1, 64 << 10).resetPolicy(policy).overflowTo(overflow).build()) {
            try (RequestArena lease = pool.lease()) {
                lease.allocate(60 << 10, 8).fill((byte) 1);
                lease.allocate(1 << 20, 8).fill((byte) 2);
                assertEquals(1, lease.overflowed());
                policy.next.set(new OutOfMemoryError("injected"));
            }
            assertEquals(1, pool.metrics().free());
            pool.lease().close();
        }
        overflow.close();
    }

    @Test
    void theScrubberShouldSurviveAnErrorAndNeverHandOutADirtySlot() throws Exception {
        FailingPolicy policy = new FailingPolicy();
        try (Log log = new Log(); ArenaPool pool = ArenaPool.builder(1, 1 << 20).resetPolicy(policy)
                .scrubInBackground().leaseTimeout(Duration.ofSeconds(10)).build()) {
            for (int round = 0; round < 5; round++) {
                try (RequestArena lease = pool.lease()) {
                    MemorySegment s = lease.allocate(64 << 10, 8);
                    assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[64 << 10])), "round " + round);
                    s.fill((byte) (round + 1));
                    policy.next.set(round % 2 == 0 ? new StackOverflowError("injected") : new IllegalStateException("x"));
                }
            }
            try (RequestArena lease = pool.lease()) {
                assertEquals(0, lease.allocate(64 << 10, 8).get(JAVA_BYTE, 4096));
            }
            assertEquals(5, pool.metrics().resetFailures());
            assertTrue(log.says("failed; zeroing it in place"));
        }
    }

    @Test
    void leaseRacingCloseShouldEitherLeaseOrFailAndThePoolShouldAlwaysCloseInTheEnd() throws Exception {
        for (int round = 0; round < 200; round++) {
            ArenaPool pool = ArenaPool.builder(2, 64 << 10).build();
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<RequestArena> got = new AtomicReference<>();
            AtomicBoolean closed = new AtomicBoolean();
            Thread leaser = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    got.set(pool.lease());
                } catch (IllegalStateException | InterruptedException expected) {
                    // closed first
                }
            });
            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    pool.close();
                    closed.set(true);
                } catch (IllegalStateException | InterruptedException expected) {
                    // a lease was out
                }
            });
            go.countDown();
            leaser.join();
            closer.join();
            RequestArena lease = got.get();
            if (closed.get()) {
                // either the lease came too late, or its thread had ended and close reclaimed it
                assertTrue(lease == null || pool.metrics().reclaimed() == 1, "round " + round + ": a live lease of a closed pool");
            } else {
                assertNotNull(lease, "round " + round + ": close failed with no lease out");
                Thread.ofPlatform().start(lease::close).join(); // wrong thread: refused, lease stays
                assertEquals(1, pool.metrics().leased());
                pool.reclaimLeaked(); // the leaser ended: its lease is reclaimed
                pool.close();
            }
            assertThrows(IllegalStateException.class, pool::lease);
        }
    }

    @Test
    void aBudgetPerLeaseShouldRefuseWithoutOverflowingAndBeReturnedWhenTheLeaseEnds() throws Exception {
        dev.pagewise.core.Budget server = dev.pagewise.core.Budget.root("server", 1 << 20);
        SharedBumpArena overflow = SharedBumpArena.over(MmapBacked.map(4 << 20));
        try (ArenaPool pool = ArenaPool.builder(2, 64 << 10).overflowTo(overflow)
                .listenerPerLease(() -> dev.pagewise.core.Limit.of(server.child("request", 100 << 10))).build()) {
            try (RequestArena a = pool.lease(); RequestArena b = pool.lease()) {
                a.allocate(90 << 10, 8);
                assertEquals(1, a.overflowed(), "past the slot, within the budget: overflow");
                assertEquals(null, a.tryAllocate(20 << 10, 8), "over the budget: refused, not overflowed");
                assertEquals(1, a.overflowed());
                b.allocate(50 << 10, 8);
                assertEquals(140 << 10, server.used(), "each lease has its own budget under the server's");
            }
            assertEquals(0, server.used(), "both leases returned their budget");
            Thread.ofVirtual().start(() -> pool.lease().allocate(10 << 10, 8)).join();
            assertEquals(10 << 10, server.used());
            assertEquals(1, pool.reclaimLeaked());
            assertEquals(0, server.used(), "a reclaimed lease returns its budget too");
        }
        overflow.close();
    }

    @Test
    void anEnormousLeaseTimeoutShouldBeAcceptedAndNeverOverflow() {
        try (ArenaPool pool = ArenaPool.builder(1, 64 << 10).leaseTimeout(Duration.ofSeconds(Long.MAX_VALUE)).build()) {
            try (RequestArena lease = pool.lease()) {
                lease.allocate(64, 8);
            }
            pool.lease().close();
        }
        assertThrows(IllegalArgumentException.class, () -> ArenaPool.builder(1, 1).leaseTimeout(Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> ArenaPool.builder(1, 1).leaseTimeout(null));
    }

    @Test
    void everySlotOfALargePoolShouldStayWithinItsKeepResidentBudget() {
        int slots = 100;
        long keep = 64 << 10;
        try (ArenaPool pool = ArenaPool.builder(slots, 1 << 20).resetPolicy(ResetPolicy.keepResident(keep)).build()) {
            List<RequestArena> leases = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < slots; i++) {
                    RequestArena lease = pool.lease();
                    lease.allocate(1 << 20, 4096).fill((byte) 1);
                    leases.add(lease);
                }
                leases.forEach(RequestArena::close);
                leases.clear();
            }
            long resident = pool.residentBytes();
            assertTrue(resident <= slots * keep, "resident " + resident + " > " + slots + " x " + keep);
            assertTrue(pool.metrics().resetsByStrategy().containsKey(ResetStrategy.PAGEMAP_SCAN)
                    || pool.metrics().resetsByStrategy().containsKey(ResetStrategy.PAGEMAP_READ), pool.metrics().toString());
        }
    }

    @Test
    void aPoolShouldServeFromAGivenRegionAndLeaveItOpen() {
        try (MmapBacked region = MmapBacked.map(4 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            try (ArenaPool pool = ArenaPool.builder(4, 1 << 20).memory(region).build()) {
                assertThrows(IllegalStateException.class, region::close, "the pool holds it");
                try (RequestArena lease = pool.lease()) {
                    assertTrue(region.contains(lease.allocate(64, 8)));
                }
            }
            assertThrows(IllegalArgumentException.class,
                    () -> ArenaPool.builder(5, 1 << 20).memory(region).build(), "too small");
            assertEquals(0, region.lifetime().holders(), "a failed build releases the region");
        }
    }

    /**
     * A reclaimed lease is reset over what its slot committed, not over the whole slot: past the committed prefix
     * a reset that writes (zeroAll) failed, and the pool counted a reset failure for a reclaim that went well.
     */
    @Test
    void reclaimingALeaseShouldResetItsSlotWithoutAFailure() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(2, 1 << 20).resetPolicy(ResetPolicy.zeroAll())
                .leaseTimeout(Duration.ofSeconds(5)).build()) {
            for (int i = 0; i < 2; i++) {
                Thread.ofVirtual().start(() -> pool.lease().allocate(4096, 8).fill((byte) 1)).join();
            }
            try (RequestArena next = pool.lease()) { // no slot is free: the dead threads' leases are reclaimed
                assertEquals(0, next.allocate(4096, 8).get(JAVA_BYTE, 4095));
            }
            assertEquals(2, pool.metrics().reclaimed());
            assertEquals(0, pool.metrics().resetFailures(), pool.metrics().toString());
        }
    }

    /**
     * A lease's bytes stay its own: while the pool is open, a second pool over its region, and a slice over a
     * slot, are refused (each slot is a slice, and slices of one range never overlap).
     */
    @Test
    void noPoolOrSliceShouldReachTheSlotsOfAPoolOverAGivenRegion() {
        try (MmapBacked region = MmapBacked.map(4 << 20)) {
            try (ArenaPool pool = ArenaPool.builder(2, 1 << 20).memory(region).build();
                 RequestArena lease = pool.lease()) {
                MemorySegment secret = lease.allocateFrom("tenant A");
                IllegalStateException second = assertThrows(IllegalStateException.class,
                        () -> ArenaPool.builder(2, 1 << 20).memory(region).build());
                assertTrue(second.getMessage().contains("overlaps its open slice"), second.getMessage());
                long slotStart = lease.slot() * pool.slotSize();
                assertThrows(IllegalStateException.class, () -> region.slice(slotStart, 64 << 10));
                assertThrows(IllegalStateException.class, () -> region.slice(0, 4 << 20));
                assertEquals(2, region.lifetime().holders(), "the refusals took no hold: one per slot");
                assertEquals("tenant A", secret.getString(0));
                try (FixedRange past = region.slice(2 << 20, 1 << 20)) {
                    assertEquals(1 << 20, past.byteSize(), "bytes past the slots stay free to slice");
                }
            }
            try (FixedRange whole = region.slice(0, 4 << 20)) {
                assertEquals(1, region.lifetime().holders(), "the closed pool gave its slots back: " + whole);
            }
        }
    }
}
