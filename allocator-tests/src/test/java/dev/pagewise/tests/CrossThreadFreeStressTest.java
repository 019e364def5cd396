package dev.pagewise.tests;

import dev.pagewise.core.ConcurrentSizeClassed;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads allocate from {@link ConcurrentSizeClassed} and hand every block to another thread, which frees
 * it; bounded time. Every block is stamped with a unique id when handed out and checked when freed: no
 * block is handed out twice, none is lost, the counts are exact, and every slot can be handed out again.
 */
class CrossThreadFreeStressTest {

    private static final int THREADS = 4;
    private static final long RANGE = 16 << 20;
    private static final long[] SIZES = {16, 64, 100, 512, 4096};

    @Test
    @Timeout(60)
    void blocksFreedOnOtherThreadsShouldNeverBeLostOrHandedOutTwice() throws Exception {
        try (MmapBacked range = MmapBacked.map(RANGE, MapOptions.DEFAULT.withLazyCommit())) {
            ConcurrentSizeClassed allocator = ConcurrentSizeClassed.builder(range).heaps(THREADS).build();
            List<ConcurrentLinkedQueue<MemorySegment>> inboxes = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                inboxes.add(new ConcurrentLinkedQueue<>());
            }
            ConcurrentHashMap<Long, Long> handedOut = new ConcurrentHashMap<>();
            AtomicLong ids = new AtomicLong();
            AtomicLong freed = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger allocating = new AtomicInteger(THREADS);
            long deadline = System.nanoTime() + 1_000_000_000L;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int self = t;
                workers.add(Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e)).start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    boolean done = false;
                    try {
                        while ((!done || allocating.get() > 0 || !inboxes.get(self).isEmpty()) && failure.get() == null) {
                            for (MemorySegment s; (s = inboxes.get(self).poll()) != null; ) {
                                long id = s.get(JAVA_LONG_UNALIGNED, 0);
                                Long owner = handedOut.remove(s.address());
                                if (owner == null || owner != id) {
                                    throw new AssertionError("block at 0x" + Long.toHexString(s.address()) + " stamped " + id
                                            + " but handed out as " + owner);
                                }
                                for (long off = 8; off + 8 <= s.byteSize(); off += 8) {
                                    if (s.get(JAVA_LONG_UNALIGNED, off) != id) {
                                        throw new AssertionError("block " + id + " changed at " + off);
                                    }
                                }
                                allocator.deallocate(s);
                                freed.incrementAndGet();
                            }
                            if (!done && System.nanoTime() > deadline) {
                                done = true;
                                allocating.decrementAndGet();
                            }
                            if (done) {
                                Thread.onSpinWait();
                                continue;
                            }
                            for (int i = 0; i < 32; i++) {
                                MemorySegment s = allocator.tryAllocate(SIZES[random.nextInt(SIZES.length)], 8);
                                if (s == null) {
                                    break; // that class of this heap is full until the other threads free
                                }
                                if (s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])) != -1) {
                                    throw new AssertionError("a block handed out does not read zero");
                                }
                                long id = ids.incrementAndGet();
                                if (handedOut.putIfAbsent(s.address(), id) != null) {
                                    throw new AssertionError("block at 0x" + Long.toHexString(s.address()) + " handed out twice");
                                }
                                for (long off = 0; off + 8 <= s.byteSize(); off += 8) {
                                    s.set(JAVA_LONG_UNALIGNED, off, id);
                                }
                                int to = (self + 1 + random.nextInt(THREADS - 1)) % THREADS;
                                inboxes.get(to).add(s);
                            }
                        }
                    } finally {
                        if (!done) {
                            allocating.decrementAndGet(); // a failed worker must not keep the others waiting
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("worker failed", failure.get());
            }
            assertTrue(ids.get() > 1000, "allocated " + ids.get());
            assertEquals(ids.get(), freed.get(), "every block freed once");
            assertTrue(handedOut.isEmpty());
            assertEquals(0, allocator.liveBlocks());
            assertEquals(0, allocator.liveBytes());

            // Every slot comes back: the main thread adopts an ended worker's heap and fills its 64 B class.
            long[] classes = allocator.classSizes();
            long share = (RANGE / ((long) classes.length * THREADS)) & -4096L;
            List<MemorySegment> all = new ArrayList<>();
            for (MemorySegment s; (s = allocator.tryAllocate(64, 64)) != null; ) {
                all.add(s);
            }
            assertEquals(share / 64, all.size(), "every 64 B slot of the heap can be handed out again");
            for (MemorySegment s : all) {
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[64])));
                allocator.deallocate(s);
            }
            assertEquals(0, allocator.liveBlocks());
            allocator.close();
        }
    }

    /**
     * Two threads free each block at once: the owner on its own list and another thread through the remote
     * stack ({@code ownerRaces}), or two threads that are not the owner, both through the remote stack.
     */
    @ParameterizedTest(name = "owner races: {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(60)
    void ofTwoThreadsFreeingOneBlockExactlyOneShouldSucceed(boolean ownerRaces) throws Exception {
        int rounds = 2000;
        try (MmapBacked range = MmapBacked.map(4 << 20)) {
            ConcurrentSizeClassed allocator = ConcurrentSizeClassed.builder(range).heaps(2).build();
            AtomicReference<MemorySegment> block = new AtomicReference<>();
            AtomicInteger wins = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CyclicBarrier allocated = new CyclicBarrier(3);
            CyclicBarrier freedBoth = new CyclicBarrier(3);
            Runnable free = () -> {
                try {
                    allocator.deallocate(block.get());
                    wins.incrementAndGet();
                } catch (IllegalArgumentException e) {
                    refused.incrementAndGet();
                }
            };
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                boolean allocates = t == 0;
                boolean frees = allocates ? ownerRaces : t == 1 || !ownerRaces;
                threads.add(Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e)).start(() -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            if (allocates) {
                                MemorySegment s = allocator.allocate(48, 8);
                                s.fill((byte) 9);
                                block.set(s);
                            }
                            allocated.await(10, TimeUnit.SECONDS);
                            if (frees) {
                                free.run();
                            }
                            freedBoth.await(10, TimeUnit.SECONDS);
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertNull(failure.get());
            assertEquals(rounds, wins.get(), "one free per round succeeds");
            assertEquals(rounds, refused.get(), "the other is refused");
            assertEquals(0, allocator.liveBlocks());
            MemorySegment again = allocator.allocate(48, 8);
            assertNotNull(again);
            assertEquals(-1, again.mismatch(MemorySegment.ofArray(new byte[48])), "zeroed by the winner");
            allocator.deallocate(again);
            allocator.close();
        }
    }
}
