package dev.pagewise.os.linux;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Reusable per-call scratch objects (native buffers for system calls). A platform thread keeps its own in
 * a {@link ThreadLocal}; virtual threads, often one per request, borrow from a shared lock-free pool
 * instead, so a request does not allocate (and leave to the GC) fresh native memory on every call.
 */
final class Scratch<T> {

    private final Supplier<T> factory;
    private final ThreadLocal<T> platform;
    private final ConcurrentLinkedQueue<T> pool = new ConcurrentLinkedQueue<>();

    /** @param factory makes a new scratch object */
    public Scratch(Supplier<T> factory) {
        this.factory = factory;
        this.platform = ThreadLocal.withInitial(factory);
    }

    /** {@return a scratch object for the calling thread; give it back with {@link #release} when done} */
    public T acquire() {
        if (!Thread.currentThread().isVirtual()) {
            return platform.get();
        }
        T t = pool.poll();
        return t != null ? t : factory.get();
    }

    /** Returns a scratch object taken with {@link #acquire} on this thread. */
    public void release(T t) {
        if (Thread.currentThread().isVirtual()) {
            pool.offer(t);
        }
    }
}
