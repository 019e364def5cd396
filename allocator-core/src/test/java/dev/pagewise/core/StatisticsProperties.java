package dev.pagewise.core;

import dev.pagewise.core.ListenerEvents.Event;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Statistics} against a model, with each event heard on one of three threads in turn: the first to record
 * counts in the owner's fields, the others in the shared atomics, and a snapshot must add them up, the peak
 * included (exact here, as the events do not overlap).
 */
@AddLifecycleHook(ListenerEvents.Threads.class)
class StatisticsProperties {

    /** What the counters must read. */
    static final class Model {
        long allocations, frees, failures, resets, live, peak;
        final List<MemorySegment> blocks = new ArrayList<>();

        void grow(long delta) {
            live += delta;
            peak = Math.max(peak, live);
        }

        AllocationStats stats() {
            return new AllocationStats(allocations, frees, failures, resets, live, peak);
        }
    }

    @Provide
    Arbitrary<List<Event>> events() {
        return ListenerEvents.events(4096);
    }

    @Property(tries = 200)
    void snapshotsAddUpTheOwnerAndTheOtherThreads(@ForAll("events") List<Event> events, @ForAll boolean confined)
            throws Exception {
        Statistics stats = confined ? Statistics.confined() : Statistics.create();
        Model model = new Model();
        for (Event e : events) {
            // a confined instance is for one thread: it hears everything on the first
            int thread = confined ? 0 : e.thread();
            ListenerEvents.on(thread, () -> {
                hear(stats, model, e);
                return null;
            });
            assertEquals(model.stats(), stats.snapshot(), () -> "after " + e);
        }
    }

    private static void hear(Statistics stats, Model model, Event e) {
        switch (e.kind()) {
            case ALLOCATE -> {
                MemorySegment block = MemorySegment.ofArray(new byte[e.size()]);
                model.blocks.add(block);
                model.allocations++;
                model.grow(e.size());
                stats.onAllocation(block);
            }
            case RELEASE -> {
                if (!model.blocks.isEmpty()) {
                    MemorySegment block = model.blocks.remove(e.pick() % model.blocks.size());
                    model.frees++;
                    model.grow(-block.byteSize());
                    stats.onRelease(block);
                }
            }
            case RESIZE -> {
                if (!model.blocks.isEmpty()) {
                    int i = e.pick() % model.blocks.size();
                    MemorySegment block = model.blocks.get(i);
                    MemorySegment resized = MemorySegment.ofArray(new byte[e.size()]);
                    model.blocks.set(i, resized);
                    model.grow(resized.byteSize() - block.byteSize());
                    stats.onResize(block, resized);
                }
            }
            case FAIL -> {
                model.failures++;
                stats.onFailedAllocation(e.size(), 8);
            }
            case RESET -> {
                model.blocks.clear();
                model.resets++;
                model.live = 0;
                stats.onReset();
            }
        }
    }

    @Test
    void countsShouldStayExactWhileThreadsRecordAtOnce() throws Exception {
        Statistics stats = Statistics.create();
        MemorySegment block = MemorySegment.ofArray(new byte[24]);
        AtomicLong heard = new AtomicLong();
        int perThread = 200_000;
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            running.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    stats.onAllocation(block);
                    if (i % 2 == 0) {
                        stats.onRelease(block);
                    }
                    heard.incrementAndGet();
                }
            }));
        }
        for (Thread t : running) {
            t.join();
        }
        AllocationStats s = stats.snapshot();
        assertEquals(4L * perThread, heard.get());
        assertEquals(4L * perThread, s.allocations());
        assertEquals(2L * perThread, s.frees());
        assertEquals(2L * perThread * 24, s.bytesLive());
        assertTrue(s.peakBytes() >= s.bytesLive() && s.peakBytes() <= 4L * perThread * 24, s.toString());
    }

    @Test
    void twoThreadsRecordingAtOnceShouldLeaveThePeakAtLeastTheLiveBytes() throws Exception {
        MemorySegment hundred = MemorySegment.ofArray(new byte[100]);
        MemorySegment fifty = MemorySegment.ofArray(new byte[50]);
        for (int trial = 0; trial < 20_000; trial++) {
            Statistics stats = Statistics.create();
            stats.onFailedAllocation(1, 1); // this thread owns it
            java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    both.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                stats.onAllocation(fifty);
            });
            both.await();
            stats.onAllocation(hundred);
            other.join();
            AllocationStats s = stats.snapshot();
            assertEquals(150, s.bytesLive());
            assertEquals(150, s.peakBytes(), () -> "trial " + s);
        }
    }

    @Test
    void liveBytesShouldStayInRangeWhileAnotherThreadFreesTheOwnersBlocks() throws Exception {
        Statistics stats = Statistics.create();
        MemorySegment block = MemorySegment.ofArray(new byte[100]);
        java.util.concurrent.ArrayBlockingQueue<MemorySegment> handoff = new java.util.concurrent.ArrayBlockingQueue<>(4);
        stats.onAllocation(block);
        Thread freer = Thread.ofPlatform().start(() -> stats.onRelease(block));
        freer.join(); // a second thread has recorded: from here on every thread moves the shared live bytes
        int blocks = 200_000;
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < blocks; i++) {
                    stats.onRelease(handoff.take());
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        long[] seen = {Long.MAX_VALUE, Long.MIN_VALUE};
        Thread watcher = Thread.ofPlatform().start(() -> {
            while (consumer.isAlive()) {
                long live = stats.snapshot().bytesLive();
                seen[0] = Math.min(seen[0], live);
                seen[1] = Math.max(seen[1], live);
            }
        });
        for (int i = 0; i < blocks; i++) { // the owner allocates, the consumer frees
            stats.onAllocation(block);
            handoff.put(block);
        }
        consumer.join();
        watcher.join();
        long lowest = seen[0];
        long highest = seen[1];
        // at most the 4 queued blocks, the one being put and the one being freed are live at any instant
        assertTrue(lowest >= 0 && highest <= 6 * 100, "live bytes seen between " + lowest + " and " + highest);
        assertEquals(0, stats.snapshot().bytesLive());
    }
}
