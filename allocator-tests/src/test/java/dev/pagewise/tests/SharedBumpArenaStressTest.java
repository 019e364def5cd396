package dev.pagewise.tests;

import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many threads, bounded time: no two blocks overlap and no byte is lost. */
class SharedBumpArenaStressTest {

    record Block(long address, long size) {
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 4096, SharedBumpArena.DEFAULT_CHUNK_SIZE})
    void threadsShouldNeverGetOverlappingBlocks(long chunkSize) throws Exception {
        int threads = 8;
        try (MmapBacked range = MmapBacked.map(64 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            SharedBumpArena arena = SharedBumpArena.builder(range).chunkSize(chunkSize).build();
            List<List<Block>> perThread = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            long deadline = System.nanoTime() + 300_000_000L;
            for (int t = 0; t < threads; t++) {
                List<Block> mine = new ArrayList<>();
                perThread.add(mine);
                long tag = t + 1;
                workers.add(Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> failure.set(e)).start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() < deadline) {
                        long size = 8 + random.nextInt(2000);
                        long align = 1L << random.nextInt(7);
                        MemorySegment s = arena.tryAllocate(size, align);
                        if (s == null) {
                            break;
                        }
                        if (s.address() % align != 0) {
                            throw new AssertionError("misaligned");
                        }
                        s.set(JAVA_LONG_UNALIGNED, 0, tag);
                        mine.add(new Block(s.address(), size));
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
            List<Block> all = new ArrayList<>();
            perThread.forEach(all::addAll);
            all.sort((a, b) -> Long.compare(a.address(), b.address()));
            long bytes = 0;
            for (int i = 0; i < all.size(); i++) {
                Block b = all.get(i);
                bytes += b.size();
                assertTrue(range.contains(MemorySegment.ofAddress(b.address()).reinterpret(b.size())));
                if (i > 0) {
                    Block prev = all.get(i - 1);
                    assertTrue(prev.address() + prev.size() <= b.address(), "overlap at 0x" + Long.toHexString(b.address()));
                }
            }
            for (int t = 0; t < threads; t++) {
                for (Block b : perThread.get(t)) {
                    assertEquals(t + 1, MemorySegment.ofAddress(b.address()).reinterpret(8).get(JAVA_LONG_UNALIGNED, 0),
                            "another thread wrote into this block");
                }
            }
            assertTrue(all.size() > 1000, "the test did real work: " + all.size());
            assertTrue(bytes <= arena.allocated(), "every byte handed out is accounted for");
            arena.close();
        }
    }

    @Test
    void allocationRacingAResetShouldBeDetectedNotCorrupt() throws Exception {
        try (MmapBacked range = MmapBacked.map(16 << 20, MapOptions.DEFAULT.withLazyCommit())) {
            SharedBumpArena arena = SharedBumpArena.builder(range).chunkSize(0).build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean detected = new AtomicBoolean();
            Thread allocator = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        MemorySegment s = arena.tryAllocate(64, 8);
                        if (s == null) {
                            Thread.onSpinWait();
                        }
                    } catch (IllegalStateException e) {
                        detected.set(true);
                    }
                }
            });
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!detected.get() && System.nanoTime() < deadline) {
                try {
                    arena.reset();
                } catch (IllegalStateException busy) {
                    // a segment was in use: the reset refused, which is also detection
                }
            }
            stop.set(true);
            allocator.join();
            assertTrue(detected.get(), "an allocation during reset throws IllegalStateException");
            arena.close();
            assertThrows(IllegalStateException.class, () -> arena.allocate(8, 8));
        }
    }
}
