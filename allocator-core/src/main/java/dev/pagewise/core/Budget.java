package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte budget in a tree, as Apache Arrow's child allocators: a child's reservation also counts
 * against every ancestor, so a request succeeds only when it fits every budget up to the root.
 * Thread-safe and lock-free.
 */
public final class Budget {

    private final String name;
    private final long limit;
    private final Budget parent;
    private final AtomicLong used = new AtomicLong();

    private Budget(String name, long limit, Budget parent) {
        this.name = java.util.Objects.requireNonNull(name, "name");
        this.limit = Checks.requireNonNegative(limit, "limit");
        this.parent = parent;
    }

    /**
     * {@return a root budget of {@code limit} bytes}
     *
     * @param name  the budget's name, as messages show it
     * @param limit the most bytes the budget grants at once
     * @throws NullPointerException if {@code name} is {@code null}
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public static Budget root(String name, long limit) {
        return new Budget(name, limit, null);
    }

    /**
     * {@return a child budget of {@code limit} bytes that also draws on this one} Its name is this budget's
     * name, a {@code /} and {@code name}.
     *
     * @param name  the child's own name
     * @param limit the most bytes the child grants at once; its ancestors' limits apply too
     * @throws NullPointerException if {@code name} is {@code null}
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public Budget child(String name, long limit) {
        return new Budget(this.name + "/" + java.util.Objects.requireNonNull(name, "name"), limit, this);
    }

    /**
     * Reserves {@code bytes} here and in every ancestor, or nowhere.
     *
     * @return {@code null} on success, else the budget that refused, described for a message
     */
    String reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (bytes > limit - now) {
                return "budget '" + name + "' of " + ByteSizes.format(limit) + " has " + ByteSizes.format(now)
                        + " in use";
            }
        } while (!used.compareAndSet(now, now + bytes));
        if (parent != null) {
            String refused = parent.reserve(bytes);
            if (refused != null) {
                used.addAndGet(-bytes);
                return refused;
            }
        }
        return null;
    }

    /** Returns {@code bytes} to this budget and its ancestors. */
    void release(long bytes) {
        used.addAndGet(-bytes);
        if (parent != null) {
            parent.release(bytes);
        }
    }

    /** {@return the bytes reserved now, children included} */
    public long used() {
        return used.get();
    }

    /** {@return the limit} */
    public long limit() {
        return limit;
    }

    /** {@return the name, with its ancestors' names: {@code "server/request"}} */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Budget[" + name + ": " + ByteSizes.format(used()) + " of " + ByteSizes.format(limit) + "]";
    }
}
