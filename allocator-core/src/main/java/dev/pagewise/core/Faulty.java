package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection for tests of code that allocates: refuses chosen requests as if the allocator were full
 * ({@code allocate} throws {@link AllocationFailedException}, {@code tryAllocate} returns {@code null})
 * without asking it. An {@link AllocationListener}, so a faulty arena is still an arena. The request counter
 * is thread-safe; the seeded random rule is too, but repeats its sequence only when one thread allocates.
 */
public final class Faulty implements AllocationListener {

    /** Decides whether request number {@code n} (from 1) for {@code byteSize} bytes fails. */
    @FunctionalInterface
    public interface Rule {
        /**
         * {@return whether request {@code n} fails}
         *
         * @param n             the request's number, counted from 1 over every request the listener heard
         * @param byteSize      the requested size
         * @param byteAlignment the requested alignment
         */
        boolean fails(long n, long byteSize, long byteAlignment);
    }

    private final Rule rule;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();

    private Faulty(Rule rule) {
        this.rule = rule;
    }

    /**
     * {@return a listener whose {@code n}th request fails, once}
     *
     * @param n the number of the request that fails, counted from 1
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public static Faulty failNth(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        return new Faulty((i, size, align) -> i == n);
    }

    /**
     * {@return a listener whose every {@code n}th request fails}
     *
     * @param n the period: requests {@code n}, {@code 2n}, {@code 3n}, ... fail
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public static Faulty failEvery(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        return new Faulty((i, size, align) -> i % n == 0);
    }

    /**
     * {@return a listener whose requests fail with probability {@code p}, repeatably for a seed}
     *
     * @param p    the probability that a request fails, in {@code [0, 1]}
     * @param seed the seed of the random sequence: with the same seed, the same requests (by number) fail
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1]}
     */
    public static Faulty failWithProbability(double p, long seed) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1]: " + p);
        }
        Random random = new Random(seed);
        return new Faulty((i, size, align) -> random.nextDouble() < p);
    }

    /**
     * {@return a listener whose requests fail when {@code rule} says so}
     *
     * @param rule decides, per request, whether it fails; called on the allocating thread
     * @throws NullPointerException if {@code rule} is {@code null}
     */
    public static Faulty failWhen(Rule rule) {
        return new Faulty(Objects.requireNonNull(rule, "rule"));
    }

    @Override
    public String onPreAllocation(long byteSize, long byteAlignment) {
        long n = requests.incrementAndGet();
        if (rule.fails(n, byteSize, byteAlignment)) {
            injected.incrementAndGet();
            return "Faulty: injected failure of request " + n;
        }
        return null;
    }

    /**
     * {@inheritDoc} Here: a growth in place is a request like any other (counted, and failed when the rule says
     * so, for {@code newSize} bytes); a shrink is never refused or counted.
     */
    @Override
    public String onPreResize(MemorySegment segment, long newSize) {
        return newSize > segment.byteSize() ? onPreAllocation(newSize, 1) : null;
    }

    /** {@return the failures injected so far} */
    public long injected() {
        return injected.get();
    }
}
