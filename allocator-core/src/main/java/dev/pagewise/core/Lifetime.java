package dev.pagewise.core;

import dev.pagewise.core.internal.Bridge;
import dev.pagewise.core.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The lifetime of a {@link FixedRange}: open until {@link #close()}, and counted by the library, as the
 * JDK counts the acquires of a memory session. Every allocator over a range holds its lifetime until the
 * allocator is closed; a slice holds its parent's, and no two open slices of one range share a byte. While any
 * hold is out, closing fails with
 * {@link IllegalStateException} and nothing changes, so no segment can outlive the memory under it. Holds
 * are taken and released by Pagewise alone: there is no public way to take one or to release one twice.
 *
 * <p>A range implementation creates its lifetime with {@link #create(String, Runnable)} and closes it in
 * {@code close()}; the release action (unmap, free) runs once, after the lifetime is marked closed.
 * Thread-safe and lock-free.
 */
public final class Lifetime {

    private static final int CLOSED = -1;
    /** Held by one holder that allows no other: a {@link GuardPage} over its inner range. */
    private static final int EXCLUSIVE = -2;
    private static final VarHandle STATE;

    static {
        STATE = VarHandles.field(MethodHandles.lookup(), Lifetime.class, "state", int.class);
        Bridge.lifetimes(Lifetime::acquire);
    }

    private final String name;
    private final Runnable release;
    @SuppressWarnings("unused")
    private volatile int state;
    /** The holds of the open slices that cover bytes, by offset (no two share one); guarded by itself. */
    private final NavigableMap<Long, Hold> slices = new TreeMap<>();

    private Lifetime(String name, Runnable release) {
        this.name = name;
        this.release = release;
    }

    /**
     * {@return an open lifetime named {@code name} in messages, whose {@link #close()} runs {@code release}}
     *
     * @param name    the range's name, as messages show it
     * @param release the action that frees the range's memory; run once, by the {@code close} that succeeds
     * @throws NullPointerException if an argument is {@code null}
     */
    public static Lifetime create(String name, Runnable release) {
        return new Lifetime(Objects.requireNonNull(name, "name"), Objects.requireNonNull(release, "release"));
    }

    /** {@return the name used in messages} */
    public String name() {
        return name;
    }

    /** {@return whether the lifetime is open} */
    public boolean isAlive() {
        return state != CLOSED;
    }

    /** {@return how many allocators and slices hold the lifetime now; 0 once closed} */
    public int holders() {
        int s = state;
        return s == EXCLUSIVE ? 1 : Math.max(s, 0);
    }

    /**
     * Checks that the lifetime is open, as a range does before it touches its memory.
     *
     * @throws IllegalStateException if closed, naming the range
     */
    public void checkAlive() {
        if (state == CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * Takes a hold: until it is released, {@link #close()} fails.
     *
     * @throws IllegalStateException if closed
     */
    Hold acquire() {
        return acquire(0, 0);
    }

    /**
     * Takes the hold of a slice over {@code [offset, offset + length)}: refused while an open slice of the range
     * overlaps it, so that two allocators over two slices never hand out the same bytes.
     *
     * @throws IllegalStateException if closed, held by an allocator, or an open slice overlaps the part
     */
    Hold acquireSlice(long offset, long length) {
        long end = offset + length;
        synchronized (slices) {
            if (end > offset) {
                // the open slices are disjoint: only the last to start before end can reach past offset
                Map.Entry<Long, Hold> before = slices.lowerEntry(end);
                if (before != null && before.getValue().end > offset) {
                    Hold other = before.getValue();
                    throw new IllegalStateException("[" + offset + ", +" + length + ") of " + name
                            + " overlaps its open slice [" + other.offset + ", +" + (other.end - other.offset)
                            + "); slices of one range must be disjoint (close that slice first)");
                }
            }
            Hold hold = acquire(offset, end);
            if (end > offset) {
                slices.put(offset, hold);
            }
            return hold;
        }
    }

    private Hold acquire(long offset, long end) {
        int s;
        do {
            s = state;
            if (s == CLOSED) {
                throw new IllegalStateException(name + " is closed");
            }
            if (s == EXCLUSIVE) {
                throw new IllegalStateException(name + " is in use by an allocator or a GuardPage, which has it to itself");
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        return new Hold(this, false, offset, end);
    }

    /**
     * Takes the only hold, as every allocator and {@code GuardPage} does: until it is released, no other
     * allocator, slice or guard can use the range (so no two allocators ever hand out the same bytes), and it cannot close.
     *
     * @throws IllegalStateException if closed, or held by anyone
     */
    Hold acquireExclusive() {
        if (!STATE.compareAndSet(this, 0, EXCLUSIVE)) {
            checkAlive();
            throw new IllegalStateException(name + " is in use by " + (state == EXCLUSIVE ? "an allocator or a GuardPage"
                    : holders() + " slice(s)") + "; an allocator or GuardPage needs a range to itself (give each its own slice)");
        }
        return new Hold(this, true, 0, 0);
    }

    private void release(Hold hold) {
        if (hold.end > hold.offset) {
            synchronized (slices) {
                slices.remove(hold.offset, hold);
            }
        }
        if (hold.exclusive) {
            if (!STATE.compareAndSet(this, EXCLUSIVE, 0)) {
                throw new AssertionError(name + " released an exclusive hold it does not have");
            }
            return;
        }
        int s;
        do {
            s = state;
            if (s <= 0) {
                throw new AssertionError(name + " released more often than held");
            }
        } while (!STATE.compareAndSet(this, s, s - 1));
    }

    /**
     * Closes the lifetime and runs the release action, once.
     *
     * @throws IllegalStateException if it is held (naming how many hold it) or already closed; nothing
     *         changes then
     */
    public void close() {
        int s = state;
        if (s == CLOSED) {
            throw new IllegalStateException(name + " is already closed");
        }
        if (s != 0 || !STATE.compareAndSet(this, 0, CLOSED)) {
            checkAlive();
            throw new IllegalStateException(name + " is in use by " + Math.max(holders(), 1)
                    + " allocator(s) or slice(s); close them first");
        }
        release.run();
    }

    @Override
    public String toString() {
        return "Lifetime[" + name + (isAlive() ? ", " + holders() + " holder(s)]" : ", closed]");
    }

    /** One hold on a lifetime, released at most once: a second release does nothing. */
    public static final class Hold implements AutoCloseable {
        private static final VarHandle RELEASED;

        static {
            RELEASED = VarHandles.field(MethodHandles.lookup(), Hold.class, "released", boolean.class);
        }

        private final Lifetime lifetime;
        private final boolean exclusive;
        /** The part a slice's hold covers, {@code [offset, end)}; empty for every other hold. */
        private final long offset;
        private final long end;
        @SuppressWarnings("unused")
        private volatile boolean released;

        private Hold(Lifetime lifetime, boolean exclusive, long offset, long end) {
            this.lifetime = lifetime;
            this.exclusive = exclusive;
            this.offset = offset;
            this.end = end;
        }

        /** Releases the hold, if this is the first call. */
        @Override
        public void close() {
            if (RELEASED.compareAndSet(this, false, true)) {
                lifetime.release(this);
            }
        }
    }
}
