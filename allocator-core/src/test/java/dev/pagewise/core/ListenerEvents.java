package dev.pagewise.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Random listener events, each heard on one of {@link #THREADS} threads in turn, for properties of listeners
 * biased to the first thread that records ({@link Statistics}, {@link Limit}) against a model. A container that
 * plays them adds {@link Threads} as a lifecycle hook.
 */
final class ListenerEvents {

    static final int THREADS = 3;

    private static final List<ExecutorService> threads = new ArrayList<>();

    private ListenerEvents() {
    }

    enum Kind { ALLOCATE, RELEASE, RESIZE, FAIL, RESET }

    /** An event heard on thread {@code thread}; {@code size} is a block size, {@code pick} chooses a live block. */
    record Event(Kind kind, int thread, int size, int pick) {
    }

    /** {@return lists of up to 60 events with block sizes up to {@code maxSize}} */
    static Arbitrary<List<Event>> events(int maxSize) {
        Arbitrary<Event> event = Combinators.combine(
                Arbitraries.of(Kind.class), Arbitraries.integers().between(0, THREADS - 1),
                Arbitraries.integers().between(0, maxSize), Arbitraries.integers().between(0, 1000))
                .as(Event::new);
        return event.list().ofMaxSize(60);
    }

    /** Starts the threads before a container's properties and stops them after. */
    static final class Threads implements BeforeContainerHook, AfterContainerHook {
        @Override
        public void beforeContainer(ContainerLifecycleContext context) {
            for (int i = 0; i < THREADS; i++) {
                threads.add(Executors.newSingleThreadExecutor());
            }
        }

        @Override
        public void afterContainer(ContainerLifecycleContext context) {
            threads.forEach(ExecutorService::close);
            threads.clear();
        }
    }

    /** {@return what {@code task} returned on thread {@code thread}}, waiting for it */
    static <T> T on(int thread, Callable<T> task) throws Exception {
        return threads.get(thread).submit(task).get();
    }
}
