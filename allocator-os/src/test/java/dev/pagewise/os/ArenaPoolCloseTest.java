package dev.pagewise.os;

import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ArenaPoolCloseTest {

    @Test
    void closingWhileTheScrubberWakesTheCloserShouldNotDeadlock() {
        // The scrubber gives the pool hold back, then stalls before it notifies: the closer sees no holder,
        // closes the lifetime and joins the scrubber. Before the fix the closer held the monitor the scrubber
        // then needed to notify, and both waited forever.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 20; i++) {
                ArenaPool pool = ArenaPool.builder(2, 64 << 10).scrubInBackground().build();
                pool.afterScrubRelease(() -> LockSupport.parkNanos(Duration.ofMillis(30).toNanos()));
                pool.lease().close();
                pool.close();
                assertThrows(IllegalStateException.class, pool::lease, "closed");
            }
        });
    }

    @Test
    void aPurgerThatCannotStartShouldLeaveNoScrubberRunningAndTheRegionReleased() {
        Set<Thread> before = scrubbers();
        try (MmapBacked region = MmapBacked.map(2 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            ArenaPool.Builder builder = ArenaPool.builder(2, 1 << 20).memory(region).scrubInBackground()
                    .idlePurgeAfter(Duration.ofSeconds(1));
            builder.failPurgerStart = true;
            assertThrows(OutOfMemoryError.class, builder::build);
            assertEquals(0, region.lifetime().holders(), "the slices are closed: the region is free again");
            Set<Thread> after = scrubbers();
            after.removeAll(before);
            assertEquals(Set.of(), after, "the scrubber that started was stopped");
        }
    }

    private static Set<Thread> scrubbers() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("pagewise-scrubber") && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void leaseCloseAndPoolCloseShouldNeverHang() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 2_000; i++) {
                ArenaPool pool = ArenaPool.builder(1, 64 << 10).scrubInBackground().build();
                pool.lease().close();
                pool.close();
            }
        });
    }
}
