package dev.pagewise.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Limit} against a model of its budget, with each event heard on one of three threads in turn: the first to
 * charge counts what it owes in its own field, the others in an atomic, and a block charged on one thread may be
 * returned on another. The budget's use must follow the model after every event, refusals included, and a reset
 * must return everything.
 */
class LimitProperties {

    private static final int THREADS = 3;
    private static final long LIMIT = 16 << 10;
    private static final List<ExecutorService> threads = new ArrayList<>();

    @BeforeContainer
    static void startThreads() {
        for (int i = 0; i < THREADS; i++) {
            threads.add(Executors.newSingleThreadExecutor());
        }
    }

    @AfterContainer
    static void stopThreads() {
        threads.forEach(ExecutorService::close);
        threads.clear();
    }

    enum Kind { ALLOCATE, RELEASE, RESIZE, FAIL, RESET }

    /** An event heard on thread {@code thread}; {@code size} is a block size, {@code pick} chooses a live block. */
    record Event(Kind kind, int thread, int size, int pick) {
    }

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<Event> event = Combinators.combine(
                Arbitraries.of(Kind.class), Arbitraries.integers().between(0, THREADS - 1),
                Arbitraries.integers().between(0, 6000), Arbitraries.integers().between(0, 1000))
                .as(Event::new);
        return event.list().ofMaxSize(60);
    }

    @Property(tries = 200)
    void theBudgetShouldFollowWhatWasChargedOnAnyThread(@ForAll("events") List<Event> events) throws Exception {
        Budget budget = Budget.root("model", LIMIT);
        Limit limit = Limit.of(budget);
        List<MemorySegment> live = new ArrayList<>();
        for (Event e : events) {
            long used = threads.get(e.thread()).submit(() -> hear(limit, live, e)).get();
            assertEquals(used, budget.used(), () -> "after " + e);
        }
        threads.get(0).submit(limit::onClose).get();
        assertEquals(0, budget.used(), "after close");
    }

    /** Plays {@code e} on the calling thread; {@return what the budget must hold afterwards} */
    private static long hear(Limit limit, List<MemorySegment> live, Event e) {
        switch (e.kind()) {
            case ALLOCATE -> {
                String refused = limit.onPreAllocation(e.size(), 8);
                if (e.size() > LIMIT - sum(live)) {
                    assertNotNull(refused, "a request past the budget");
                } else {
                    assertNull(refused);
                    MemorySegment block = MemorySegment.ofArray(new byte[e.size()]);
                    live.add(block);
                    limit.onAllocation(block);
                }
            }
            case RELEASE -> {
                if (!live.isEmpty()) {
                    limit.onRelease(live.remove(e.pick() % live.size()));
                }
            }
            case RESIZE -> {
                if (!live.isEmpty()) {
                    int i = e.pick() % live.size();
                    MemorySegment block = live.get(i);
                    String refused = limit.onPreResize(block, e.size());
                    if (e.size() - block.byteSize() > LIMIT - sum(live)) {
                        assertNotNull(refused, "a growth past the budget");
                    } else {
                        assertNull(refused);
                        MemorySegment resized = MemorySegment.ofArray(new byte[e.size()]);
                        live.set(i, resized);
                        limit.onResize(block, resized);
                    }
                }
            }
            case FAIL -> {
                if (limit.onPreAllocation(e.size(), 8) == null) {
                    limit.onFailedAllocation(e.size(), 8);
                }
            }
            case RESET -> {
                live.clear();
                limit.onReset();
            }
        }
        return sum(live);
    }

    private static long sum(List<MemorySegment> blocks) {
        return blocks.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    @Test
    void aResetAfterThreadsChargedAtOnceShouldReturnEverything() throws Exception {
        Budget budget = Budget.root("shared", Long.MAX_VALUE);
        Limit limit = Limit.of(budget);
        MemorySegment block = MemorySegment.ofArray(new byte[24]);
        int perThread = 200_000;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                running.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        assertNull(limit.onPreAllocation(24, 8));
                        limit.onAllocation(block);
                        if (i % 2 == 0) {
                            limit.onRelease(block);
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(); // a failed assertion on a thread fails the test here
            }
        }
        assertEquals(4L * perThread / 2 * 24, budget.used());
        limit.onReset();
        assertEquals(0, budget.used());
    }
}
