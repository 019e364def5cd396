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
@AddLifecycleHook(ListenerEvents.Threads.class)
class LimitProperties {

    private static final long LIMIT = 16 << 10;

    @Provide
    Arbitrary<List<Event>> events() {
        return ListenerEvents.events(6000);
    }

    @Property(tries = 200)
    void theBudgetShouldFollowWhatWasChargedOnAnyThread(@ForAll("events") List<Event> events) throws Exception {
        Budget budget = Budget.root("model", LIMIT);
        Limit limit = Limit.of(budget);
        List<MemorySegment> live = new ArrayList<>();
        for (Event e : events) {
            long used = ListenerEvents.on(e.thread(), () -> hear(limit, live, e));
            assertEquals(used, budget.used(), () -> "after " + e);
        }
        ListenerEvents.on(0, () -> {
            limit.onClose();
            return null;
        });
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
