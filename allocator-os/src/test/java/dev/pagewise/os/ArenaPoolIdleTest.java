package dev.pagewise.os;

import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.os.linux.MmapBacked;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Prewarming slots and the idle purge: what is resident before and after, measured with mincore; races with leases. */
@Timeout(60)
class ArenaPoolIdleTest {

    private static final long MIB = 1 << 20;

    @Test
    void anIdlePurgeShouldReturnTheKeptPagesWithoutAnotherLease() throws Exception {
        int slots = 8;
        long slotSize = 4 * MIB;
        try (ArenaPool pool = ArenaPool.builder(slots, slotSize).name("idle").idlePurgeAfter(Duration.ofMillis(100)).build()) {
            List<RequestArena> leases = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                RequestArena lease = pool.lease();
                lease.allocate(slotSize, 4096).fill((byte) 1);
                leases.add(lease);
            }
            long rssUsed = processRss();
            leases.forEach(RequestArena::close); // keepResident(4 MiB): every written page is zeroed and kept
            long before = pool.residentBytes();
            long rssBefore = processRss();
            long purgedEarly = pool.metrics().purges();
            assertTrue(before >= (slots - purgedEarly) * slotSize,
                    "kept resident after the leases: " + before + " (" + purgedEarly + " purged already)");

            long start = System.nanoTime();
            assertTrue(within(Duration.ofSeconds(5), () -> pool.residentBytes() == 0),
                    "the idle slots' pages went back: " + pool.residentBytes() + " resident; " + pool.metrics());
            long waited = System.nanoTime() - start;
            long rssAfter = processRss();

            PoolMetrics metrics = pool.metrics();
            assertEquals(slots, metrics.leases(), "no lease was needed for the purge");
            assertEquals(slots, metrics.purges(), "each slot purged once: " + metrics);
            assertTrue(metrics.purgedBytes() >= (slots - purgedEarly) * slotSize, metrics::toString);
            assertEquals(0, metrics.purgeFailures());
            System.out.printf("ArenaPoolIdleTest: %d slots x %d MiB, idlePurgeAfter 100 ms: pool resident %.1f -> %.1f MiB "
                            + "(mincore) within %d ms of the last close; process VmRSS %.1f (leases out) -> %.1f -> %.1f MiB%n",
                    slots, slotSize / MIB, before / (double) MIB, pool.residentBytes() / (double) MIB,
                    (waited / 1_000_000), rssUsed / (double) MIB, rssBefore / (double) MIB, rssAfter / (double) MIB);

            try (RequestArena again = pool.lease()) {
                MemorySegment fresh = again.allocate(slotSize, 4096);
                assertEquals(-1, fresh.mismatch(MemorySegment.ofArray(new byte[(int) slotSize])), "a purged slot reads zero");
            }
        }
    }

    @Test
    void leasesRacingPurgesShouldNeverSeeANonzeroByteNorFindThePoolExhausted() throws Exception {
        int slotSize = 256 << 10;
        try (ArenaPool pool = ArenaPool.builder(4, slotSize).idlePurgeAfter(Duration.ofMillis(1))
                .leaseTimeout(Duration.ofSeconds(10)).build()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            byte[] zeros = new byte[slotSize];
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                byte tag = (byte) (t + 1);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 300; i++) {
                            try (RequestArena request = pool.lease()) {
                                MemorySegment s = request.allocate(slotSize, 4096);
                                long at = s.mismatch(MemorySegment.ofArray(zeros));
                                if (at != -1) {
                                    throw new AssertionError("slot " + request.slot() + " byte " + at + " read " + s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at));
                                }
                                s.fill(tag);
                                Thread.yield();
                                for (long o = 0; o < slotSize; o += 4096) {
                                    if (s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o) != tag) {
                                        throw new AssertionError("slot " + request.slot() + " lost the lease's bytes at " + o);
                                    }
                                }
                            }
                            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                                Thread.sleep(ThreadLocalRandom.current().nextInt(4)); // long enough to be purged, sometimes
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertTrue(pool.metrics().purges() > 0, "purges ran between the leases: " + pool.metrics());
            assertEquals(0, pool.metrics().purgeFailures());
        }

        // One slot, no lease timeout: a lease that comes while the only slot is being purged waits for the
        // purge instead of failing with PoolExhaustedException, and reads zero.
        try (ArenaPool one = ArenaPool.builder(1, slotSize).idlePurgeAfter(Duration.ofMillis(1)).build()) {
            byte[] zeros = new byte[slotSize];
            for (int i = 0; i < 500; i++) {
                try (RequestArena request = one.lease()) {
                    MemorySegment s = request.allocate(slotSize, 4096);
                    assertEquals(-1, s.mismatch(MemorySegment.ofArray(zeros)));
                    s.fill((byte) 5);
                }
                if (i % 2 == 0) {
                    Thread.sleep(1);
                }
            }
            assertTrue(one.metrics().purges() > 0, one.metrics()::toString);
        }
    }

    @Test
    void aLeaseShouldWaitForThePurgeOfTheOnlySlotThenReadZero() throws Exception {
        try (MmapBacked inner = MmapBacked.map(MIB, MapOptions.DEFAULT.withLazyCommit())) {
            CountDownLatch inPurge = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            AtomicBoolean stall = new AtomicBoolean(true);
            OsBacked stalling = new DelegatingOsBacked(inner) {
                @Override
                public void releasePages(long offset, long length) {
                    if (stall.getAndSet(false)) { // the first release, the purge's: zeroAll never releases
                        inPurge.countDown();
                        try {
                            letGo.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.releasePages(offset, length);
                }
            };
            try (ArenaPool pool = ArenaPool.builder(1, MIB).memory(stalling).resetPolicy(ResetPolicy.zeroAll())
                    .idlePurgeAfter(Duration.ofMillis(5)).build()) {
                try (RequestArena request = pool.lease()) {
                    request.allocate(MIB, 4096).fill((byte) 7);
                }
                try {
                    assertLeaseWaitsForThePurge(pool, inPurge, letGo);
                } finally {
                    letGo.countDown(); // else the purge would hold the pool open forever
                }
                assertEquals(1, pool.metrics().purges());
                assertEquals(MIB, pool.metrics().purgedBytes(), "memory that cannot tell what is resident counts the bytes released");
            }
        }
    }

    private static void assertLeaseWaitsForThePurge(ArenaPool pool, CountDownLatch inPurge, CountDownLatch letGo) throws Exception {
        assertTrue(inPurge.await(5, TimeUnit.SECONDS), "the purger took the idle slot");
        AtomicLong leasedAt = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread leaser = Thread.ofPlatform().start(() -> {
            try (RequestArena request = pool.lease()) { // no lease timeout: a wait would be for the purge only
                leasedAt.set(System.nanoTime());
                MemorySegment s = request.allocate(MIB, 4096);
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) MIB])), "reads zero");
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        Thread.sleep(100);
        assertTrue(leaser.isAlive(), "the lease waits while the only slot is purged");
        long released = System.nanoTime();
        letGo.countDown();
        leaser.join(5000);
        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertTrue(leasedAt.get() >= released, "leased only after the purge ended");
    }

    @Test
    void aSlotLargerThanTheBudgetShouldHoldTheBudgetAfterLeasesOfEverySize() {
        long page;
        try (MmapBacked probe = MmapBacked.map(MIB)) {
            assumeTrue(probe.pageScanner().isPresent(), "needs the pagemap");
            page = probe.pageSize();
        }
        try (ArenaPool pool = ArenaPool.builder(1, 8 * MIB).resetPolicy(ResetPolicy.keepResident(MIB)).build()) {
            try (RequestArena spike = pool.lease()) {
                spike.allocate(2 * MIB, 1);
                spike.allocate(4 * MIB, 1).fill((byte) 1);
            }
            assertEquals(MIB, pool.residentBytes(), "the budget stays, 2 MiB into the slot");
            for (int size : new int[] {1, 64 << 10, 1 << 20}) {
                // a request that wrote only the last byte of what it took: zeroing it faults in the rest
                try (RequestArena request = pool.lease()) {
                    request.allocate(7 * page + size - 1, 1);
                    request.allocate(1, 1).fill((byte) 2);
                }
                assertTrue(pool.residentBytes() <= MIB, pool.residentBytes() + " bytes resident after a request of "
                        + (7 * page + size) + " bytes; " + pool.metrics());
            }
            try (RequestArena request = pool.lease()) {
                MemorySegment all = request.allocate(8 * MIB, 1);
                assertEquals(-1, all.mismatch(MemorySegment.ofArray(new byte[(int) (8 * MIB)])), "every byte reads zero");
            }
        }
    }

    @Test
    void prewarmShouldMakeSlotsResidentSoTheirFirstLeaseTakesNoPageFault() {
        try (MmapBacked region = MmapBacked.map(4 * MIB, MapOptions.DEFAULT.withLazyCommit());
             ArenaPool pool = ArenaPool.builder(4, MIB).memory(region).build()) {
            assertEquals(0, region.residentBytes(0, 4 * MIB), "nothing resident before");
            assertEquals(2, pool.prewarm(2));
            assertEquals(MIB, region.residentBytes(0, MIB), "slot 0 resident");
            assertEquals(MIB, region.residentBytes(MIB, MIB), "slot 1 resident");
            assertEquals(0, region.residentBytes(2 * MIB, 2 * MIB), "slots 2 and 3 not");
            assertEquals(2, pool.metrics().prewarmed());
            assertEquals(2, new PoolBean(pool).getPrewarmed());
            assertEquals(0, pool.prewarm(2), "already warm");
            assertEquals(0, pool.prewarm(0));

            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> pool.prewarm(5));
            assertTrue(tooMany.getMessage().contains("between 0 and 4") && tooMany.getMessage().endsWith(": 5"), tooMany.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.prewarm(-1));
            assertEquals(2, pool.metrics().prewarmed(), "a refused call changes nothing");

            boolean hugeAlways = readOrEmpty("/sys/kernel/mm/transparent_hugepage/enabled").contains("[always]");
            long warmFaults;
            long coldFaults;
            try (RequestArena warm = pool.lease()) {
                assertTrue(warm.slot() < 2, "a prewarmed slot is leased first: " + warm.slot());
                MemorySegment s = warm.allocate(MIB, 4096);
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) MIB])), "a prewarmed slot reads zero");
                long faults = minorFaults();
                s.fill((byte) 3);
                warmFaults = minorFaults() - faults;
                try (RequestArena cold = pool.lease(); RequestArena cold2 = pool.lease()) {
                    RequestArena c = cold.slot() >= 2 ? cold : cold2;
                    MemorySegment t = c.allocate(MIB, 4096);
                    faults = minorFaults();
                    t.fill((byte) 3);
                    coldFaults = minorFaults() - faults;
                }
            }
            System.out.printf("ArenaPoolIdleTest: minor page faults writing 1 MiB of a slot: prewarmed %d, cold %d%n",
                    warmFaults, coldFaults);
            assumeFalse(hugeAlways || coldFaults < 0, "transparent huge pages on [always] fault a slot in at once");
            assertTrue(warmFaults < 16 && coldFaults >= 200,
                    "page faults writing 1 MiB: prewarmed " + warmFaults + ", cold " + coldFaults);
            assertEquals(1, pool.prewarm(4), "the three slots written since are warm, the last not");
        }
        ArenaPool closed = ArenaPool.builder(1, MIB).build();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.prewarm(1));
    }

    @Test
    void prewarmShouldCountOnlySlotsItFaultedPagesInto() {
        for (ResetPolicy policy : List.of(ResetPolicy.decommitAll(), ResetPolicy.keepResident(100))) {
            try (ArenaPool pool = ArenaPool.builder(2, MIB).resetPolicy(policy).build()) {
                assertEquals(0, pool.prewarm(2), policy + " keeps no page resident: nothing to warm");
                assertEquals(0, pool.metrics().prewarmed(), policy.toString());
                assertEquals(0, pool.residentBytes(), policy.toString());
            }
        }
        try (ArenaPool pool = ArenaPool.builder(2, MIB).resetPolicy(ResetPolicy.keepResident(8192)).build()) {
            assertEquals(2, pool.prewarm(2));
            assertEquals(2, pool.metrics().prewarmed());
        }
    }

    @Test
    void aPrewarmedSlotLeftIdleShouldBePurgedAgain() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(2, MIB).idlePurgeAfter(Duration.ofMillis(50)).build()) {
            assertEquals(2, pool.prewarm(2));
            assertTrue(pool.residentBytes() >= 2 * MIB, "warm: " + pool.residentBytes());
            assertTrue(within(Duration.ofSeconds(5), () -> pool.residentBytes() == 0), () -> "purged: " + pool.metrics());
            assertEquals(2, pool.metrics().purges());
            assertEquals(2, pool.prewarm(2), "cold again, so warmed again");
        }
    }

    @Test
    void thePurgerShouldBeANamedDaemonThatEndsWithThePoolAndSurvivesAFailedPurge() throws Exception {
        Thread purger;
        try (MmapBacked region = MmapBacked.map(2 * MIB, MapOptions.DEFAULT.withLazyCommit());
             ArenaPoolRecoveryTest.Log log = new ArenaPoolRecoveryTest.Log()) {
            ArenaPool pool = ArenaPool.builder(2, MIB).name("purged").memory(region)
                    .idlePurgeAfter(Duration.ofMillis(100)).build();
            purger = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("pagewise-purger purged")).findFirst().orElseThrow();
            assertTrue(purger.isDaemon(), "never keeps the JVM alive");
            assertTrue(log.says("idle purge after PT0.1S"), "the start line names the delay");

            try (RequestArena a = pool.lease(); RequestArena b = pool.lease()) {
                a.allocate(MIB, 4096).fill((byte) 1);
                b.allocate(MIB, 4096).fill((byte) 1);
                // slot 0's reset runs at once; then a page of it is protected, which a purge must refuse
            }
            MemorySegment view = region.protect(0, 4096, Protection.READ);
            assertTrue(within(Duration.ofSeconds(5), () -> pool.metrics().purges() >= 1 && pool.metrics().purgeFailures() >= 1),
                    pool.metrics()::toString);
            assertEquals(0, region.residentBytes(MIB, MIB), "the other slot was purged");
            assertTrue(region.residentBytes(0, MIB) > 0, "the failed one kept its pages");
            assertTrue(log.says("the idle purge of slot 0 failed"), "logged");
            assertTrue(purger.isAlive(), "the purger survived the failure");
            assertEquals(0, view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0), "and the slot still reads zero");
            region.protect(0, 4096, Protection.READ_WRITE);
            Thread.sleep(250);
            assertEquals(1, pool.metrics().purgeFailures(), "not retried until the slot is used again");
            assertEquals(1, new PoolBean(pool).getPurgeFailures());
            pool.close();
            assertFalse(purger.isAlive(), "close stopped the purger");
        }
    }

    @Test
    void eachPurgeShouldBeAJfrEventOnByDefault() throws Exception {
        Path file = Files.createTempFile("purge", ".jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            try (ArenaPool pool = ArenaPool.builder(1, MIB).name("jfr purge").idlePurgeAfter(Duration.ofMillis(5)).build()) {
                try (RequestArena request = pool.lease()) {
                    request.allocate(MIB, 4096).fill((byte) 1);
                }
                assertTrue(within(Duration.ofSeconds(5), () -> pool.metrics().purges() == 1), pool.metrics()::toString);
            }
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> purges = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.pagewise.IdlePurge")).toList();
            assertEquals(1, purges.size(), purges::toString);
            RecordedEvent purge = purges.getFirst();
            assertEquals("jfr purge", purge.getString("pool"));
            assertEquals(0, purge.getInt("slot"));
            assertEquals(MIB, purge.getLong("bytesReleased"), "keepResident(4 MiB) kept the whole 1 MiB slot");
            assertTrue(purge.getDuration("idle").toMillis() >= 5, purge::toString);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void badPurgeDelaysShouldBeRejected() {
        ArenaPool.Builder builder = ArenaPool.builder(1, MIB);
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> builder.idlePurgeAfter(Duration.ZERO));
        assertTrue(zero.getMessage().contains("PT0S"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.idlePurgeAfter(Duration.ofNanos(999_999)));
        assertThrows(NullPointerException.class, () -> builder.idlePurgeAfter(null));
        try (ArenaPool never = builder.idlePurgeAfter(Duration.ofSeconds(Long.MAX_VALUE)).build()) {
            try (RequestArena request = never.lease()) {
                request.allocate(4096).fill((byte) 1);
            }
            assertEquals(0, never.metrics().purges(), "a delay of centuries never purges");
        }
        try (ArenaPool none = ArenaPool.builder(1, MIB).build()) {
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("pagewise-purger " + none.name())), "no purger without a delay");
        }
    }

    private static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** The process's resident set, VmRSS of /proc/self/status, in bytes; -1 where it cannot be read. */
    private static long processRss() {
        for (String line : readOrEmpty("/proc/self/status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
            }
        }
        return -1;
    }

    /** The calling thread's minor page faults so far (field 10 of /proc/thread-self/stat); -1 where unknown. */
    private static long minorFaults() {
        String stat = readOrEmpty("/proc/thread-self/stat");
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return -1;
        }
        String[] fields = stat.substring(end + 2).split(" ");
        return Long.parseLong(fields[7]); // fields after the name start at field 3 (state)
    }

    private static String readOrEmpty(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
