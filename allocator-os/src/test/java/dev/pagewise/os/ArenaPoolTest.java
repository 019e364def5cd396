package dev.pagewise.os;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.SharedBumpArena;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArenaPoolTest {

    @Test
    void aReturnedSlotShouldReadZeroAndBePreferredByTheSameThread() {
        try (ArenaPool pool = ArenaPool.builder(4, 1 << 20).build()) {
            int slot;
            MemorySegment stale;
            try (RequestArena request = pool.lease()) {
                slot = request.slot();
                stale = request.allocate(512 << 10, 8);
                stale.fill((byte) 7);
            }
            assertThrows(IllegalStateException.class, () -> stale.get(JAVA_BYTE, 0), "closed with its lease");
            try (RequestArena again = pool.lease()) {
                assertEquals(slot, again.slot(), "the thread's last slot is hot and preferred");
                MemorySegment fresh = again.allocate(512 << 10, 8);
                assertEquals(stale.address(), fresh.address());
                assertEquals(-1, fresh.mismatch(MemorySegment.ofArray(new byte[512 << 10])), "reads zero");
            }
            assertEquals(2, pool.metrics().leases());
            assertTrue(pool.metrics().resetsByStrategy().values().stream().mapToLong(Long::longValue).sum() >= 2);
        }
    }

    @Test
    void withLeasesOutALeaseShouldTakeTheSlotsReturnedLastNewestFirst() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(16, 1 << 20).build()) {
            RequestArena[] out = new RequestArena[6];
            for (int i = 0; i < out.length; i++) {
                out[i] = pool.lease();
            }
            int older = out[1].slot();
            int newer = out[3].slot();
            out[1].close();
            out[3].close();
            // this thread's last slot (out[5]'s) is still out: the slots returned last come next, newest first
            try (RequestArena first = pool.lease(); RequestArena second = pool.lease()) {
                assertEquals(newer, first.slot(), "the slot returned last");
                assertEquals(older, second.slot(), "then the one returned before it");
            }
            int[] seen = new int[2];
            out[0].close();
            out[2].close();
            Thread.ofVirtual().start(() -> {
                try (RequestArena a = pool.lease(); RequestArena b = pool.lease()) {
                    seen[0] = a.slot();
                    seen[1] = b.slot();
                }
            }).join();
            assertEquals(out[2].slot(), seen[0], "a virtual thread too");
            assertEquals(out[0].slot(), seen[1]);
            out[4].close();
            out[5].close();
        }
    }

    @Test
    void aPlatformThreadShouldPreferItsOwnSlotAndAVirtualThreadTheSlotReturnedLast() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(8, 1 << 20).build()) {
            int mine;
            try (RequestArena request = pool.lease()) {
                mine = request.slot();
            }
            int[] other = new int[1];
            Thread.ofPlatform().start(() -> {
                try (RequestArena first = pool.lease(); RequestArena second = pool.lease()) {
                    other[0] = second.slot();
                }
            }).join();
            assertNotEquals(mine, other[0]);
            try (RequestArena again = pool.lease()) {
                assertEquals(mine, again.slot(), "this platform thread's own slot, not the one returned last");
            }
            int[] seen = new int[3];
            for (int i = 0; i < seen.length; i++) {
                int at = i;
                Thread.ofVirtual().start(() -> {
                    try (RequestArena request = pool.lease()) {
                        seen[at] = request.slot();
                    }
                }).join();
            }
            assertEquals(mine, seen[0], "a virtual thread takes the slot returned last");
            assertEquals(seen[0], seen[1]);
            assertEquals(seen[1], seen[2]);
        }
    }

    @Test
    void concurrentVirtualThreadsShouldNeverShareASlotOrSeeEachOthersData() throws Exception {
        try (ArenaPool pool = ArenaPool.builder(8, 256 << 10).leaseTimeout(Duration.ofSeconds(10)).build();
             ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Set<Integer> active = ConcurrentHashMap.newKeySet();
            AtomicLong leases = new AtomicLong();
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                long tag = t + 1;
                tasks.add(executor.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        try (RequestArena request = pool.lease()) {
                            if (!active.add(request.slot())) {
                                throw new AssertionError("slot " + request.slot() + " leased twice");
                            }
                            MemorySegment s = request.allocate(64 << 10, 8);
                            if (s.mismatch(MemorySegment.ofArray(new byte[64 << 10])) != -1) {
                                throw new AssertionError("a fresh lease saw an earlier request's data");
                            }
                            for (long o = 0; o < s.byteSize(); o += 4096) {
                                s.set(JAVA_LONG, o, tag);
                            }
                            Thread.yield();
                            for (long o = 0; o < s.byteSize(); o += 4096) {
                                if (s.get(JAVA_LONG, o) != tag) {
                                    throw new AssertionError("another request wrote into this lease");
                                }
                            }
                            active.remove(request.slot());
                            leases.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
            assertEquals(32 * 50, leases.get());
            PoolMetrics metrics = pool.metrics();
            assertEquals(0, metrics.leased(), "every slot came back");
            assertEquals(8, metrics.free());
            assertEquals(32 * 50, metrics.leases(), "the slots' counters lost no lease");
            assertEquals(32 * 50, metrics.resetsByStrategy().values().stream().mapToLong(Long::longValue).sum(),
                    "the slots' counters lost no reset");
        }
    }

    @Test
    void aLeaseShouldFailFastOrWaitForItsTimeout() throws Exception {
        try (ArenaPool failFast = ArenaPool.builder(1, 64 << 10).build()) {
            try (RequestArena held = failFast.lease()) {
                PoolExhaustedException e = assertThrows(PoolExhaustedException.class, failFast::lease);
                assertTrue(e.getMessage().contains("the only slot of"), e.getMessage());
            }
        }
        try (ArenaPool waiting = ArenaPool.builder(1, 64 << 10).leaseTimeout(Duration.ofMillis(200)).build()) {
            try (RequestArena held = waiting.lease()) {
                long start = System.nanoTime();
                Thread other = Thread.ofVirtual().start(() ->
                        assertThrows(PoolExhaustedException.class, waiting::lease));
                other.join();
                assertTrue(System.nanoTime() - start >= 190_000_000L, "waited for its timeout");
            }
        }
    }

    @Test
    void aRequestThatThrowsShouldNotLoseItsLease() {
        try (ArenaPool pool = ArenaPool.builder(2, 64 << 10).build()) {
            for (int i = 0; i < 10; i++) {
                assertThrows(IllegalStateException.class, () -> {
                    try (RequestArena request = pool.lease()) {
                        request.allocate(100, 8);
                        throw new IllegalStateException("the request failed");
                    }
                });
            }
            assertEquals(0, pool.metrics().leased());
            try (RequestArena a = pool.lease(); RequestArena b = pool.lease()) {
                assertTrue(a.slot() != b.slot());
            }
        }
    }

    @Test
    void closingWithLeasesOutShouldFailClearly() {
        ArenaPool pool = ArenaPool.builder(2, 64 << 10).build();
        RequestArena request = pool.lease();
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(e.getMessage().contains("1 lease(s) out"), e.getMessage());
        request.close();
        pool.close();
        assertThrows(IllegalStateException.class, pool::lease);
        assertThrows(IllegalStateException.class, pool::close);
    }

    @Test
    void aScrubbedSlotShouldNeverBeLeasedBeforeItsScrubCompleted() throws Exception {
        ResetPolicy slow = (range, offset, length) -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ResetPolicy.zeroAll().reset(range, offset, length);
        };
        try (ArenaPool pool = ArenaPool.builder(1, 1 << 20).resetPolicy(slow).scrubInBackground()
                .leaseTimeout(Duration.ofSeconds(5)).build()) {
            long returned;
            try (RequestArena request = pool.lease()) {
                request.allocate(1 << 20, 8).fill((byte) 9);
            }
            returned = System.nanoTime();
            assertEquals(1, pool.metrics().scrubbing(), "the request's close did not wait for the reset");
            try (RequestArena next = pool.lease()) {
                assertTrue(System.nanoTime() - returned >= 150_000_000L, "the lease waited for the scrub");
                MemorySegment s = next.allocate(1 << 20, 8);
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[1 << 20])), "and got a scrubbed slot");
            }
            assertEquals(Long.valueOf(2).longValue(), pool.metrics().leases());
        }
    }

    @Test
    void aRequestThatOutgrowsItsSlotShouldFailOrOverflow() {
        try (ArenaPool strict = ArenaPool.builder(1, 64 << 10).build(); RequestArena request = strict.lease()) {
            request.allocate(60 << 10, 8);
            assertThrows(AllocationFailedException.class, () -> request.allocate(8 << 10, 8));
        }
        try (NativeBacked spill = NativeBacked.allocate(1 << 20)) {
            SharedBumpArena overflow = SharedBumpArena.over(spill);
            try (ArenaPool pool = ArenaPool.builder(1, 64 << 10).overflowTo(overflow).build()) {
                try (RequestArena request = pool.lease()) {
                    request.allocate(60 << 10, 8);
                    MemorySegment big = request.allocate(100 << 10, 8);
                    assertTrue(spill.contains(big), "went to the overflow allocator");
                    assertEquals(1, request.overflowed());
                }
            }
            overflow.close();
        }
    }

    @Test
    void badConfigurationShouldBeRejected() {
        assertThrows(IllegalArgumentException.class, () -> ArenaPool.builder(0, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> ArenaPool.builder(4, 0));
        assertThrows(IllegalArgumentException.class, () -> ArenaPool.builder(4, 1 << 20).leaseTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> ArenaPool.builder(Integer.MAX_VALUE, Long.MAX_VALUE / 2));
        assertThrows(IllegalArgumentException.class, () -> ArenaPool.builder(1, Long.MAX_VALUE - 10));
        IllegalArgumentException slots = assertThrows(IllegalArgumentException.class,
                () -> ArenaPool.builder(Integer.MAX_VALUE, 4096));
        assertTrue(slots.getMessage().contains("slots") && slots.getMessage().contains(String.valueOf(Integer.MAX_VALUE)),
                slots.getMessage());
    }
}
