package dev.pagewise.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer single-consumer ring, the same for every contender of {@link CrossThreadBench}:
 * one thread offers, one other thread polls, with one release store and one acquire load per side and no
 * allocation.
 */
final class Handoff<T> {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(Handoff.class, "head", long.class);
            TAIL = MethodHandles.lookup().findVarHandle(Handoff.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object[] slots;
    private final int mask;
    @SuppressWarnings("unused")
    private volatile long head;
    @SuppressWarnings("unused")
    private volatile long tail;

    Handoff(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        slots = new Object[capacity];
        mask = capacity - 1;
    }

    /** {@return whether {@code item} went in: false when the ring is full} Producer only. */
    boolean offer(T item) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) == slots.length) {
            return false;
        }
        SLOTS.setRelease(slots, (int) t & mask, item);
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** {@return the oldest item, or {@code null} when the ring is empty} Consumer only. */
    @SuppressWarnings("unchecked")
    T poll() {
        long h = (long) HEAD.getOpaque(this);
        if (h == (long) TAIL.getAcquire(this)) {
            return null;
        }
        T item = (T) SLOTS.getAcquire(slots, (int) h & mask);
        SLOTS.setRelease(slots, (int) h & mask, null);
        HEAD.setRelease(this, h + 1);
        return item;
    }
}
