package dev.pagewise.core;

import java.time.Duration;
import java.util.Objects;

/**
 * When an {@link ExtendableSlab} purges a chunk that holds no live slot: {@linkplain #immediately() at once},
 * {@linkplain #after(Duration) once it has stayed empty for a delay}, or {@linkplain #never() only when asked}
 * through {@link ExtendableSlab#purge()}. Over an {@link OsBacked} range a purge gives the chunk's pages back to
 * the operating system ({@link OsBacked#releasePages}); over any other range it can only zero them.
 * Immutable and thread-safe.
 */
public final class PurgePolicy {

    private static final PurgePolicy IMMEDIATELY = new PurgePolicy(Duration.ZERO, "immediately");
    private static final PurgePolicy NEVER = new PurgePolicy(null, "never");

    private final Duration delay;
    private final String text;

    private PurgePolicy(Duration delay, String text) {
        this.delay = delay;
        this.text = text;
    }

    /**
     * {@return a policy that purges a chunk in the {@code deallocate} that frees its last live slot} The cheapest
     * in memory and the dearest in system calls: a slab whose use goes up and down across a chunk boundary
     * releases and faults that chunk in again each time.
     */
    public static PurgePolicy immediately() {
        return IMMEDIATELY;
    }

    /**
     * {@return a policy that purges a chunk once it has been empty for {@code delay}} The slab starts no thread:
     * it purges the chunks whose delay has passed in its next {@code allocate}, {@code tryAllocate} or
     * {@code deallocate}, or in {@link ExtendableSlab#purge()}, which purges every empty chunk. A chunk used again
     * within the delay is not purged.
     *
     * @param delay how long a chunk stays empty before it is purged; zero is {@link #immediately()}
     * @throws NullPointerException if {@code delay} is {@code null}
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static PurgePolicy after(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        return delay.isZero() ? IMMEDIATELY : new PurgePolicy(delay, "after " + delay);
    }

    /** {@return a policy that never purges by itself: empty chunks stay as they are until {@link ExtendableSlab#purge()}} */
    public static PurgePolicy never() {
        return NEVER;
    }

    /** {@return the delay in nanoseconds: 0 for immediately, -1 for never} */
    long delayNanos() {
        if (delay == null) {
            return -1;
        }
        try {
            return delay.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "PurgePolicy[" + text + "]";
    }
}
