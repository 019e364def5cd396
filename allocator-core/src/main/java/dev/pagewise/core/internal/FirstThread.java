package dev.pagewise.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The first thread to ask, for listeners biased to one thread as most allocators are used: that thread counts
 * in plain fields only it writes, every other thread in atomics. Thread-safe.
 */
public final class FirstThread {

    private static final VarHandle ID = VarHandles.field(MethodHandles.lookup(), FirstThread.class, "id", long.class);

    /**
     * Its {@link Thread#threadId()}, 0 until a thread asks (ids are positive). Set once by compare-and-set and
     * never changed: a stale 0 only sends a thread to the compare-and-set, which then fails.
     */
    private long id;

    /** {@return whether the calling thread is the first that asked}, becoming it if no thread has asked yet */
    public boolean isCurrent() {
        long me = Thread.currentThread().threadId();
        long first = id;
        return first == me || first == 0 && ID.compareAndSet(this, 0L, me);
    }
}
