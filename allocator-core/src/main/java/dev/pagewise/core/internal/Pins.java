package dev.pagewise.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The open/pinned/closed state of a range: pins keep it open, close succeeds only when unpinned. */
public final class Pins {

    private static final int CLOSED = -1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Pins.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String owner;
    @SuppressWarnings("unused")
    private volatile int state;

    /** @param owner names the range in messages */
    public Pins(String owner) {
        this.owner = owner;
    }

    /** @throws IllegalStateException if closed */
    public void pin() {
        int s;
        do {
            s = state;
            if (s == CLOSED) {
                throw new IllegalStateException(owner + " is closed");
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
    }

    /** @throws IllegalStateException if not pinned */
    public void unpin() {
        int s;
        do {
            s = state;
            if (s <= 0) {
                throw new IllegalStateException(owner + " is not pinned");
            }
        } while (!STATE.compareAndSet(this, s, s - 1));
    }

    /** @throws IllegalStateException if closed */
    public void checkOpen() {
        if (state == CLOSED) {
            throw new IllegalStateException(owner + " is closed");
        }
    }

    /** {@return whether the range is closed} */
    public boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Moves to closed.
     *
     * @throws IllegalStateException if pinned or already closed; the state is then unchanged
     */
    public void close() {
        int s = state;
        if (s == CLOSED) {
            throw new IllegalStateException(owner + " is already closed");
        }
        if (s != 0 || !STATE.compareAndSet(this, 0, CLOSED)) {
            throw new IllegalStateException(owner + " is in use by " + Math.max(s, 1) + " allocator(s); close them first");
        }
    }
}
