package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConcurrentSizeClassedTest {

    private static <T> T onOtherThread(java.util.concurrent.Callable<T> action) {
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            return other.submit(action).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void blocksShouldComeFromTheirClassAndBeFreedFromAnyThread() {
        try (NativeBacked range = NativeBacked.allocate(4 << 20);
             ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(2).build()) {
            MemorySegment a = classes.allocate(100, 8);
            assertEquals(100, a.byteSize());
            assertEquals(-1, a.mismatch(MemorySegment.ofArray(new byte[100])));
            MemorySegment b = onOtherThread(() -> classes.allocate(16, 16));
            assertEquals(2, classes.liveBlocks());
            assertEquals(128 + 16, classes.liveBytes(), "counted by class size");
            onOtherThread(() -> {
                classes.deallocate(a);
                return null;
            });
            classes.deallocate(b);
            assertEquals(0, classes.liveBlocks());
            assertEquals(0, classes.liveBytes());
            assertThrows(IllegalArgumentException.class, () -> classes.deallocate(a));
            assertNull(classes.tryAllocate(64 << 10, 8), "above the largest class");
        }
    }

    @Test
    void whenEveryHeapIsOwnedANewThreadShouldFailUntilOneIsReleased() {
        try (NativeBacked range = NativeBacked.allocate(2 << 20);
             ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(1).build()) {
            MemorySegment mine = classes.allocate(64, 8);
            assertNull(onOtherThread(() -> classes.tryAllocate(64, 8)));
            AllocationFailedException e = assertThrows(AllocationFailedException.class,
                    () -> onOtherThread(() -> classes.allocate(64, 8)));
            assertTrue(e.getMessage().contains("all 1 heaps are owned by live threads"), e.getMessage());
            classes.releaseHeap();
            MemorySegment theirs = onOtherThread(() -> classes.allocate(64, 8));
            assertFalse(mine.address() == theirs.address());
            classes.deallocate(mine);
            classes.deallocate(theirs);
            assertEquals(0, classes.liveBlocks());
        }
    }

    @Test
    void theHeapOfAThreadThatEndedShouldBeAdopted() throws Exception {
        try (NativeBacked range = NativeBacked.allocate(2 << 20);
             ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(1).build()) {
            AtomicReference<MemorySegment> left = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                MemorySegment s = classes.allocate(64, 8);
                s.set(JAVA_LONG, 0, 7);
                left.set(s);
                classes.deallocate(classes.allocate(64, 8));
            });
            t.join();
            MemorySegment adopted = classes.allocate(64, 8);
            assertNotNull(adopted);
            assertEquals(2, classes.liveBlocks(), "the ended thread's live block stays live");
            assertEquals(7, left.get().get(JAVA_LONG, 0));
            classes.deallocate(left.get());
            classes.deallocate(adopted);
            assertEquals(0, classes.liveBlocks());
        }
    }

    @Test
    void shortLivedThreadsShouldTakeOverTheHeapsOfEndedOnes() throws Exception {
        try (NativeBacked range = NativeBacked.allocate(4 << 20);
             ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(2).build()) {
            java.util.List<MemorySegment> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 20; i++) {
                Thread t = Thread.ofPlatform().start(() -> {
                    for (int j = 0; j < 3; j++) {
                        kept.add(classes.allocate(32, 8));
                    }
                    classes.deallocate(kept.removeLast());
                });
                t.join();
            }
            assertEquals(40, kept.size());
            assertEquals(40, classes.liveBlocks());
            for (MemorySegment s : kept) {
                classes.deallocate(s);
            }
            assertEquals(0, classes.liveBlocks());
            assertEquals(0, classes.liveBytes());
        }
    }

    @Test
    void closeWhileAnotherThreadAllocatesShouldGiveItIllegalStateException() throws Exception {
        try (NativeBacked range = NativeBacked.allocate(4 << 20)) {
            ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(2).build();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        MemorySegment s = classes.allocate(256, 8);
                        s.fill((byte) 1);
                        classes.deallocate(s);
                        running.countDown();
                    }
                } catch (Throwable e) {
                    ended.set(e);
                }
            });
            running.await();
            classes.close();
            t.join();
            assertInstanceOf(IllegalStateException.class, ended.get());
            assertThrows(IllegalStateException.class, () -> classes.allocate(8, 8));
            assertThrows(IllegalStateException.class, classes::close);
            assertEquals(0, range.lifetime().holders(), "the range is released");
            assertEquals(-1, range.segment().mismatch(MemorySegment.ofArray(new byte[4 << 20])), "and reads zero");
        }
    }

    @Test
    void badArgumentsShouldNameThemselves() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ConcurrentSizeClassed.builder(range).heaps(0))
                    .getMessage().contains("heaps"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ConcurrentSizeClassed.builder(range).maxClassSize(8))
                    .getMessage().contains("maxClassSize"));
            assertThrows(IllegalArgumentException.class, () -> ConcurrentSizeClassed.over(range), "too small");
            assertEquals(0, range.lifetime().holders(), "a failed build holds nothing");
        }
    }
}
